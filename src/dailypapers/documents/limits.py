"""How much reading one paper may cost: characters kept, and for PDFs the memory and CPU time of the worker
process that reads it. The defaults are the settings' defaults (`config.Settings`); `from_settings` takes a
run's values."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


def default_pdf_workers() -> int:
    """One PDF worker per CPU, at most 4 (reading is CPU-bound; each worker may use max_pdf_memory)."""
    return min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class ReadLimits:
    max_page_chars: int = 100_000  # a dense two-column page holds ~7,000; more is a text bomb
    max_document_chars: int = 3_000_000  # ~300 dense pages (max_pages)
    max_pdf_memory: int = 1024 * 1024 * 1024  # bytes of address space of a PDF worker process
    max_pdf_cpu_seconds: int = 20  # CPU seconds to read one PDF
    pdf_workers: int = field(default_factory=lambda: default_pdf_workers())  # PDFs read at once, in processes

    @classmethod
    def from_settings(cls, settings: Any) -> ReadLimits:
        """The limits a run's settings (`config.Settings`) ask for."""
        return cls(**{name: getattr(settings, name) for name in cls.__dataclass_fields__})


DEFAULT_LIMITS = ReadLimits()
