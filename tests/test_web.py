"""The web app, in process (httpx ASGITransport): the same pages live, search with highlights, run health, the
JSON API and its OpenAPI docs, security headers, read-only, and pages that follow the archive."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import feedparser
import httpx
import lxml.html
import pytest
from typer.testing import CliRunner

from dailypapers import web
from dailypapers.cli import app as cli_app
from dailypapers.models import Digest, Entry, Paper, Section, Summary
from dailypapers.store import Store
from dailypapers.web import LOOPBACK_HOSTS, create_app
from tests.sitedata import EVIL_ID, NEXT_DAY, XSS_TITLE, build_archive


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "a.db"
    build_archive(path)
    return path


@pytest.fixture
async def client(db: Path):
    app = create_app(db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


def page(response: httpx.Response) -> lxml.html.HtmlElement:
    assert response.status_code == 200, response.text[:300]
    return lxml.html.fromstring(response.text)


async def test_the_same_pages_live(client: httpx.AsyncClient) -> None:
    home = page(await client.get("/"))
    assert home.findtext(".//h1") == f"Daily Papers ({NEXT_DAY})"
    edition = page(await client.get("/editions/hf/ko/2025-05-06.html"))
    assert len(edition.cssselect("article.entry")) == 23
    assert edition.cssselect("a[rel=next]")[0].get("href") == "../../../editions/hf/ko/2025-05-07.html"
    paper = page(await client.get("/papers/2505.02707.html"))
    assert {d.get("lang") for d in paper.cssselect("div.summary")} == {"ko", "en"}
    assert paper.cssselect(".claim.supported .ev q")[0].text.startswith("HumanEval-V, a benchmark of 108")
    month = page(await client.get("/archive/2025-05.html"))
    assert len(month.cssselect("section.day")) == 2
    archive = page(await client.get("/archive/index.html"))
    assert archive.cssselect("ul.months a")[0].get("href") == "../archive/2025-05.html"
    md = await client.get("/editions/hf/ko/2025-05-06.md")
    assert md.text.startswith("## Daily Papers (2025-05-06)")
    js = await client.get("/editions/hf/en/2025-05-06.json")
    assert js.json()["lang"] == "en"
    feed = feedparser.parse((await client.get("/feeds/hf/ko.atom")).content)
    assert not feed.bozo and feed.entries[0].link == "http://testserver/editions/hf/ko/2025-05-07.html"


async def test_search_page_highlights_without_javascript(client: httpx.AsyncClient) -> None:
    doc = page(await client.get("/search.html", params={"q": "학습"}))
    hits = doc.cssselect("ol.hits li")
    assert hits and all("학습" in [m.text for m in li.cssselect("mark")] for li in hits)
    assert doc.cssselect("input[name=q]")[0].get("value") == "학습"
    one = page(await client.get("/search.html", params={"q": "3D", "sort": "newest"}))
    assert one.cssselect("ol.hits li")[0].cssselect("mark")[0].text == "3D"
    evil = page(await client.get("/search.html", params={"q": "Evil"}))
    assert evil.cssselect("ol.hits a")[0].text_content() == " ".join(XSS_TITLE.split())
    assert not evil.cssselect("script, iframe, svg")


async def test_run_health(client: httpx.AsyncClient) -> None:
    doc = page(await client.get("/runs.html"))
    assert doc.cssselect("table.stages td")[0].text == "fetch"
    row = doc.cssselect("table.runs tbody tr")[0]
    assert "$0.0123" in row.text_content() and "fetch: 1" in row.text_content()
    detail = doc.cssselect("table.runs tr.detail")[0].text_content()
    assert "2505.07777 failed at fetch: timeout <b>x</b>" in detail


async def test_json_api_and_its_docs(client: httpx.AsyncClient) -> None:
    editions = (await client.get("/api/editions")).json()
    assert {(e["day"], e["source"], e["lang"]) for e in editions} == {
        ("2025-05-06", "hf", "ko"), ("2025-05-06", "hf", "en"), ("2025-05-07", "hf", "ko"),
        ("2025-05-07", "arxiv:cs.CL", "ko")}
    day = (await client.get("/api/editions/2025-05-07", params={"source": "hf"})).json()
    assert [e["paper"]["id"] for e in day[0]["entries"]] == ["2505.08888", EVIL_ID, "2505.07777"]
    paper = (await client.get("/api/papers/2505.02707")).json()
    assert paper["paper"]["authors"][0] == "Yu Shu" and len(paper["editions"]) == 2
    korean = next(e for e in paper["editions"] if e["edition"]["lang"] == "ko")
    assert korean["summary"]["claims"][0]["evidence_page"] == 6
    found = (await client.get("/api/search", params={"q": "모델", "limit": 5})).json()
    assert len(found) == 5
    for hit in found:
        assert all(hit["snippet"][a:b] == "모델" for a, b in hit["snippet_highlights"])
    assert (await client.get("/api/search", params={"q": "x", "limit": 0})).status_code == 422
    runs = (await client.get("/api/runs")).json()
    assert runs[0]["failures_by_stage"] == {"fetch": 1} and runs[0]["cost"] == pytest.approx(0.0123)
    assert (await client.get("/api/papers/2505.00000")).status_code == 404
    assert (await client.get("/api/editions/2020-01-01")).status_code == 404
    schema = (await client.get("/openapi.json")).json()
    assert {"/api/editions", "/api/editions/{day}", "/api/papers/{paper_id}", "/api/search", "/api/runs"} <= set(
        schema["paths"])
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "swagger/swagger-ui-bundle.js" in docs.text and "<script>" not in docs.text
    assert (await client.get("/swagger/swagger-ui-bundle.js")).status_code == 200


async def test_headers_errors_and_no_writes(client: httpx.AsyncClient, db: Path) -> None:
    wal = db.with_name(db.name + "-wal")  # a write may sit in the WAL, not yet in the database file
    before, wal_before = db.read_bytes(), (wal.read_bytes() if wal.exists() else b"")
    for path in ("/", "/archive/index.html", "/archive/2025-05.html", "/papers/2505.02707.html", "/feeds/hf/ko.atom",
                 "/runs.html", "/search.html?q=모델", "/api/editions", "/api/runs", "/api/search?q=3D"):
        assert (await client.get(path)).status_code == 200, path
    r = await client.get("/editions/hf/ko/2025-05-06.html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert (await client.request(method, "/api/editions")).status_code == 405
    missing = await client.get("/papers/2505.00000.html")
    assert missing.status_code == 404 and "<h1>404</h1>" in missing.text
    assert (await client.get("/no/such/page")).status_code == 404
    assert (await client.get("/editions/hf/ko/not-a-day.html")).status_code == 404
    assert db.read_bytes() == before
    assert (wal.read_bytes() if wal.exists() else b"") == wal_before  # not created with content, not grown


async def test_pages_follow_the_archive(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    rendered: list[str] = []

    def counting(template: str, *args: object, **kwargs: object) -> str:
        rendered.append(template)
        return real(template, *args, **kwargs)

    real = web.render
    monkeypatch.setattr(web, "render", counting)
    app = create_app(copy)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        first = await c.get("/")
        assert rendered == ["home.html"]
        assert (await c.get("/")).text == first.text
        assert rendered == ["home.html"]  # from the cache: not rendered again
        day = dt.date(2025, 5, 9)
        with Store(copy) as store:  # another process's run commits a new day
            store.import_digest(Digest(day=day, entries=(Entry(
                paper=Paper(id="2505.05555", title="Lantern Papers", upvotes=2),
                summary=Summary(paper_id="2505.05555", sections=(Section(label="L", text="새 요약"),))),)))
        assert page(await c.get("/")).findtext(".//h1") == f"Daily Papers ({day})"
        assert rendered == ["home.html", "home.html"]  # the archive changed: rendered anew, once


async def test_a_feed_is_rendered_once_whatever_host_a_request_names(db: Path, monkeypatch: pytest.MonkeyPatch
                                                                     ) -> None:
    rendered: list[str] = []

    def counting(*args: object, **kwargs: object) -> bytes:
        rendered.append(str(args[:2]))
        return real(*args, **kwargs)

    real = web.atom_feed
    monkeypatch.setattr(web, "atom_feed", counting)
    transport = httpx.ASGITransport(app=create_app(db))
    for host in ("a.example", "b.example:8080", "[::1]:8000", *(f"h{i}.example" for i in range(20))):
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{host}") as c:
            feed = feedparser.parse((await c.get("/feeds/hf/ko.atom")).content)
        assert not feed.bozo and feed.entries[0].link == f"http://{host}/editions/hf/ko/2025-05-07.html"
        assert feed.feed.links[0].href == f"http://{host}/feeds/hf/ko.atom"
    assert len(rendered) == 1
    # a Host that is not a plain name gives links relative to the app's root, not its text
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        raw = (await c.get("/feeds/hf/ko.atom", headers={"host": 'x"><script>hostile</script>'})).content
    assert b"hostile" not in raw and b'href="/editions/hf/ko/2025-05-07.html"' in raw and len(rendered) == 1
    assert not feedparser.parse(raw).bozo
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        assert (await c.get("/feeds/hf/xx.atom")).status_code == 404
        assert (await c.get("/feeds/hf/ko.rss")).status_code == 404


async def test_only_local_host_names_when_bound_to_loopback(db: Path) -> None:
    app = create_app(db, allowed_hosts=LOOPBACK_HOSTS)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
        assert (await c.get("/api/editions")).status_code == 200
    async with httpx.AsyncClient(transport=transport, base_url="http://attacker.example") as c:
        assert (await c.get("/api/editions")).status_code == 400


# a request path for every GET route of the app (a new route must be added here, so it is tested too)
SAMPLE_PATHS = {
    "/": "/", "/index.html": "/index.html", "/editions/{source}/{lang}/{name}": "/editions/hf/ko/2025-05-06.html",
    "/papers/{name}": "/papers/2505.02707.html", "/archive/index.html": "/archive/index.html",
    "/archive/{name}": "/archive/2025-05.html", "/feeds/{source}/{name}": "/feeds/hf/ko.atom",
    "/search.html": "/search.html?q=3D", "/runs.html": "/runs.html", "/docs": "/docs",
    "/openapi.json": "/openapi.json", "/api/editions": "/api/editions",
    "/api/editions/{day}": "/api/editions/2025-05-06",
    "/api/papers/{paper_id:path}": "/api/papers/2505.02707",
    "/api/papers/{paper_id:path}/related": "/api/papers/2505.02707/related", "/api/search": "/api/search?q=3D",
    "/api/runs": "/api/runs", "/static": "/static/style.css", "/swagger": "/swagger/swagger-ui.css",
    "/tags/{name}": "/tags/cs.CV.html", "/feeds/{source}/{lang}/{name}": "/feeds/hf/ko/papers.atom",
}


async def test_head_is_answered_wherever_get_is(db: Path) -> None:
    """HTTP requires HEAD wherever GET works (it answered 405): same status and headers, no body."""
    guard = create_app(db)
    routes = {getattr(r, "path", "") for r in guard.app.routes
              if "GET" in (getattr(r, "methods", None) or {"GET"}) and getattr(r, "path", "")}
    assert routes == set(SAMPLE_PATHS), routes ^ set(SAMPLE_PATHS)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guard), base_url="http://testserver") as c:
        for path in [*SAMPLE_PATHS.values(), "/papers/2505.00000.html"]:
            got, head = await c.get(path), await c.head(path)
            assert head.status_code == got.status_code, path
            assert head.content == b"", path
            assert head.headers.get("content-type") == got.headers.get("content-type"), path
            if "content-length" in got.headers:
                assert head.headers["content-length"] == got.headers["content-length"], path
            assert "content-security-policy" in head.headers


@pytest.mark.parametrize(("bound", "allowed", "answered", "refused"), [
    ("127.0.0.1", [], ["127.0.0.1", "localhost", "[::1]"], ["attacker.example", "192.0.2.7"]),
    ("127.0.0.2", [], ["127.0.0.2", "localhost"], ["attacker.example"]),
    ("192.0.2.10", [], ["192.0.2.10"], ["attacker.example", "localhost"]),
    ("192.0.2.10", ["papers.example.org"], ["192.0.2.10", "papers.example.org", "PAPERS.example.org"],
     ["attacker.example"]),
    ("::", [], ["localhost", "[::1]"], ["attacker.example"]),
    ("0.0.0.0", ["*"], ["attacker.example", "localhost"], []),
])
async def test_the_host_header_is_checked_on_every_bind(db: Path, bound: str, allowed: list[str],
                                                         answered: list[str], refused: list[str]) -> None:
    """Bound anywhere (not only to loopback), a request must name the bound address, a loopback name (bound to
    loopback or to every address) or an `allowed_hosts` name: DNS rebinding cannot reach the app."""
    transport = httpx.ASGITransport(app=create_app(db, allowed_hosts=web.served_host_names(bound, allowed)))
    for name in answered + refused:
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}:8000") as c:
            status = (await c.get("/api/editions")).status_code
        assert status == (200 if name in answered else 400), (bound, name)


async def test_a_damaged_page_of_the_archive_is_an_error_page_not_a_traceback(db: Path, tmp_path: Path,
                                                                               caplog: pytest.LogCaptureFixture,
                                                                               ) -> None:
    """One damaged page of the file: the pages that need it say what the CLI says ("the archive cannot be
    read"), as HTML or JSON, and the rest of the app goes on."""
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(db.read_bytes())
    with sqlite3.connect(damaged) as conn:
        try:
            pages = [r[0] for r in conn.execute("select pageno from dbstat where name = 'papers' "
                                                "and pagetype = 'leaf'")]
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no dbstat table to find a page of the papers table")
        page_size = conn.execute("pragma page_size").fetchone()[0]
    with open(damaged, "r+b") as fh:
        for number in pages:
            fh.seek((number - 1) * page_size + 8)
            fh.write(b"\xff" * 64)  # the cell pointers point outside the page
    app = create_app(damaged)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        home = await c.get("/")
        assert home.status_code == 500 and "the archive cannot be read" in home.text and "Traceback" not in home.text
        assert "<h1>500</h1>" in home.text
        api = await c.get("/api/editions/2025-05-06")
        assert api.status_code == 500 and api.json()["detail"].startswith("the archive cannot be read")
        assert (await c.get("/api/runs")).status_code == 200  # what does not need the damaged page still works
    assert any("the archive cannot be read" in r.getMessage() for r in caplog.records)
    cli = CliRunner().invoke(cli_app, ["render", "2025-05-06"], env={"DAILYPAPERS_DB": str(damaged)})
    assert cli.exit_code == 4 and "the archive cannot be read" in cli.stderr
