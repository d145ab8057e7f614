"""Start-up: `import dailypapers.cli` loads only the command line's own stack. The libraries a command uses
(the LLM SDK, sqlite-utils, pluggy and its entry points, the site's templates, the checker, PDF and HTML
readers, settings) load when that command runs, seen with `python -X importtime` in a fresh interpreter. How long
the import takes is a benchmark (`bench/startup.py`), not a timed test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow  # each test starts a fresh interpreter

# Libraries and modules that no command needs just to be listed and parsed.
NOT_AT_START_UP = ("openai", "sqlite_utils", "pluggy", "jinja2", "pydantic_settings", "lxml", "pypdfium2",
                   "httpx", "feedgen", "uvicorn", "starlette", "dailypapers.verify", "dailypapers.store",
                   "dailypapers.config", "dailypapers.documents", "dailypapers.plugins", "dailypapers.publish",
                   "dailypapers.api", "dailypapers.pipeline", "dailypapers.search", "dailypapers.digestformat",
                   "rich", "asyncio", "importlib.metadata", "email")
# How many modules `import dailypapers.cli` may load (`-X importtime` lists 245 with Python 3.11, typer 0.29 and
# pydantic 2.14; 330 before the models were built on first use and rich loaded on first print): the budget
# that keeps start-up from growing back unseen. A new library on the way in needs a reason to raise it.
MODULE_BUDGET = 250


def import_times(module: str) -> dict[str, float]:
    """Module -> cumulative import time in seconds, from `-X importtime` in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    times: dict[str, float] = {}
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        times[name.strip()] = int(cumulative) / 1e6
    return times


def test_the_command_line_loads_no_library_a_command_uses_until_it_runs() -> None:
    loaded = import_times("dailypapers.cli")
    assert "dailypapers.cli" in loaded and "typer" in loaded
    early = sorted(m for m in loaded if (m + ".").startswith(tuple(n + "." for n in NOT_AT_START_UP)))
    assert early == []
    assert len(loaded) <= MODULE_BUDGET, sorted(loaded)


def test_days_and_render_load_no_event_loop_date_parser_or_printer_they_do_not_use(tmp_path: Path) -> None:
    """The settings' library imports asyncio for command-line apps of its own, and sqlite-utils dateutil's
    parser for its recipes: `days` and `render` load neither; `render` writes its Markdown without rich."""
    db = tmp_path / "a.db"
    seed = ROOT.parent / "shared" / "seed" / "000_489a1fdfcdb5ea28.txt"
    subprocess.run([sys.executable, "-m", "dailypapers", "--db", str(db), "import", str(seed)], cwd=ROOT,
                   capture_output=True, timeout=120, check=True)
    for command, unused in ((["days"], ("asyncio", "dateutil.parser", "rich.progress")),
                            (["render", "2025-05-06"], ("asyncio", "dateutil.parser", "rich"))):
        script = ("import sys; from dailypapers.cli import app\n"
                  f"try:\n    app(['--db', sys.argv[1], *{command!r}])\nexcept SystemExit:\n    pass\n"
                  f"print(*sorted(m for m in {unused!r} if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", script, str(db)], cwd=ROOT, capture_output=True, text=True,
                             timeout=120, check=True)
        assert "R1-Reward" in out.stdout or "2025-05-06" in out.stdout
        assert out.stdout.splitlines()[-1].strip() == "", command


def test_the_http_client_loads_without_httpx_s_command_line() -> None:
    script = ("import sys, dailypapers.http, httpx; print('click' in sys.modules, 'httpx._main' in sys.modules); "
              "import click; print(click.Group.__module__)")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=True)
    assert out.stdout.split() == ["False", "False", "click.core"]


def test_reading_the_archive_loads_no_numpy_or_click() -> None:
    """numpy (for embeddings) loads when vectors are used, not with the archive: sqlite-utils would import it,
    and click, for its own command line."""
    loaded = import_times("dailypapers.store")
    assert "sqlite_utils" in loaded and "dailypapers.store.vectors" in loaded
    assert "numpy" not in loaded and "click" not in loaded
    script = ("import dailypapers.store, numpy, click, sqlite_utils.db as d; "
              "print(d.np is None, numpy.float32(1.5).item(), click.Group.__module__)")  # both load when asked
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=True)
    assert out.stdout.split() == ["True", "1.5", "click.core"]


def test_a_words_search_of_an_archive_without_vectors_loads_no_plug_ins(tmp_path: Path) -> None:
    """`search` (hybrid by default) on an archive with no embeddings is a words search: the plug-ins, the
    embedder and numpy are not loaded to find that out."""
    db = tmp_path / "a.db"
    seed = ROOT.parent / "shared" / "seed" / "000_489a1fdfcdb5ea28.txt"
    subprocess.run([sys.executable, "-m", "dailypapers", "--db", str(db), "import", str(seed)], cwd=ROOT,
                   capture_output=True, timeout=120, check=True)
    script = ("import sys; from dailypapers.cli import app\n"
              "try:\n    app(['--db', sys.argv[1], 'search', '모델'])\nexcept SystemExit:\n    pass\n"
              "print(*sorted(m for m in ('dailypapers.plugins', 'numpy', 'httpx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script, str(db)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True)
    assert "R1-Reward" in out.stdout  # found by words
    assert out.stdout.splitlines()[-1].strip() == ""


def _digest_env(tmp_path: Path, hf_arxiv, openai_standin) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The environment of a `digest` subprocess against the stand-ins, without the caller's own settings."""
    import os

    return {**{k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}, **hf_arxiv.env(),
            "DAILYPAPERS_DB": str(tmp_path / "a.db"), "DAILYPAPERS_OUT_DIR": str(tmp_path / "digests"),
            "DAILYPAPERS_LLM_BASE_URL": openai_standin.base_url, "DAILYPAPERS_LLM_MODEL": "standin-model",
            "DAILYPAPERS_LLM_API_KEY": "sk-test", "DAILYPAPERS_EMBEDDER": "off", "DAILYPAPERS_HTTP_RETRIES": "0"}


def test_the_re_run_of_a_finished_day_loads_no_checker_sdk_or_delivery_views(
        tmp_path: Path, hf_arxiv, openai_standin) -> None:  # type: ignore[no-untyped-def]
    """A re-run of a finished day reads the archive and the listing, and finds nothing to do: it loads neither
    the checker, the LLM SDK, numpy, the templates nor the messages' views; nor the command line httpx and
    sqlite-utils would bring (click, pygments)."""
    import datetime as dt

    from tests.test_daily_run import add_day

    day = dt.date(2026, 6, 12)
    add_day(hf_arxiv, day, 2)
    env = _digest_env(tmp_path, hf_arxiv, openai_standin)
    digest = [sys.executable, "-m", "dailypapers", "digest", day.isoformat()]
    subprocess.run(digest, cwd=tmp_path, env=env, capture_output=True, timeout=300, check=True)
    calls = openai_standin.calls
    script = ("import sys; from dailypapers.cli import app\n"
              f"try:\n    app({[*digest[3:], '--json']!r})\nexcept SystemExit:\n    pass\n"
              "print(*sorted(m for m in ('dailypapers.verify', 'openai', 'numpy', 'jinja2',"
              " 'dailypapers.publish.views', 'click', 'pygments') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300, check=True)
    assert '"unchanged": true' in out.stdout and openai_standin.calls == calls
    assert out.stdout.splitlines()[-1].strip() == ""


def test_the_first_llm_request_is_sent_before_the_checker_loads(
        tmp_path: Path, hf_arxiv, openai_standin) -> None:  # type: ignore[no-untyped-def]
    """The checker (`dailypapers.verify`, its analyzers with it) is not needed to ask for a summary: it loads once
    a reply is in, so a run's first request does not wait for it (nor the cache key, which names the judge's
    version without loading the judge). Nor does rich, for a progress display that output to a pipe does not
    show: it loads to print the report, at the end."""
    import datetime as dt

    from tests.test_daily_run import add_day

    day = dt.date(2026, 6, 12)
    add_day(hf_arxiv, day, 2)
    env = _digest_env(tmp_path, hf_arxiv, openai_standin)
    script = ("import sys, time\n"
              "class Watch:\n"  # the moment the checker starts to load, on the clock the stand-in stamps requests by
              "    def find_spec(self, name, path=None, target=None):\n"
              "        if name in ('dailypapers.verify', 'rich'):\n"
              "            print('loaded', name, time.monotonic(), file=sys.stderr, flush=True)\n"
              "sys.meta_path.insert(0, Watch())\n"
              "from dailypapers.cli import app\n"
              f"app(['digest', {day.isoformat()!r}])\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    loaded: dict[str, float] = {}
    for line in out.stderr.splitlines():
        if line.startswith("loaded "):
            _, name, at = line.split()
            loaded.setdefault(name, float(at))
    requests = openai_standin.requests()
    assert sorted(loaded) == ["dailypapers.verify", "rich"] and requests  # checked, printed, and asked for
    assert min(r.at for r in requests) < min(loaded.values())
