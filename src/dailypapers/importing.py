"""Importing digests into the archive: what a file says against what is stored, decided paper by paper and
field by field. Pure: `ImportPlan` takes the stored records the store reads and says what to write; the
store (`Store.import_digests`) reads, and writes the plan in one transaction.

The rules, for each paper of each edition in the batch (in order, so a later file meets what an earlier one
added):

- A field is compared as the Markdown shows it (`digestformat.normalize`): title, authors, thumbnail, video of
  the paper; votes and summary of the paper's entry in that edition.
- What the file does not say (no votes, no summary, no authors) changes nothing: older digests say less.
- What the archive lacks and the file says is filled in (`updated`).
- What both say differently is a conflict: the archive keeps its value and the file's is kept beside it in
  `import_revisions` (`kept`); with `replace` the file's value is taken and the archive's is kept there
  (`replaced`). Nothing is overwritten without a row that holds the earlier value.
- Papers new to an edition are `added`, placed after the paper the file lists before them; with `replace` the
  edition's entries become the file's, and an entry the file lacks is `removed` (and kept in a revision).
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from dailypapers.digestformat import normalize
from dailypapers.models import Digest, Edition, Entry, Paper, Summary, first_per_paper

ImportStatus = Literal["added", "updated", "unchanged", "conflicting", "replaced", "removed"]
STATUSES: tuple[ImportStatus, ...] = ("added", "updated", "unchanged", "conflicting", "replaced", "removed")
PAPER_FIELDS = ("title", "authors", "thumbnail", "video")


class Slot(NamedTuple):
    """One entry of an edition as `digest_entries` holds it."""

    paper_id: str
    upvotes: int | None
    summary_key: str | None


@dataclass(frozen=True)
class FieldChange:
    """A field the file says otherwise: both values as JSON-able data."""

    field: str
    stored: Any
    incoming: Any


@dataclass(frozen=True)
class PaperImport:
    """What the import did with one paper of one edition."""

    edition: Edition
    paper_id: str
    status: ImportStatus
    changes: tuple[FieldChange, ...] = ()  # the conflicts (kept, or replaced with `replace`)
    filled: tuple[str, ...] = ()  # fields the archive lacked and the file gave


@dataclass
class ImportReport:
    editions_added: int = 0
    papers: list[PaperImport] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = Counter(p.status for p in self.papers)
        return {s: found[s] for s in STATUSES}

    @property
    def conflicts(self) -> list[PaperImport]:
        return [p for p in self.papers if p.changes]


def shown_paper(paper: Paper) -> dict[str, Any]:
    """The paper's fields as a digest shows them, as JSON-able values (None or empty: not said)."""
    return _paper_fields(_shown(paper))


def _shown(paper: Paper) -> Paper:
    """The paper as a digest shows it (`digestformat.normalize`)."""
    return normalize(Entry(paper=paper)).paper


def shown_summary(summary: Summary | None) -> list[dict[str, str]] | None:
    """A summary's sections as a digest shows them."""
    if summary is None or not summary.sections:
        return None
    return _summary_fields(normalize(Entry(paper=Paper(id=summary.paper_id, title=""), summary=summary)).summary)


def _paper_fields(shown: Paper) -> dict[str, Any]:
    """A normalized paper's fields as JSON-able values."""
    return {"title": shown.title or None, "authors": list(shown.authors) or None, "thumbnail": shown.thumbnail,
            "video": shown.video}


def _summary_fields(shown: Summary | None) -> list[dict[str, str]] | None:
    """A normalized summary's sections as JSON-able values (None: no summary)."""
    return [s.model_dump() for s in shown.sections] if shown is not None and shown.sections else None


class ImportPlan:
    """The writes an import batch needs, planned over the stored records the store hands in."""

    def __init__(self, papers: dict[str, Paper], editions: dict[Edition, list[Slot] | None],
                 summaries: dict[str, Summary], *, replace: bool, key: Callable[[Summary], str], now: str) -> None:
        self.papers = papers  # id -> the stored paper, updated as the batch goes
        self.editions = editions  # the batch's editions as stored; None: not stored yet
        self.summaries = summaries  # key -> stored summary (those the batch's editions point to)
        self.replace = replace
        self.key = key  # a summary's import key (store.import_key)
        self.now = now
        self.new_papers: dict[str, Paper] = {}
        self.changed_papers: dict[str, Paper] = {}
        self.new_summaries: dict[str, Summary] = {}
        self.touched: dict[Edition, list[Slot]] = {}  # editions whose entries are written
        self.revisions: list[dict[str, Any]] = []
        self.report = ImportReport()
        # what the stored side shows, normalized once: by paper id (dropped when the paper changes) and by
        # summary key (a key always names the same summary)
        self._shown_papers: dict[str, dict[str, Any]] = {}
        self._shown_summaries: dict[str, list[dict[str, str]] | None] = {}

    def add(self, digest: Digest, origin: str) -> None:
        edition = digest.edition
        stored = self.touched.get(edition, self.editions.get(edition))  # (a touched edition has its list)
        if stored is None:
            self.report.editions_added += 1
        slots = list(stored or [])
        index = {s.paper_id: i for i, s in enumerate(slots)}
        file_order: list[Slot] = []
        followers: dict[str | None, list[Slot]] = {}  # new papers, by the paper the file lists before them
        previous: str | None = None
        for entry in first_per_paper(digest.entries):
            pid = entry.paper.id
            if pid in index:
                slot = slots[index[pid]] = self._merge_entry(edition, slots[index[pid]], entry, origin)
            else:
                slot = self._new_entry(edition, entry, origin)
                followers.setdefault(previous, []).append(slot)
            file_order.append(slot)
            previous = pid
        if self.replace:  # the file's list is the edition's: what it lacks is removed (kept in a revision)
            listed = {s.paper_id for s in file_order}
            for s in slots:
                if s.paper_id not in listed:
                    self._revision(edition, origin, s.paper_id, "entry", s._asdict(), None)
                    self.report.papers.append(PaperImport(edition, s.paper_id, "removed"))
            slots = file_order
        else:
            slots = _placed(slots, followers)
        if stored is None or slots != stored:
            self.touched[edition] = slots

    def _new_entry(self, edition: Edition, entry: Entry, origin: str) -> Slot:
        changes, filled = self._merge_paper(edition, entry.paper, lambda: _shown(entry.paper), origin,
                                            votes=entry.paper.upvotes)
        key = self._summary_key(entry.summary)
        status: ImportStatus = ("replaced" if self.replace else "conflicting") if changes else "added"
        self.report.papers.append(PaperImport(edition, entry.paper.id, status, tuple(changes), tuple(filled)))
        return Slot(entry.paper.id, entry.paper.upvotes, key)

    def _merge_entry(self, edition: Edition, slot: Slot, entry: Entry, origin: str) -> Slot:
        # the entry as the file shows it: normalized at most once, and only if it says something the archive
        # holds otherwise (an entry imported again says the same, and is not normalized at all)
        shown = functools.cache(lambda: normalize(entry))
        changes, filled = self._merge_paper(edition, entry.paper, lambda: shown().paper, origin)
        votes, key = slot.upvotes, slot.summary_key
        incoming_votes = entry.paper.upvotes
        if incoming_votes is not None and incoming_votes != votes:
            if votes is None:
                filled.append("votes")
                votes = incoming_votes
            else:
                changes.append(self._conflict(edition, origin, slot.paper_id, "votes", votes, incoming_votes))
                votes = incoming_votes if self.replace else votes
        said = entry.summary.sections if entry.summary is not None else ()  # none: the file says nothing
        stored_summary = self.summaries.get(key) if key else None
        if said and (stored_summary is None or said != stored_summary.sections):  # the same sections show alike
            theirs, ours = _summary_fields(shown().summary), self._stored_summary(key)
            if theirs is not None and theirs != ours:
                if ours is None:
                    filled.append("summary")
                    key = self._summary_key(entry.summary)
                else:
                    changes.append(self._conflict(edition, origin, slot.paper_id, "summary", ours, theirs))
                    key = self._summary_key(entry.summary) if self.replace else key
        status: ImportStatus = (
            ("replaced" if self.replace else "conflicting") if changes else "updated" if filled else "unchanged"
        )
        self.report.papers.append(PaperImport(edition, slot.paper_id, status, tuple(changes), tuple(filled)))
        return Slot(slot.paper_id, votes, key)

    def _merge_paper(self, edition: Edition, incoming: Paper, shown: Callable[[], Paper], origin: str,
                     votes: int | None = None) -> tuple[list[FieldChange], list[str]]:
        """Compare the paper's own fields with the stored paper; plan what changes. `shown()` is the incoming
        paper as a digest shows it, asked for only when a field the digest shows differs from the stored one
        (a paper new to the archive is compared with nothing). Returns the conflicts and the fields filled in."""
        pid = incoming.id
        stored = self.papers.get(pid)
        if stored is None:
            self.papers[pid] = self.new_papers[pid] = incoming
            return [], []
        changes: list[FieldChange] = []
        filled: list[str] = []
        update: dict[str, Any] = {}
        # what a digest shows of a paper depends on these fields only: the same values show alike
        if any(getattr(incoming, name) != getattr(stored, name) for name in PAPER_FIELDS):
            ours, theirs = self._stored_paper(pid, stored), _paper_fields(shown())
            for name in PAPER_FIELDS:
                if theirs[name] is None or theirs[name] == ours[name]:
                    continue
                if ours[name] is None:
                    filled.append(name)
                else:
                    changes.append(self._conflict(edition, origin, pid, name, ours[name], theirs[name]))
                    if not self.replace:
                        continue
                update[name] = tuple(theirs[name]) if name == "authors" else theirs[name]
        if votes is not None and votes != stored.upvotes:
            update["upvotes"] = votes  # the paper's latest known count; each edition keeps its own
        if update:  # (a stored thumbnail stays beside a new video: the digest shows the video, nothing is lost)
            paper = stored.model_copy(update=update)
            self.papers[pid] = paper
            self._shown_papers.pop(pid, None)  # normalized again when next asked for (a video hides a thumbnail)
            if pid in self.new_papers:
                self.new_papers[pid] = paper
            else:
                self.changed_papers[pid] = paper
        return changes, filled

    def _stored_paper(self, pid: str, stored: Paper) -> dict[str, Any]:
        """The stored paper as a digest shows it (normalized once per paper, again after it changed)."""
        if pid not in self._shown_papers:
            self._shown_papers[pid] = shown_paper(stored)
        return self._shown_papers[pid]

    def _stored_summary(self, key: str | None) -> list[dict[str, str]] | None:
        """The stored summary under `key` as a digest shows it (None: no summary)."""
        if not key:
            return None
        if key not in self._shown_summaries:
            self._shown_summaries[key] = shown_summary(self.summaries.get(key))
        return self._shown_summaries[key]

    def _summary_key(self, summary: Summary | None) -> str | None:
        if summary is None or not summary.sections:
            return None
        key = self.key(summary)
        if key not in self.summaries:
            self.summaries[key] = self.new_summaries[key] = summary
            self._shown_summaries.pop(key, None)  # (an entry may have pointed at a key with no stored summary)
        return key

    def _conflict(self, edition: Edition, origin: str, paper_id: str, name: str, stored: Any,
                  incoming: Any) -> FieldChange:
        self._revision(edition, origin, paper_id, name, stored, incoming)
        return FieldChange(name, stored, incoming)

    def _revision(self, edition: Edition, origin: str, paper_id: str, name: str, stored: Any,
                  incoming: Any) -> None:
        self.revisions.append({
            "imported_at": self.now, "origin": origin, "day": edition.day.isoformat(), "source": edition.source,
            "lang": edition.lang, "paper_id": paper_id, "field": name,
            "stored": json.dumps(stored, ensure_ascii=False), "incoming": json.dumps(incoming, ensure_ascii=False),
            "action": "replaced" if self.replace else "kept",
        })


def _placed(stored: list[Slot], followers: dict[str | None, list[Slot]]) -> list[Slot]:
    """The stored entries in their order, each new one right after the paper the file lists before it (the
    first of the file's list at the top). Linear, iterative: a file of new papers only is a chain."""
    out: list[Slot] = []

    def emit(after: str | None) -> None:
        stack = list(reversed(followers.pop(after, [])))
        while stack:
            slot = stack.pop()
            out.append(slot)
            stack.extend(reversed(followers.pop(slot.paper_id, [])))

    emit(None)
    for slot in stored:
        out.append(slot)
        emit(slot.paper_id)
    return out
