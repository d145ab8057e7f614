"""What the checker publishes for a text: its flags (contradicted or not found) and what it leaves undecided."""

from __future__ import annotations

from dailypapers.models import Document
from dailypapers.verify import verify_text


def flagged(summary: str, source: str | Document) -> list[str]:
    return sorted(c.text for c in verify_text(summary, source) if c.status == "unsupported" and not c.undecided)


def undecided(summary: str, source: str | Document) -> list[str]:
    return sorted(c.text for c in verify_text(summary, source) if c.status == "unsupported" and c.undecided)
