"""dailypapers: daily digests of new AI papers, read in full, summarized, and checked against the paper.

Everything here is imported on first use, so that `import dailypapers` and the command line start fast:

    from dailypapers import build_digest, load_settings   # the library API
    from dailypapers import hookimpl                      # for plug-ins
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from dailypapers.api import build_digest, fetch_day, fetch_documents
    from dailypapers.config import Settings, load_settings
    from dailypapers.events import Events
    from dailypapers.hookspecs import hookimpl
    from dailypapers.models import Digest, Document, Edition, Entry, Paper, RunReport, Section, Summary

_LAZY = {
    "build_digest": "dailypapers.api",
    "fetch_day": "dailypapers.api",
    "fetch_documents": "dailypapers.api",
    "Settings": "dailypapers.config",
    "load_settings": "dailypapers.config",
    "Events": "dailypapers.events",
    "hookimpl": "dailypapers.hookspecs",
    **dict.fromkeys(
        ("Digest", "Document", "Edition", "Entry", "Paper", "RunReport", "Section", "Summary"), "dailypapers.models"
    ),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dailypapers' has no attribute {name!r}")


__all__ = [
    "Digest",
    "Document",
    "Edition",
    "Entry",
    "Events",
    "Paper",
    "RunReport",
    "Section",
    "Settings",
    "Summary",
    "__version__",
    "build_digest",
    "fetch_day",
    "fetch_documents",
    "hookimpl",
    "load_settings",
]
