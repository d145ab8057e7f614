"""Meaning next to words: embedding the archive's papers (incrementally), search by words, by meaning or both
fused by reciprocal rank (`hybrid`, the default), and a paper's related papers. The CLI, the API and the web app
call these; the embedder is the one the `embedder` setting chose (`plugins.Registry.embedder`).

Hybrid search asks each side for its best CANDIDATES papers and fuses the two rankings: a paper found by both
comes first, a paper found by one side only still shows, so a Korean query finds English papers (meaning) and an
exact name still counts (words).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from dailypapers.embed.base import Embedder
from dailypapers.embed.fusion import reciprocal_rank_fusion
from dailypapers.errors import DailyPapersError, InputError, NotFoundError
from dailypapers.models import Edition
from dailypapers.search import MAX_QUERY_CHARS, SearchDoc, SearchHit, Snippet, Sort, hit, parse_query, split_compounds
from dailypapers.store import Store
from dailypapers.text import one_line

if TYPE_CHECKING:  # numpy loads when something is embedded
    import numpy as np

    from dailypapers.store.vectors import Pending

Mode = Literal["words", "meaning", "hybrid"]
MODES: tuple[Mode, ...] = ("words", "meaning", "hybrid")
CANDIDATES = 50  # each side's ranking depth before fusion
EMBED_BATCH = 32  # papers embedded and stored together: an interrupted run keeps what it finished
ALONG_BATCH = 2  # papers a run embeds together as it goes (`EmbedAlong`), of those whose summaries came meanwhile
ALONG_NICE = 5  # how much the thread that embeds them gives way to the run (`_yield_cpu`)
RELATED = 5
SNIPPET_CHARS = 160

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmbedReport:
    embedded: int
    total: int  # papers with a vector of this model now


def embed_archive(store: Store, embedder: Embedder, *, limit: int | None = None,
                  progress: Callable[[int, int], None] | None = None) -> EmbedReport:
    """Embed the papers in editions whose vector is missing or stale (a new paper, a new summary), in batches:
    a new day embeds only its new papers."""
    pending = store.pending_embeddings(embedder.model, limit)
    done = 0
    for start in range(0, len(pending), EMBED_BATCH):
        batch = pending[start:start + EMBED_BATCH]
        vectors = embedder.embed([p.text for p in batch])
        done += store.save_embeddings(embedder.model, zip(batch, vectors, strict=True))
        if progress is not None:
            progress(done, len(pending))
    return EmbedReport(done, store.embedded_count(embedder.model))


class EmbedAlong:
    """A run's papers embedded while it waits on the summarizer, each as its summary comes (`add`), instead of
    all of them after the last one (issue 24: 0.4 s of CPU a paper, 9 s at the end of a 23-paper day).

    A paper's text is the one `embed_archive` will find once the run has merged its day (`Store.embedding_due`).
    It is embedded in a worker thread, with the papers whose summaries came meanwhile (ALONG_BATCH at most): the
    bundled engine releases the GIL, and the thread gives way to the run's own work (`_yield_cpu`), so no
    summarizer request waits for it. The vectors are stored back on the event loop's thread, the archive's one
    writer, between the run's own steps; the thread never touches the archive. Papers wait as (id, summary key)
    only: their texts are read as the thread takes them. When the run publishes, `finish` waits for the papers
    under way and stops: what is left, or failed, is `embed_archive`'s (the run's catch-up, on every core). A
    failure here is a notice and stops the embedding along; it never fails the run."""

    def __init__(self, store: Store, embedder: Embedder, edition: Edition, notice: Callable[[str], None]) -> None:
        self._store, self._embedder, self._edition, self._notice = store, embedder, edition, notice
        self._waiting: deque[tuple[str, str]] = deque()
        self._running: tuple[list[Pending], Future[np.ndarray]] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scheduled = False
        self._stopped = False
        self.embedded = 0  # papers embedded and stored along the run

    def add(self, paper_id: str, summary_key: str) -> None:
        """The paper's entry will show the summary `summary_key` (it is stored): embed it when the thread is
        free. Called on the run's event loop; it only takes note (the work is scheduled after the caller's
        step, so no summarizer request waits for it)."""
        if self._stopped:
            return
        self._waiting.append((paper_id, summary_key))
        self._schedule()

    def _schedule(self) -> None:
        if self._scheduled or self._running is not None or not self._waiting or self._stopped:
            return
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        self._scheduled = True
        self._loop.call_soon(self._next)

    def _next(self) -> None:
        """On the loop: the waiting papers whose vector is missing or stale (ALONG_BATCH at most) go to the
        thread. A paper already embedded costs a query; a step reads at most ALONG_BATCH + 1 of them."""
        self._scheduled = False
        if self._stopped or self._running is not None:
            return
        batch: list[Pending] = []
        for _ in range(ALONG_BATCH + 1):
            if not self._waiting or len(batch) == ALONG_BATCH:
                break
            paper_id, key = self._waiting.popleft()
            try:
                due = self._store.embedding_due(self._embedder.model, paper_id, self._edition, key)
            except DailyPapersError as exc:
                self._fail(exc)
                return
            if due is not None:
                batch.append(due)
        if not batch:
            self._schedule()
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="dailypapers-embed", initializer=_yield_cpu)
        future = self._pool.submit(self._embedder.embed, [p.text for p in batch])
        self._running = (batch, future)
        future.add_done_callback(self._from_thread)

    def _from_thread(self, future: Future[np.ndarray]) -> None:
        """In the worker thread: hand the result to the loop (a closed loop: the run is over, it is dropped)."""
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._done, future)

    def _done(self, future: Future[np.ndarray]) -> None:
        if self._running is None or self._running[1] is not future:
            return  # `finish` took it, or the run stopped
        batch, _ = self._running
        self._running = None
        self._save(batch, future)
        self._schedule()

    def _save(self, batch: list[Pending], future: Future[np.ndarray]) -> None:
        try:
            rows = future.result()
            self.embedded += self._store.save_embeddings(self._embedder.model, zip(batch, rows, strict=True))
        except Exception as exc:  # whatever a plug-in's model raises here is only a notice
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        self.close()
        self._notice(f"papers not embedded during the run ({exc}): the rest are embedded as it publishes")

    def finish(self) -> None:
        """At publish time, on the loop: the papers under way are waited for and stored, and nothing more is
        started (the catch-up, `embed_archive`, embeds what is left)."""
        running, self._running = self._running, None
        self._stopped = True
        self._waiting.clear()
        if running is not None:
            wait([running[1]])
            self._save(*running)
        self.close()

    def close(self) -> None:
        """Stop: nothing more is started or stored (papers under way finish in the thread, unused)."""
        self._stopped = True
        self._waiting.clear()
        self._running = None
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None


def _yield_cpu() -> None:
    """The embedding thread gives way to the run: on Linux its nice value (a thread's own, inherited by the
    threads it starts, such as the bundled engine's workers) is raised by ALONG_NICE, so a core the run's event
    loop or its PDF readers want goes to them first; an idle core is still used at full speed. Elsewhere the
    call would lower the whole process: the thread keeps its priority."""
    if sys.platform != "linux":
        return
    with contextlib.suppress(OSError):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + ALONG_NICE)


def search(store: Store, embedder: Embedder | None, query: str, *, mode: Mode = "hybrid", limit: int = 20,
           lang: str | None = None, sort: Sort = "rank") -> list[SearchHit]:
    """Papers for `query`. `words`: every word must occur, in `sort` order; `meaning`: nearest by embedding;
    `hybrid`: the best of both fused. Without an embedder or vectors, hybrid is words alone; meaning is an error
    that says how to make the vectors."""
    if mode not in MODES:
        raise InputError(f"unknown search mode {mode!r}: use {', '.join(MODES)}")
    query = split_compounds(query[:MAX_QUERY_CHARS])  # one reading whatever the Korean spacing, on both sides
    if not query.strip() or limit < 1:
        return []
    meaningless = embedder is None or not store.has_embeddings(embedder.model)
    if mode == "meaning" and meaningless:
        raise InputError("meaning search needs the papers' embeddings: set `embedder` (not off) and run "
                         "`dailypapers embed`")
    if mode == "words" or meaningless:
        return store.search(query, limit=limit, sort=sort, lang=lang)
    assert embedder is not None
    depth = max(limit, CANDIDATES)

    def by_meaning() -> list[tuple[str, float]]:
        return store.nearest(embedder.model, embedder.embed([query], query=True)[0], limit=depth)

    if mode == "hybrid":
        # the meaning side (the query embedded, the vectors scanned) runs in another thread while the words are
        # searched here (the bundled engine, numpy's product and SQLite release the GIL; the connection is
        # serialized by SQLite): a hybrid query waits for the longer side, not for both. The thread is kept.
        meaning_side = _pool().submit(by_meaning)
        try:
            words = store.search_ranking(query, limit=depth, sort="rank")
        finally:
            wait([meaning_side])  # never leave the other thread reading a store the caller may close
        near = meaning_side.result()
    else:
        words, near = [], by_meaning()
    if mode == "meaning":
        return _hits(store, query, near[:limit], lang)
    # a hybrid hit's score is its fused one, whichever side found it; only the fused best are read and marked
    fused = reciprocal_rank_fusion([[pid for pid, _ in words], [pid for pid, _ in near]])[:limit]
    return _hits(store, query, fused, lang, by_words={pid for pid, _ in words})


@functools.cache
def _pool() -> ThreadPoolExecutor:
    """The threads hybrid searches run their meaning side in, started once a process (starting a thread a
    query cost milliseconds on a busy machine)."""
    return ThreadPoolExecutor(4, thread_name_prefix="dailypapers-meaning")


def related(store: Store, embedder: Embedder | None, paper_id: str, *, limit: int = RELATED,
            lang: str | None = None) -> list[SearchHit]:
    """The papers in editions nearest in meaning to `paper_id` (itself excluded), best first."""
    if embedder is None:
        raise InputError("related papers need embeddings: set `embedder` (not off) and run `dailypapers embed`")
    if store.get_paper_row(paper_id) is None:
        raise NotFoundError(f"no paper {paper_id!r} in the archive")
    if store.paper_vector(embedder.model, paper_id) is None:
        raise NotFoundError(f"paper {paper_id} has no embedding yet: run `dailypapers embed`")
    # the same list the site's paper page shows (one row of the site's batch: `Store.nearest_each`)
    found = store.nearest_each(embedder.model, limit=limit, papers=[paper_id]).near.get(paper_id, [])
    return _hits(store, "", found, lang)


def _hits(store: Store, query: str, found: list[tuple[str, float]], lang: str | None,
          by_words: Collection[str] = ()) -> list[SearchHit]:
    """Found papers as hits: the query's words marked where they occur; where none does, the summary in `lang`
    (else the abstract) opens the snippet, except for papers found `by_words`, which show what word search
    shows."""
    terms = parse_query(query)
    docs = store.search_docs([pid for pid, _ in found])
    out: list[SearchHit] = []
    for pid, score in found:
        doc = docs.get(pid)
        if doc is None:
            continue
        h = hit(doc, terms, score, lang=lang)
        if h.snippet is None and pid not in by_words:
            text, snip_lang = _lead(doc, lang)
            if text:
                h = SearchHit(h.paper_id, h.day, h.title, h.authors, score, _opening(text), snip_lang)
        out.append(h)
    return out


def _lead(doc: SearchDoc, lang: str | None) -> tuple[str, str | None]:
    for s_lang, text in sorted(doc.summaries, key=lambda s: s[0] != lang):
        if text.strip():
            return text, s_lang
    return doc.abstract, None


def _opening(text: str) -> Snippet:
    body = one_line(text)
    return Snippet(body[:SNIPPET_CHARS] + ("…" if len(body) > SNIPPET_CHARS else ""))
