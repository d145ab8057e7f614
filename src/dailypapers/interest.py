"""A day's papers in the order of the reader's interest (`rank = "interest"`): the profile (files, keywords,
votes; `embed.profile`) embedded with the configured embedder, each candidate scored against it, the top N
kept before anything is summarized, so only they are paid for. What each was chosen for is kept in the archive
(`interest_choices`) for the pages and the API.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dailypapers.embed.base import MAX_TEXT_CHARS, Embedder
from dailypapers.embed.profile import Choice, ProfileItem, keep, keyword_items, rank_by_profile, read_profile
from dailypapers.errors import InputError
from dailypapers.models import Paper
from dailypapers.store import Store

if TYPE_CHECKING:  # numpy loads when a day is ranked by interest, not with every run
    import numpy as np

__all__ = ["Choice", "keep", "profile", "rank", "read_profile_files"]

MAX_PROFILE_BYTES = 20_000_000  # a profile file larger than this is refused, not read
MIN_CENTER_PAPERS = 20  # fewer papers have no common direction worth taking away
CENTER_PAPERS = 5_000  # the archive's newest vectors whose mean, with the day's, is taken away before comparing


def read_profile_files(paths: Sequence[Path]) -> list[ProfileItem]:
    items: list[ProfileItem] = []
    for path in paths:
        try:
            if path.stat().st_size > MAX_PROFILE_BYTES:
                raise InputError(f"profile {path} is larger than {MAX_PROFILE_BYTES // 1_000_000} MB")
            text = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError as exc:
            raise InputError(f"cannot read profile {path}: {exc.strerror or exc}") from exc
        items.extend(read_profile(path.name, text))
    return items


def profile(store: Store, paths: Sequence[Path] = (), keywords: Sequence[str] = ()) -> list[ProfileItem]:
    """The reader's profile: the files' items, the keywords, and the votes given in the web app."""
    items = read_profile_files(paths) + keyword_items(keywords)
    for paper_id, vote, day in store.votes():
        row = store.get_paper_row(paper_id)
        if row is not None:
            items.append(ProfileItem(label=row["title"], text=_text(row["title"], row["abstract"]), sign=vote,
                                     added=day, paper_id=paper_id))
    return items


def _text(title: str | None, abstract: str | None) -> str:
    return f"{title or ''}\n{abstract or ''}".strip()[:MAX_TEXT_CHARS]


def _vectors(store: Store, embedder: Embedder, keyed: Sequence[tuple[str | None, str, bool]]) -> np.ndarray:
    """A unit vector per (paper id, text, is a keyword): the archive's for a paper it has embedded, else the text
    embedded (a keyword as a query)."""
    import numpy as np

    rows: list[np.ndarray | None] = [store.paper_vector(embedder.model, pid) if pid else None
                                     for pid, _, _ in keyed]
    for as_query in (False, True):
        missing = [i for i, row in enumerate(rows) if row is None and keyed[i][2] == as_query]
        if missing:
            made = embedder.embed([keyed[i][1] for i in missing], query=as_query)
            for i, row in zip(missing, made, strict=True):
                rows[i] = row
    return np.vstack([np.asarray(r, dtype=np.float32) for r in rows])


def rank(store: Store, embedder: Embedder | None, papers: Sequence[Paper], items: Sequence[ProfileItem],
         top: int) -> tuple[list[Paper], list[Choice]]:
    """The `top` papers by profile score, best first, and what each was chosen for."""
    if embedder is None:
        raise InputError('rank = "interest" needs an embedder: set `embedder` (not off)')
    usable = []
    for item in items:  # an arXiv id the archive does not hold has no text to compare: it is left out
        if not item.text and item.paper_id:
            row = store.get_paper_row(item.paper_id)
            item = dataclasses.replace(item, text=_text(row["title"], row["abstract"]), label=row["title"]) \
                if row is not None else item
        if item.text:
            usable.append(item)
    if not any(i.sign > 0 for i in usable):
        raise InputError('rank = "interest" needs a profile: `profile` files (arXiv ids, BibTeX, RIS, Zotero CSV), '
                         "`profile_keywords`, or 👍 votes in the web app")
    if not papers:
        return [], []
    item_vectors = _vectors(store, embedder, [(i.paper_id, i.text, i.keyword) for i in usable])
    vectors = _vectors(store, embedder, [(p.id, _text(p.title, p.abstract), False) for p in papers])
    stored = store.recent_vectors(embedder.model, CENTER_PAPERS)
    import numpy as np

    pool = np.vstack([stored, vectors]) if stored.shape[:1] != (0,) and stored.shape[1] == vectors.shape[1] \
        else vectors
    center = pool.mean(axis=0) if len(pool) >= MIN_CENTER_PAPERS else None
    choices = rank_by_profile([p.id for p in papers], vectors, usable, item_vectors, center)[:top]
    by_id = {p.id: p for p in papers}
    return [by_id[c.paper_id] for c in choices], choices
