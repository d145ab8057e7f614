"""dailypapers: daily digests of new AI papers, read in full, summarized, and checked against the paper."""

from dailypapers.models import Digest, Document, Entry, Paper, Section, Summary

__version__ = "0.1.0"

__all__ = ["Digest", "Document", "Entry", "Paper", "Section", "Summary", "__version__"]
