"""A hash of the package's own files (modules, templates): a stored result that this code made (a finished
edition, a site's pages) is reused only by the same code. Read by content, so reinstalling the same code keeps
it, and any edit changes it."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@functools.cache
def package_hash(package: Path = PACKAGE, parts: tuple[str, ...] = ()) -> str:
    """A hash of the files under `package`, by path and bytes: all of them, or those of `parts` (its files and
    folders) when given."""
    h = hashlib.sha256()
    for top in [os.path.join(package, p) for p in parts] if parts else [str(package)]:
        files: list[tuple[tuple[str, ...], str]] = []  # (its path under `package` in parts, its path)
        if os.path.isfile(top):
            files.append((Path(os.path.relpath(top, package)).parts, top))
        for folder, subfolders, names in os.walk(top):  # os.walk, not Path.rglob: a third of the time
            subfolders[:] = [d for d in subfolders if d != "__pycache__"]
            under = Path(os.path.relpath(folder, package)).parts
            files += [((*under, name), os.path.join(folder, name)) for name in names]
        for rel, path in sorted(files):
            with open(path, "rb") as f:
                h.update("/".join(rel).encode() + b"\0" + f.read() + b"\0")
    return h.hexdigest()
