"""`dailypapers verify`: audit an existing digest — is every number and name in its summaries in the paper?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dailypapers.cli import app
from dailypapers.cli._common import archive_options, console, errors, parse_day, safe, state, warn, write_stdout
from dailypapers.cli._tables import report_table
from dailypapers.cli.archive import LangOption, SourceOption, find_edition
from dailypapers.errors import DailyPapersError, InputError
from dailypapers.text import one_line

if TYPE_CHECKING:  # the checker, the digest format, settings and the store load when the command runs
    from dailypapers.config import Settings
    from dailypapers.models import Digest, Document, Paper
    from dailypapers.verify import PaperAudit

DOCUMENT_SUFFIXES = (".txt", ".md", ".pdf")
EXIT_OK, EXIT_UNSUPPORTED, EXIT_NO_DOCUMENT = 0, 1, 2


@app.command("verify")
@errors
@archive_options
def verify_cmd(
    ctx: typer.Context,
    target: Annotated[
        str, typer.Argument(metavar="DIGEST.md|DAY", help="A digest file, or a stored edition's day.")
    ],
    documents: Annotated[
        Path | None,
        typer.Option(
            "--documents",
            help="Folder of the papers' documents named by arXiv id: <id>.txt, <id>.md or <id>.pdf "
            "(an old-style id's `/` written as `_`, e.g. hep-th_9901001.txt).",
        ),
    ] = None,
    texts: Annotated[
        Path | None, typer.Option("--texts", hidden=True, help="The old name of --documents.")
    ] = None,
    fetch: Annotated[bool, typer.Option("--fetch", help="Fetch each paper's document from arXiv.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report, not the table.")] = False,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="A paper with no document does not change the exit code.")
    ] = False,
    source: SourceOption = None,
    lang: LangOption = None,
) -> None:
    """Check every number and name in a digest's summaries against the papers' documents.

    A digest file needs --documents DIR or --fetch; a DAY audits the stored edition (--source/--lang choose one)
    against the documents the archive holds, and --fetch gets the missing ones.

    Exit code: 0 when every claim is supported; 1 when some claim is unsupported (this wins); 2 when no claim
    is unsupported but some paper had no document to check against (use --allow-missing to report those papers
    without failing), or on bad input. Entries without a summary are listed and never fail the run.
    """
    from dailypapers.verify import audit_digest

    if documents is not None and texts is not None:
        raise InputError("--texts is the old name of --documents: give one of them")
    folder = documents if documents is not None else texts
    if folder is not None and fetch:
        raise InputError("give one of --documents DIR or --fetch, not both")
    if folder is not None and not folder.is_dir():
        raise InputError(f"--documents {folder}: not a folder")
    settings = state(ctx).settings()
    digest, stored = _digest_of(target, source, lang, settings)
    if not stored and folder is None and not fetch:
        raise InputError("give --documents DIR or --fetch to audit a digest file (a DAY uses the stored documents)")
    papers = [e.paper for e in digest.entries if e.summary is not None]
    if folder is not None:
        loaded = {p.id: load_document(folder, p.id, settings) for p in papers}
    elif fetch:
        loaded = _fetch_all(papers, settings, quiet=as_json)
    else:
        loaded = _stored(papers, settings)
    audits = audit_digest(
        digest, {k: v[0] for k, v in loaded.items()}, {k: v[1] for k, v in loaded.items()}
    )
    code = exit_code(audits, allow_missing=allow_missing)
    if as_json:
        write_stdout(json.dumps(report(target, digest, audits, code), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_table(audits)
    raise typer.Exit(code)


def _digest_of(target: str, source: str | None, lang: str | None, settings: Settings) -> tuple[Digest, bool]:
    """The digest to audit: a file, or (when `target` is no file but a day) a stored edition."""
    from dailypapers.digestformat import read_digest
    from dailypapers.store import Store

    path = Path(target)
    if path.exists() or target.lower().endswith(".md"):
        return read_digest(path), False
    day = parse_day(target)
    assert day is not None
    with Store.of(settings, readonly=True) as store:
        digest = store.get_digest(find_edition(store, day, source, lang, settings))
    assert digest is not None
    return digest, True


def _stored(papers: list[Paper], settings: Settings) -> dict[str, tuple[Document | None, str]]:
    from dailypapers.store import Store

    with Store.of(settings, readonly=True) as store:
        found = {p.id: store.get_document(p.id) for p in papers}
    why = "not in the archive: `dailypapers fetch DAY` (or verify --fetch) gets it"
    return {pid: (doc, "" if doc is not None else why) for pid, doc in found.items()}


def document_path(folder: Path, paper_id: str) -> Path | None:
    """The paper's document file in `folder`, trying .txt, .md, .pdf; None when there is none."""
    stem = paper_id.replace("/", "_").replace("\\", "_")
    for suffix in DOCUMENT_SUFFIXES:
        path = folder / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


def load_document(folder: Path, paper_id: str, settings: Settings) -> tuple[Document | None, str]:
    """(document, "") or (None, why not). Reading one paper never fails the whole audit."""
    path = document_path(folder, paper_id)
    if path is None:
        return None, f"no {paper_id.replace('/', '_')}.txt/.md/.pdf in {folder}"
    from dailypapers.documents import ReadLimits, read_file

    try:
        return read_file(path, paper_id, max_bytes=settings.max_pdf_bytes, max_pages=settings.max_pages,
                         limits=ReadLimits.from_settings(settings)), ""
    except DailyPapersError as exc:
        return None, f"{path.name}: {exc}"
    except Exception as exc:  # a PDF library bug on one hostile file must not end the whole audit
        return None, f"{path.name}: unexpected error: {type(exc).__name__}: {exc}"


def _fetch_all(papers: list[Paper], settings: Settings, *, quiet: bool) -> dict[str, tuple[Document | None, str]]:
    """The papers' documents from the archive, or fetched (and stored) through the one fetch stage, with the
    fetch stage's progress on a terminal."""

    from dailypapers.api import fetch_documents
    from dailypapers.cli._progress import StageProgress  # rich.progress: only commands that run
    from dailypapers.events import Events, Notice, PaperDone
    from dailypapers.models import Document
    from dailypapers.pipeline import run_to_end

    with StageProgress(quiet=quiet, status="reading the archive…") as progress:
        progress.stages(len(papers), ("fetch",))
        events = Events(lambda e: progress.advance("fetch") if isinstance(e, PaperDone) else None,
                        lambda e: warn(e.message) if isinstance(e, Notice) else None, progress)
        found = run_to_end(fetch_documents(settings, papers, events=events))
    return {pid: (r, "") if isinstance(r, Document) else (None, r.reason) for pid, r in found.items()}


def exit_code(audits: list[PaperAudit], *, allow_missing: bool = False) -> int:
    if any(a.status == "unsupported" for a in audits):
        return EXIT_UNSUPPORTED
    if not allow_missing and any(a.status == "no text" for a in audits):
        return EXIT_NO_DOCUMENT
    return EXIT_OK


def report(target: str, digest: Digest, audits: list[PaperAudit], code: int) -> dict[str, Any]:
    """The JSON report: per paper, every claim as this audit finds it (its relation, status, reason and its
    evidence: snippet, section, page, kind). The claims are checked again here, by the checker alone: no LLM
    judge, so a claim the judge decided when the summary was made is reported as the checker sees it, and
    what the archive stored for the summary may differ."""
    return {
        "digest": target,
        "day": digest.day.isoformat(),
        "exit_code": code,
        "papers": [
            {
                "id": a.paper_id,
                "title": a.title,
                "status": a.status,
                "reason": a.reason,
                "claims": [c.model_dump(mode="json") for c in a.claims],
                "unsupported": len(a.unsupported),
                "undecided": len(a.undecided),
            }
            for a in audits
        ],
    }


_STYLE = {"ok": "green", "unsupported": "bold red", "no text": "yellow", "no summary": "dim"}


def _print_table(audits: list[PaperAudit]) -> None:
    from rich.text import Text

    from dailypapers.models import evidence_place

    table = report_table("title", "claims", "unsupported", "status")
    for a in audits:
        # safe(), not markup: ids (a `#local-...` link is read back unquoted), titles and claims come from
        # untrusted files
        table.add_row(
            safe(a.paper_id),
            safe(one_line(a.title)),
            str(len(a.claims)),
            str(len(a.unsupported)),
            Text(a.status, style=_STYLE[a.status]),
        )
    console.print(table)
    for a in audits:
        for c in a.unsupported:
            # what the paper says instead, and where, when the checker found the value stated for something else
            why = f"  — {c.reason}" if c.reason else ""
            place = evidence_place(c.evidence_section, c.evidence_page) or "the paper"
            where = f" ({place})" if c.reason and c.evidence else ""
            line = f"{a.paper_id}  {c.section_label or '-'}  {c.kind}  {c.text}{why}{where}"
            console.print(safe(line[:400]), highlight=False, soft_wrap=True)
        for c in a.undecided:  # not flagged: the checker could not decide (a judge decides when one is set)
            line = f"{a.paper_id}  {c.section_label or '-'}  {c.kind}  {c.text}  not checked: {c.reason or 'undecided'}"
            console.print(safe(line[:400]), style="dim", highlight=False, soft_wrap=True)
        if a.status == "no text" and a.reason:
            console.print(safe(f"{a.paper_id}  no text: {a.reason}", style="yellow"),
                          highlight=False)
