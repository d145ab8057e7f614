"""A hash of the package's own files (modules, templates): a stored result that this code made (a finished
edition, a site's pages) is reused only by the same code. Read by content, so reinstalling the same code keeps
it, and any edit changes it."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@functools.cache
def package_hash(package: Path = PACKAGE, parts: tuple[str, ...] = ()) -> str:
    """A hash of the files under `package`, by path and bytes: all of them, or those of `parts` (its files and
    folders) when given."""
    h = hashlib.sha256()
    for top in [package / p for p in parts] if parts else [package]:
        for path in sorted(top.rglob("*")) if top.is_dir() else [top]:
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
