"""Verification: a summary's claims checked against its paper, and a whole digest audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from dailypapers.models import Claim, Digest, Document, Summary
from dailypapers.verify.index import SourceIndex, build_index
from dailypapers.verify.support import check_text

# ----------------------------------------------------------------------------------------------------
# Verification


def verify_text(text: str, source: Document | str | SourceIndex, *, section_label: str = "") -> list[Claim]:
    """Check one text's claims against the source; one Claim per distinct claim, in text order."""
    index = source if isinstance(source, SourceIndex) else build_index(source)
    return check_text(text, index, section_label=section_label)


def verify(summary: Summary, source: Document | str | SourceIndex) -> list[Claim]:
    """Every number and name in every section of `summary`, checked against `source` (indexed once)."""
    index = source if isinstance(source, SourceIndex) else build_index(source)
    claims: list[Claim] = []
    for section in summary.sections:
        claims.extend(verify_text(section.text, index, section_label=section.label))
    return claims


AuditStatus = Literal["ok", "unsupported", "no text", "no summary"]


@dataclass(frozen=True)
class PaperAudit:
    """One digest entry checked against its paper: `claims` is empty unless there was a summary and a text."""

    paper_id: str
    title: str
    status: AuditStatus
    claims: tuple[Claim, ...] = ()
    reason: str = ""  # why there is no text

    @property
    def unsupported(self) -> tuple[Claim, ...]:
        """Flagged: contradicted or not found (an undecided claim is not flagged)."""
        return tuple(c for c in self.claims if c.status == "unsupported" and not c.undecided)

    @property
    def undecided(self) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if c.status == "unsupported" and c.undecided)


def audit_digest(
    digest: Digest, texts: Mapping[str, Document | str | None], reasons: Mapping[str, str] | None = None
) -> list[PaperAudit]:
    """Verify each entry's summary against `texts[paper.id]` (None or absent: no text, `reasons` says why)."""
    reasons = reasons or {}
    out: list[PaperAudit] = []
    for entry in digest.entries:
        paper, summary = entry.paper, entry.summary
        if summary is None:
            out.append(PaperAudit(paper.id, paper.title, "no summary"))
            continue
        source = texts.get(paper.id)
        if source is None:
            out.append(PaperAudit(paper.id, paper.title, "no text", reason=reasons.get(paper.id, "")))
            continue
        claims = tuple(verify(summary, source))
        bad = any(c.status == "unsupported" and not c.undecided for c in claims)
        out.append(PaperAudit(paper.id, paper.title, "unsupported" if bad else "ok", claims))
    return out
