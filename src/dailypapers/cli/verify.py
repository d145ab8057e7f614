"""`dailypapers verify`: audit an existing digest — is every number and name in its summaries in the paper?"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from dailypapers.cli import app
from dailypapers.cli._common import console, errors, state, write_stdout
from dailypapers.config import Settings
from dailypapers.errors import DailyPapersError, InputError
from dailypapers.models import Claim, Digest, Document, Paper
from dailypapers.publish.markdown import read_digest
from dailypapers.text import clip, strip_controls
from dailypapers.verify import PaperAudit, audit_digest

TEXT_SUFFIXES = (".txt", ".md", ".pdf")
EXIT_OK, EXIT_UNSUPPORTED, EXIT_NO_TEXT = 0, 1, 2


@app.command("verify")
@errors
def verify_cmd(
    ctx: typer.Context,
    digest_file: Annotated[
        Path, typer.Argument(metavar="DIGEST.md", help="A digest in the sample's format.")
    ],
    texts: Annotated[
        Path | None,
        typer.Option(
            "--texts",
            help="Folder of paper texts named by arXiv id: <id>.txt, <id>.md or <id>.pdf "
            "(an old-style id's `/` written as `_`, e.g. hep-th_9901001.txt).",
        ),
    ] = None,
    fetch: Annotated[bool, typer.Option("--fetch", help="Fetch each paper's text from arXiv.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report, not the table.")] = False,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="A paper with no text does not change the exit code.")
    ] = False,
) -> None:
    """Check every number and name in a digest's summaries against the papers' texts.

    Exit code: 0 when every claim is supported; 1 when some claim is unsupported (this wins); 2 when no claim
    is unsupported but some paper had no text to check against (use --allow-missing to report those papers
    without failing), or on bad input. Entries without a summary are listed and never fail the run.
    """
    if (texts is None) == (not fetch):
        raise InputError("give exactly one of --texts DIR or --fetch")
    if texts is not None and not texts.is_dir():
        raise InputError(f"--texts {texts}: not a folder")
    digest = read_digest(digest_file)
    settings = state(ctx).settings()
    papers = [e.paper for e in digest.entries if e.summary is not None]
    if texts is not None:
        loaded = {p.id: load_text(texts, p.id, settings) for p in papers}
    else:
        loaded = _fetch_all(papers, settings)
    audits = audit_digest(
        digest, {k: v[0] for k, v in loaded.items()}, {k: v[1] for k, v in loaded.items()}
    )
    code = exit_code(audits, allow_missing=allow_missing)
    if as_json:
        write_stdout(
            json.dumps(report(digest_file, digest, audits, code), ensure_ascii=False, indent=2) + "\n"
        )
    else:
        _print_table(audits)
    raise typer.Exit(code)


def text_path(folder: Path, paper_id: str) -> Path | None:
    """The paper's text file in `folder`, trying .txt, .md, .pdf; None when there is none."""
    stem = paper_id.replace("/", "_").replace("\\", "_")
    for suffix in TEXT_SUFFIXES:
        path = folder / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


def load_text(folder: Path, paper_id: str, settings: Settings) -> tuple[Document | None, str]:
    """(text, "") or (None, why not). Reading one paper never fails the whole audit."""
    path = text_path(folder, paper_id)
    if path is None:
        return None, f"no {paper_id.replace('/', '_')}.txt/.md/.pdf in {folder}"
    from dailypapers.documents import read_file

    try:
        return read_file(path, paper_id, max_bytes=settings.max_pdf_bytes, max_pages=settings.max_pages), ""
    except DailyPapersError as exc:
        return None, f"{path.name}: {exc}"
    except Exception as exc:  # a PDF library bug on one hostile file must not end the whole audit
        return None, f"{path.name}: unexpected error: {type(exc).__name__}: {exc}"


def _fetch_all(papers: list[Paper], settings: Settings) -> dict[str, tuple[Document | None, str]]:
    """The papers' documents from the archive, or fetched (and stored) through the one fetch stage."""
    from dailypapers.api import fetch_documents

    found = asyncio.run(fetch_documents(settings, papers))
    return {pid: (r, "") if isinstance(r, Document) else (None, r.reason) for pid, r in found.items()}


def exit_code(audits: list[PaperAudit], *, allow_missing: bool = False) -> int:
    if any(a.status == "unsupported" for a in audits):
        return EXIT_UNSUPPORTED
    if not allow_missing and any(a.status == "no text" for a in audits):
        return EXIT_NO_TEXT
    return EXIT_OK


def evidence_place(claim: Claim) -> str:
    """"4 Results, p. 5": where a claim's evidence is, as a reader would look for it."""
    parts = [claim.evidence_section or "", f"p. {claim.evidence_page}" if claim.evidence_page else ""]
    return ", ".join(p for p in parts if p) or "the paper"


def report(path: Path, digest: Digest, audits: list[PaperAudit], code: int) -> dict[str, Any]:
    """The JSON report: per paper, every claim as stored in the archive (its relation, status, reason and its
    evidence: snippet, section, page, kind)."""
    return {
        "digest": str(path),
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
            }
            for a in audits
        ],
    }




_STYLE = {"ok": "green", "unsupported": "bold red", "no text": "yellow", "no summary": "dim"}


def _print_table(audits: list[PaperAudit]) -> None:
    table = Table("paper", "title", "claims", "unsupported", "status")
    for a in audits:
        # Text(), not markup: titles and claims come from untrusted files
        table.add_row(
            Text(a.paper_id),
            Text(strip_controls(clip(a.title, 48))),
            str(len(a.claims)),
            str(len(a.unsupported)),
            Text(a.status, style=_STYLE[a.status]),
        )
    console.print(table)
    for a in audits:
        for c in a.unsupported:
            # what the paper says instead, and where, when the checker found the value stated for something else
            why = f"  — {c.reason}" if c.reason else ""
            where = f" ({evidence_place(c)})" if c.reason and c.evidence else ""
            line = f"{a.paper_id}  {c.section_label or '-'}  {c.kind}  {c.text}{why}{where}"
            console.print(Text(strip_controls(line[:400])), highlight=False, soft_wrap=True)
        if a.status == "no text" and a.reason:
            console.print(Text(strip_controls(f"{a.paper_id}  no text: {a.reason}"), style="yellow"),
                          highlight=False)
