"""`dailypapers search`, `related` and `embed`: find papers in the archive by the words of their titles, authors,
summaries and abstracts, by their meaning (embeddings), or both; a paper's nearest papers; and the embeddings
they need, made incrementally."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from dailypapers.cli import app
from dailypapers.cli._common import archive_options, console, errors, safe, state, write_stdout
from dailypapers.errors import ArchiveMissingError, InputError

if TYPE_CHECKING:  # settings, the store, search and the embedders (numpy) load when a command runs
    from rich.text import Text

    from dailypapers.config import Settings
    from dailypapers.embed.base import Embedder
    from dailypapers.search import SearchHit, Snippet


def _embedder(settings: Settings) -> Embedder | None:
    from dailypapers.plugins import Registry  # the plug-ins load only for the commands that need them

    return Registry.load().embedder(settings)


@app.command()
@errors
@archive_options
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words to find (Korean, Chinese, Japanese words of any length).")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many papers.")] = 20,
    mode: Annotated[str, typer.Option("--mode", help="words (every word must occur), meaning (nearest by "
                                                    "embedding, any language) or hybrid (both, fused).")] = "hybrid",
    sort: Annotated[str, typer.Option("--sort", help="With --mode words: newest (first) or rank (best first).")
                    ] = "newest",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, with highlight offsets.")] = False,
) -> None:
    """Search the archive by words and meaning: by default papers that hold QUERY's words and papers nearest to
    it in meaning (a Korean query finds English papers), fused by reciprocal rank, best first."""
    from dailypapers.meaning import MODES
    from dailypapers.meaning import search as find
    from dailypapers.search import SORTS

    if sort not in SORTS:
        raise InputError(f"unknown sort {sort!r}: use {' or '.join(SORTS)}")
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}: use {', '.join(MODES)}")
    if limit < 1:
        raise InputError("--limit must be at least 1")
    settings = state(ctx).settings()
    try:
        with state(ctx).store(settings, readonly=True) as store:
            # no vectors at all: words alone, without loading the plug-ins and an embedder to find that out
            embedder = _embedder(settings) if mode != "words" and store.has_embeddings() else None
            hits = find(store, embedder, query, mode=mode, limit=limit, lang=settings.lang,  # type: ignore[arg-type]
                        sort=sort)  # type: ignore[arg-type]
    except ArchiveMissingError:
        hits = []
    if as_json:
        write_stdout(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=2) + "\n")
        return
    if not hits:
        console.print(safe(f"no paper matches {query!r}"), soft_wrap=True)
        return
    for h in hits:
        console.print(_hit_text(h), soft_wrap=True)


def _styled(snip: Snippet, style: str = "") -> Text:
    # Text pieces, never markup, and no control characters: titles and summaries are untrusted
    from rich.text import Text
    text = Text(style=style)
    for piece, is_match in snip.segments():
        text.append_text(safe(piece, "bold yellow" if is_match else ""))
    return text


def _hit_text(h: SearchHit) -> Text:
    from rich.text import Text
    out = Text()
    out.append_text(safe(f"{h.day.isoformat() if h.day else '----------'}  {h.paper_id}  ", "dim"))
    out.append_text(_styled(h.title, "bold"))
    if h.snippet is not None:
        out.append("\n    ")
        out.append_text(_styled(h.snippet))
    out.append("\n")
    return out


@app.command()
@errors
@archive_options
def related(
    ctx: typer.Context,
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="A paper in the archive (arXiv id or local:<hex>).")],
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many papers (default 5).")
                     ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The papers in the archive nearest in meaning to paper ID (by their embeddings), best first."""
    from dailypapers.meaning import RELATED
    from dailypapers.meaning import related as related_papers

    limit = RELATED if limit is None else limit
    if limit < 1:
        raise InputError("--limit must be at least 1")
    settings = state(ctx).settings()
    with state(ctx).store(settings, readonly=True) as store:
        hits = related_papers(store, _embedder(settings), paper_id, limit=limit, lang=settings.lang)
    if as_json:
        write_stdout(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=2) + "\n")
        return
    if not hits:
        console.print(safe(f"no paper near {paper_id}"), soft_wrap=True)
    for h in hits:
        console.print(_hit_text(h), soft_wrap=True)


@app.command()
@errors
@archive_options
def embed(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="Embed at most this many papers now.")] = None,
) -> None:
    """Embed the papers in editions that have no embedding yet (or whose summaries changed), with the `embedder`
    setting's model: what meaning search and related papers read. Runs after each digest too."""
    from dailypapers.meaning import embed_archive

    settings = state(ctx).settings()
    embedder = _embedder(settings)
    if embedder is None:
        raise InputError("the embedder setting is off: set it to bundled (offline) or openai")
    with state(ctx).store(settings) as store:
        report = embed_archive(store, embedder, limit=limit)
    console.print(safe(f"embedded {report.embedded} papers with {embedder.model}; {report.total} have embeddings"),
                  soft_wrap=True)
