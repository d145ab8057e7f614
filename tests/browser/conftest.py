"""One headless Chromium (Debian's, driven by Playwright) for the browser tests, the test archive's static site
on a loopback HTTP server, and the live app under uvicorn. Screenshots go to build/screenshots/."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dailypapers.publish.site import build_site
from dailypapers.store import Store
from tests.sitedata import build_archive

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

if not CHROMIUM.exists() and not os.environ.get("CI"):
    # CI installs it (.ci/run); elsewhere: apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji
    pytest.skip(f"no browser at {CHROMIUM}", allow_module_level=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("browser") / "a.db"
    build_archive(db)
    return db


@pytest.fixture(scope="session")
def static_url(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("site")
    with Store(archive, readonly=True) as store:
        build_site(store, out)
    yield from serve_folder(out)


def serve_folder(out: Path) -> Iterator[str]:
    """A built static site on a loopback HTTP server, for as long as the generator runs."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def live_url(archive: Path) -> Iterator[str]:
    from dailypapers.web import LOOPBACK_HOSTS, create_app

    yield from serve_app(create_app(archive, allowed_hosts=LOOPBACK_HOSTS))


def serve_app(app: object) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, for the life of the caller's fixture: its base URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    # One browser for the browser tests (they live in one module). Module scope, not session: Playwright's sync
    # API holds an event loop on this thread while it runs, which the asyncio tests after these need free.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    return SHOTS


class Watched:
    """A page whose dialogs and CSP violations are recorded (and dialogs dismissed)."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.dialogs: list[str] = []
        self.csp: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.csp.append(m.text) if "Content Security Policy" in m.text else None)

    def _dialog(self, dialog) -> None:  # type: ignore[no-untyped-def]
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1100, "height": 1300})
    watched = Watched(context.new_page())
    yield watched
    context.close()
