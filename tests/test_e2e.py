"""`dailypapers digest` as a user runs it, against stand-in HF, arXiv and LLM servers.

The Markdown it writes is parsed back with the project's parser and checked record by record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers import digestformat
from dailypapers.cli import app
from dailypapers.models import Edition
from dailypapers.store import Store
from tests.papergen import make_paper
from tests.pdfgen import encrypted_pdf
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn, is_judge_request, judge_from_excerpts, on_summaries

DAY = dt.date(2026, 6, 12)


@pytest.fixture
def day_of_papers(hf_arxiv: HfArxivStandIn) -> list[str]:
    ids = []
    for i, votes in enumerate([7, 31, 12, 3]):
        synth = make_paper(f"2606.1000{i}", pages=3)
        hf_arxiv.add_paper(synth, day=DAY, upvotes=votes, html=(i == 0))
        ids.append(synth.arxiv_id)
    return ids


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def digest(tmp_path: Path, hf: HfArxivStandIn, llm: OpenAIStandIn | None, *args: str) -> Ran:
    """`dailypapers digest DAY --out day.md ARGS`, in-process (the subprocess form is tested in test_cli)."""
    env = {**hf.env(), "DAILYPAPERS_DB": str(tmp_path / "e2e.db"), "COLUMNS": "200"}  # tables show whole cells
    if llm is not None:
        env.update(DAILYPAPERS_LLM_BASE_URL=llm.base_url, DAILYPAPERS_LLM_MODEL="standin-model",
                   DAILYPAPERS_LLM_API_KEY="sk-test-0123456789")
    result = CliRunner().invoke(app, ["digest", DAY.isoformat(), "--out", str(tmp_path / "day.md"), *args],
                                env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def test_digest_with_an_llm_writes_a_parseable_ranked_digest(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn, day_of_papers: list[str]
) -> None:
    run = digest(tmp_path, hf_arxiv, openai_standin)
    assert run.returncode == 0, run.stderr + run.stdout
    assert "Traceback" not in run.stderr
    assert "4 ok, 0 flagged, 0 failed, 0 skipped" in run.stdout
    parsed = digestformat.parse((tmp_path / "day.md").read_text(encoding="utf-8"))
    assert parsed.day == DAY
    assert [e.paper.upvotes for e in parsed.entries] == [31, 12, 7, 3]
    first = parsed.entries[0]
    synth = make_paper("2606.10001", pages=3)
    assert first.paper.id == "2606.10001" and first.paper.title == synth.title
    assert first.paper.authors == tuple(synth.authors)  # the paper's real order
    assert first.paper.thumbnail and first.paper.thumbnail.endswith("2606.10001.png")
    labels = [s.label for s in first.summary.sections]
    assert labels == ["What's New", "Technical Details", "Performance Highlights"]
    assert all(s.text for s in first.summary.sections)
    # the LLM got the budgeted full text inside delimiters, in JSON-schema mode, in Korean by default
    body = openai_standin.bodies()[0]
    assert body["response_format"]["type"] == "json_schema"
    prompt = json.dumps(body["messages"], ensure_ascii=False)
    assert "<paper>" in prompt and "Korean" in prompt
    # the stored day renders to the same file
    with Store(tmp_path / "e2e.db") as store:
        stored = store.get_digest(Edition(day=DAY))
    assert digestformat.render(stored) == (tmp_path / "day.md").read_text(encoding="utf-8")


def test_rerun_makes_no_llm_call_and_resumes_only_failures(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn, day_of_papers: list[str]
) -> None:
    # the first paper's summary comes back unusable twice (first try + repair): it fails, the rest go on
    openai_standin.fail("invalid_json", times=2)
    broken = make_paper("2606.19999", pages=1)
    hf_arxiv.add_paper(broken, day=DAY, upvotes=1, pdf=encrypted_pdf(broken))
    first = digest(tmp_path, hf_arxiv, openai_standin, "--concurrency", "1")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "failed: invalid output" in first.stdout and "failed: encrypted PDF" in first.stdout
    parsed = digestformat.parse((tmp_path / "day.md").read_text(encoding="utf-8"))
    assert len(parsed.entries) == 5  # failed papers are still listed, never dropped
    calls = openai_standin.calls
    second = digest(tmp_path, hf_arxiv, openai_standin)
    assert openai_standin.calls == calls + 1  # only the paper whose summary failed
    assert "4 ok" in second.stdout and "failed: encrypted PDF" in second.stdout
    third = digest(tmp_path, hf_arxiv, openai_standin)
    assert openai_standin.calls == calls + 1
    assert "0 LLM calls" in third.stdout
    forced = digest(tmp_path, hf_arxiv, openai_standin, "--force")
    assert openai_standin.calls == calls + 1 + 4
    assert forced.returncode == 1  # the encrypted PDF still fails


def test_budget_cap_skips_papers_that_would_start_past_it(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn, day_of_papers: list[str]
) -> None:
    # every call reserves its estimate before it starts, so concurrent calls cannot overshoot the cap
    for cap, calls in ((1500, 0), (9000, 1)):
        openai_standin.http.requests.clear()
        run = digest(tmp_path, hf_arxiv, openai_standin, "--concurrency", "4", "--max-tokens", str(cap), "--force")
        assert run.returncode == 0, run.stderr
        assert openai_standin.calls == calls
        assert run.stdout.count("skipped: budget") == 4 - calls
        with Store(tmp_path / "e2e.db", readonly=True) as store:
            assert store.runs(1)[0]["usage"].total_tokens <= cap


def test_without_a_model_the_extractive_summarizer_writes_a_clean_digest(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, day_of_papers: list[str]
) -> None:
    run = digest(tmp_path, hf_arxiv, None, "--lang", "en")
    assert run.returncode == 0, run.stderr + run.stdout
    assert "4 ok, 0 flagged" in run.stdout  # quoted sentences verify clean by construction
    text = (tmp_path / "day.md").read_text(encoding="utf-8")
    assert digestformat.EXTRACTIVE_LINE in text
    parsed = digestformat.parse(text)
    first = parsed.entries[0].summary
    assert first.model == "extractive"
    synth = make_paper("2606.10001", pages=3)
    assert synth.facts["model"] in first.sections[0].text


def test_contamination_is_regenerated_then_flagged_and_marked(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn, day_of_papers: list[str]
) -> None:
    def leaky(data: dict[str, str], labels: Sequence[str]) -> None:
        data[labels[1]] += " It is based on the HumanEval-V benchmark of 108 Python coding tasks."

    openai_standin.responder = on_summaries(leaky)
    run = digest(tmp_path, hf_arxiv, openai_standin, "--limit", "1")
    assert run.returncode == 0, run.stderr  # flagged is shown, not failed
    assert "flagged: unsupported:" in run.stdout and "HumanEval-V" in run.stdout
    assert openai_standin.calls == 2  # one regeneration with the unsupported claims fed back
    feedback = json.dumps(openai_standin.bodies()[1]["messages"], ensure_ascii=False)
    assert "HumanEval-V" in feedback and "108" in feedback
    text = (tmp_path / "day.md").read_text(encoding="utf-8")
    assert digestformat.FLAG_OPEN in text
    parsed = digestformat.parse(text)
    flagged = {c.text for c in parsed.entries[0].summary.unsupported}
    assert {"108", "HumanEval-V"} <= flagged
    hidden = digest(tmp_path, hf_arxiv, openai_standin, "--limit", "1", "--hide-flags")
    assert hidden.returncode == 0
    assert digestformat.FLAG_OPEN not in (tmp_path / "day.md").read_text(encoding="utf-8")
    assert openai_standin.calls == 2  # cached


def test_an_empty_day_is_not_an_error(tmp_path: Path, hf_arxiv: HfArxivStandIn) -> None:
    run = digest(tmp_path, hf_arxiv, None)
    assert run.returncode == 0, run.stderr
    assert "no papers" in run.stdout
    assert not (tmp_path / "day.md").exists()


def test_json_report_no_llm_and_a_key_without_a_model(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn, day_of_papers: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = digest(tmp_path, hf_arxiv, openai_standin, "--no-llm", "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert [o["status"] for o in report["outcomes"]] == ["ok"] * 4
    assert report["usage"]["calls"] == 0 and openai_standin.calls == 0  # a model is configured, but --no-llm
    assert report["outputs"] == [str(tmp_path / "day.md")]
    # a key alone is not a choice of model: the run says so and summarizes offline
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    alone = digest(tmp_path, hf_arxiv, None, "--force")
    assert alone.returncode == 0 and "no model, so the summaries are extractive" in alone.stderr


def test_a_damaged_archive_is_one_line(tmp_path: Path, hf_arxiv: HfArxivStandIn, day_of_papers: list[str]) -> None:
    assert digest(tmp_path, hf_arxiv, None).returncode == 0
    db = tmp_path / "e2e.db"
    data = bytearray(db.read_bytes())
    data[4096:len(data)] = b"\xff" * (len(data) - 4096)  # every page but the first: garbage
    db.write_bytes(bytes(data))
    for args in (["days"], ["render", DAY.isoformat()]):
        result = CliRunner().invoke(app, ["--db", str(db), *args])
        assert result.exit_code == 4, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_verify_a_stored_day_against_the_stored_documents(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn, day_of_papers: list[str]
) -> None:
    def leaky(data: dict[str, str], labels: Sequence[str]) -> None:
        data[labels[2]] += " It reaches 97.3% on LanternBench."

    openai_standin.responder = on_summaries(leaky)
    assert digest(tmp_path, hf_arxiv, openai_standin, "--limit", "2").returncode == 0
    # the judge was asked about the flagged sections, and answered: no stand-in error, no retry
    judged = [b for b in openai_standin.bodies() if is_judge_request(b)]
    verdicts = [v for b in judged for v in json.loads(judge_from_excerpts(b))["verdicts"]]
    assert judged and {v["entailed"] for v in verdicts} == {True, False}  # it said yes and no
    with Store(tmp_path / "e2e.db", readonly=True) as store:
        entries = store.get_digest(Edition(day=DAY)).entries
    for e in entries:  # the judge's "no" is a claim of its own, stored with the summary
        assert any(c.decided_by == "judge" and c.kind == "sentence" and c.status == "unsupported"
                   for c in e.summary.claims)
    requests = len(hf_arxiv.requests)
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "e2e.db"), "verify", DAY.isoformat(), "--json"])
    assert result.exit_code == 1, result.output  # the flagged claims are still unsupported
    audit = json.loads(result.stdout)
    assert [p["status"] for p in audit["papers"]] == ["unsupported", "unsupported"]
    assert all(any(c["text"] == "LanternBench" and c["status"] == "unsupported" for c in p["claims"])
               for p in audit["papers"])
    assert len(hf_arxiv.requests) == requests  # nothing was downloaded again


def test_an_unwritable_output_is_one_line_and_the_day_is_still_stored(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, day_of_papers: list[str]
) -> None:
    env = {**hf_arxiv.env(), "DAILYPAPERS_DB": str(tmp_path / "e2e.db"), "COLUMNS": "200"}
    for out in (tmp_path, Path("/proc/dailypapers-test.md")):
        result = CliRunner().invoke(app, ["digest", DAY.isoformat(), "--out", str(out)], env=env)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert f"not published: markdown: cannot write {out}" in result.stdout
    with Store(tmp_path / "e2e.db", readonly=True) as store:
        assert len(store.get_digest(Edition(day=DAY)).entries) == 4  # nothing lost
