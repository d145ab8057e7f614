"""Archive commands: import existing digests, render a stored edition, list the stored editions, migrate."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dailypapers.cli import app
from dailypapers.cli._common import (
    archive_options,
    console,
    errors,
    parse_day,
    safe,
    state,
    warn,
    write_stdout,
)
from dailypapers.errors import ArchiveMissingError, InputError, NotFoundError
from dailypapers.models import DEFAULT_SOURCE, PeriodDigest
from dailypapers.text import clip

if TYPE_CHECKING:  # the digest format, settings and the store load when a command runs
    from dailypapers.config import Settings
    from dailypapers.models import Digest, Edition
    from dailypapers.store import Store

SourceOption = Annotated[
    str | None, typer.Option("--source", help="The edition's source (hf, arxiv:cs.CL, local:NAME).")
]
LangOption = Annotated[str | None, typer.Option("--lang", help="The edition's language (ko, en, ...).")]


@app.command("import")
@errors
@archive_options
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILES", help="Digest Markdown files (the sample's format or older).",
                       show_default=False),
    ],
    source: Annotated[str, typer.Option("--source", help="The edition's source.")] = DEFAULT_SOURCE,
    lang: Annotated[
        str | None, typer.Option("--lang", help="The edition's language (default: its summaries' language).")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Take the files' values where they differ from the archive (the archive's "
                     "are kept as revisions), and the files' entry lists for their days."),
    ] = False,
) -> None:
    """Load digests into the archive as editions, all files in one transaction (all or nothing).

    Odd lines are reported with their file and line and never stop the import. A paper the archive already
    holds is compared field by field: what differs is reported and the archive's value is kept (the file's
    is recorded as a revision) unless --replace. Importing the same files again changes nothing."""
    from dailypapers import digestformat

    # Parse everything first: a file that is not a digest at all must not leave a half-imported batch.
    settings = state(ctx).settings()
    digests: list[Digest] = []
    origins: list[str] = []
    periods: list[PeriodDigest] = []
    for f in files:
        parsed = digestformat.read_any(f)
        if isinstance(parsed, PeriodDigest):  # a weekly or monthly digest: its own edition
            as_day = _as_edition(parsed.as_digest, source, lang, settings)
            periods.append(parsed.model_copy(update={"source": as_day.source, "lang": as_day.lang}))
            continue
        for oddity in parsed.oddities:
            warn(str(oddity))
        digests.extend(_as_edition(d, source, lang, settings) for d in parsed.days)
        origins.extend(str(f) for _ in parsed.days)
    with state(ctx).store(settings) as store, store.transaction():  # the days and the periods: all or nothing
        report = store.import_digests(digests, replace=replace, origins=origins)
        new_papers = sum(store.import_period(p) for p in periods)
    for p in periods:
        console.print(safe(f"imported the {p.span.period}ly edition {p.key}: {len(p.entries)} papers"),
                      highlight=False, soft_wrap=True)
    if periods and not digests:
        console.print(f"{new_papers} papers new to the archive", highlight=False)
        return
    for done in report.conflicts:
        for change in done.changes:
            taken = "took the file's" if replace else "kept the archive's (--replace takes the file's)"
            console.print(safe(f"{done.edition} {done.paper_id} {change.field}: archive {_shown(change.stored)}, "
                               f"file {_shown(change.incoming)}; {taken}"), highlight=False, soft_wrap=True)
    counts = report.counts()
    shown = [f"{counts[s]} {s}" for s in ("added", "unchanged", "conflicting")]
    shown += [f"{counts[s]} {s}" for s in ("updated", "replaced", "removed") if counts[s]]
    console.print(
        f"imported {len(files)} file(s), {len(digests)} day(s) ({report.editions_added} new): "
        f"papers {', '.join(shown)}",
        highlight=False,
        soft_wrap=True,
    )


def _shown(value: object) -> str:
    """A stored or incoming value for one line of the report."""
    if isinstance(value, list) and value and isinstance(value[0], dict):  # a summary's sections
        value = " / ".join(str(s.get("text", "")) for s in value)
    elif isinstance(value, list):
        value = ", ".join(map(str, value))
    return repr(clip(str(value), 60))


def _as_edition(digest: Digest, source: str, lang: str | None, settings: Settings) -> Digest:
    """A parsed file as an edition: the language given, else the one most of its summaries are in."""
    if lang is None:
        langs = Counter(e.summary.lang for e in digest.entries if e.summary is not None)
        lang = langs.most_common(1)[0][0] if langs else settings.lang
    return digest.model_copy(update={"source": source, "lang": lang})


def find_edition(store: Store, day: dt.date, source: str | None, lang: str | None, settings: Settings) -> Edition:
    """The stored edition of `day` that the options name; with several, the configured source and language."""
    found = [e for e, _ in store.editions(day)
             if (source is None or e.source == source) and (lang is None or e.lang == lang)]
    if len(found) > 1:
        preferred = [e for e in found if e.source == settings.source and e.lang == settings.lang]
        if len(preferred) == 1:
            return preferred[0]
        shown = "; ".join(f"--source {e.source} --lang {e.lang}" for e in found)
        raise InputError(f"{day} has {len(found)} editions: choose one with {shown}")
    if not found:
        which = " ".join(x for x in (source, lang) if x)
        raise NotFoundError(f"no digest stored for {day}{' ' + which if which else ''}; "
                            "see `dailypapers days` for the stored editions")
    return found[0]


@app.command()
@errors
@archive_options
def render(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(metavar="DAY", help="The day, YYYY-MM-DD.")],
    source: SourceOption = None,
    lang: LangOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="md or json.")] = "md",
) -> None:
    """Print a stored edition as Markdown (the digest format) or JSON."""
    from dailypapers import digestformat

    when = parse_day(day)
    assert when is not None
    if format not in ("md", "json"):
        raise InputError(f"unknown format {format!r}: use md or json")
    s = state(ctx).settings()
    with state(ctx).store(s, readonly=True) as store:
        digest = store.get_digest(find_edition(store, when, source, lang, s))
    assert digest is not None
    if format == "json":
        write_stdout(json.dumps(digest.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    else:
        write_stdout(digestformat.render(digest, show_flags=s.show_flags))


@app.command()
@errors
@archive_options
def days(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, not a table.")] = False,
) -> None:
    """List the stored editions (day, source, language) with their paper counts."""
    from rich.table import Table
    try:
        with state(ctx).store(readonly=True) as store:
            rows = store.editions()
    except ArchiveMissingError:
        rows = []
    if as_json:
        listed = [{**e.model_dump(mode="json"), "papers": n} for e, n in rows]
        write_stdout(json.dumps(listed, ensure_ascii=False, indent=2) + "\n")
        return
    if not rows:
        console.print("no days stored yet: `dailypapers import FILE` or `dailypapers digest DAY`")
        return
    table = Table("day", "source", "lang", "papers")
    for edition, n in rows:
        table.add_row(edition.day.isoformat(), safe(edition.source), safe(edition.lang), str(n))
    console.print(table)


@app.command()
@errors
@archive_options
def revisions(
    ctx: typer.Context,
    paper_id: Annotated[str | None, typer.Argument(metavar="PAPER_ID", help="Only this paper.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, not a table.")] = False,
) -> None:
    """List what imports found different from the archive: each field with the archive's and the file's value,
    and which was kept."""
    from rich.table import Table
    try:
        with state(ctx).store(readonly=True) as store:
            rows = store.revisions(paper_id)
    except ArchiveMissingError:
        rows = []
    if as_json:
        write_stdout(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if not rows:
        console.print("no revisions: no import found anything different from the archive")
        return
    table = Table("imported", "edition", "paper", "field", "archive", "file", "kept")
    for r in rows:
        kept = "archive" if r["action"] == "kept" else "file (archive's here)"
        table.add_row(r["imported_at"], safe(f"{r['day']} {r['source']} {r['lang']}"), safe(r["paper_id"]),
                      r["field"], safe(_shown(r["stored"])), safe(_shown(r["incoming"])), kept)
    console.print(table)


@app.command()
@errors
@archive_options
def migrate(ctx: typer.Context) -> None:
    """Upgrade the archive to this version's layout (commands that only read never change it)."""
    from rich.text import Text
    settings = state(ctx).settings()
    with state(ctx).store(settings) as store:
        store.check_sound()
    console.print(Text(f"the archive at {settings.db} is up to date"), highlight=False, soft_wrap=True)
