"""Stand-ins for the HF Daily Papers API and arXiv (export API, /pdf, /html), speaking the real wire formats.

One StandIn serves all of them (tests point every base URL at it). Content comes from synthetic papers:
`add_paper(synth, day=..., upvotes=...)` makes the paper appear in HF's list for that day, in arXiv's API,
as a PDF (tests/pdfgen.py) and, if `html=True`, as an arXiv-like HTML page. Faults go through `StandIn.fault`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from tests.papergen import SynthPaper
from tests.pdfgen import make_pdf
from tests.standins.base import Reply, Request, StandIn

ATOM_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"\n'
    '      xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
    '  <id>https://arxiv.org/api/standin</id>\n  <title>arXiv Query: standin</title>\n'
    "  <updated>2026-06-12T00:00:00Z</updated>\n"
    '  <link href="https://arxiv.org/api/query" type="application/atom+xml"/>\n'
)


@dataclass
class Listed:
    synth: SynthPaper
    day: dt.date
    upvotes: int
    category: str = "cs.CL"
    published: dt.datetime = dt.datetime(2026, 6, 10, 17, 59, 1, tzinfo=dt.UTC)
    media: list[str] = field(default_factory=list)
    hidden_authors: list[str] = field(default_factory=list)
    version: int = 1  # the current arXiv version (`HfArxivStandIn.new_version`)


def hf_item(p: Listed) -> dict[str, Any]:
    """One daily_papers item in the 2026 shape: fields nested in `paper`, some repeated at the top level."""
    arxiv_id = p.synth.arxiv_id
    authors = [{"_id": f"a{i}", "name": name, "hidden": False, "status": "extracted_pending"}
               for i, name in enumerate(p.synth.authors)]
    authors += [{"_id": f"h{i}", "name": name, "hidden": True} for i, name in enumerate(p.hidden_authors)]
    # arXiv wraps long lines; HF keeps the wraps in the title
    wrapped_title = p.synth.title.replace(": ", ":\n  ", 1)
    user = {"_id": "u1", "avatarUrl": "/avatars/u1.svg", "fullname": "Sub Mitter", "name": "submitter",
            "type": "user", "isPro": False}
    return {
        "paper": {
            "id": arxiv_id,
            "authors": authors,
            "publishedAt": p.published.isoformat().replace("+00:00", ".000Z"),
            "submittedOnDailyAt": f"{p.day.isoformat()}T00:00:00.000Z",
            "title": wrapped_title,
            "summary": p.synth.abstract,
            "upvotes": p.upvotes,
            "discussionId": f"d{arxiv_id}",
            "ai_summary": "An automatic one-line summary.",
            "ai_keywords": ["routing"],
            "githubRepo": f"https://github.com/example/{arxiv_id}",
            "projectPage": f"https://example.org/{arxiv_id}",
            "mediaUrls": p.media or None,
        },
        "publishedAt": (p.published - dt.timedelta(hours=4)).isoformat().replace("+00:00", ".000Z"),
        "title": " ".join(p.synth.title.split()),
        "summary": p.synth.abstract,
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{arxiv_id}.png",
        "numComments": 2,
        "isAuthorParticipating": False,
        "submittedBy": user,
        "mediaUrls": p.media,
    }


def atom_entry(p: Listed, version: int | None = None) -> str:
    aid = p.synth.arxiv_id
    version = version or p.version
    when = p.published.strftime("%Y-%m-%dT%H:%M:%SZ")
    authors = "".join(f"    <author><name>{escape(a)}</name></author>\n" for a in p.synth.authors)
    title = escape(p.synth.title.replace(": ", ":\n  ", 1))  # arXiv wraps long titles
    return (
        "  <entry>\n"
        f"    <id>http://arxiv.org/abs/{aid}v{version}</id>\n"
        f"    <title>{title}</title>\n"
        f"    <updated>{when}</updated>\n    <published>{when}</published>\n"
        f"    <summary>  {escape(p.synth.abstract)}\n</summary>\n"
        f"{authors}"
        f'    <link href="https://arxiv.org/abs/{aid}v{version}" rel="alternate" type="text/html"/>\n'
        f'    <link href="https://arxiv.org/pdf/{aid}v{version}" rel="related" type="application/pdf"'
        ' title="pdf"/>\n'
        f'    <arxiv:primary_category term="{p.category}" scheme="http://arxiv.org/schemas/atom"/>\n'
        f'    <category term="{p.category}" scheme="http://arxiv.org/schemas/atom"/>\n'
        "  </entry>\n"
    )


def atom_feed(entries: list[str], total: int | None = None) -> bytes:
    n = len(entries)
    return (
        ATOM_HEAD
        + f"  <opensearch:totalResults>{total if total is not None else n}</opensearch:totalResults>\n"
        + f"  <opensearch:startIndex>0</opensearch:startIndex>\n  <opensearch:itemsPerPage>{n}"
        + "</opensearch:itemsPerPage>\n"
        + "".join(entries)
        + "</feed>\n"
    ).encode()


def atom_error(message: str) -> bytes:
    return atom_feed(
        [
            "  <entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_bad</id>\n"
            "    <title>Error</title>\n"
            f"    <summary>{escape(message)}</summary>\n"
            "    <updated>2026-06-12T00:00:00-04:00</updated>\n"
            '    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_bad" rel="alternate" '
            'type="text/html"/>\n    <author><name>arXiv api core</name></author>\n  </entry>\n'
        ]
    )


def author_html(index: int, name: str) -> str:
    """One LaTeXML creator: the name, <br>, a (made-up) affiliation; creators after the first are preceded by
    an inline `ltx_author_before` separator, as arXiv renders them."""
    before = "" if index == 0 else "<span class='ltx_author_before'>, </span>"
    return (f"{before}<span class='ltx_creator ltx_role_author'><span class='ltx_personname'>{escape(name)}"
            f"<br class='ltx_break'>Synthetic Lab {index + 1}</span></span>\n")


def arxiv_html(synth: SynthPaper) -> str:
    """A page shaped like arXiv's LaTeXML rendering (ltx_ classes, sections with h2/h3 headings)."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><title>", escape(synth.title), "</title>",
        "<script>var tracking = 'this is not paper text';</script></head><body>",
        "<nav class='ltx_page_navbar'>Table of contents</nav>",
        "<div class='ltx_page_main'><article class='ltx_document'>",
        f"<h1 class='ltx_title ltx_title_document'>{escape(synth.title)}</h1>",
        "<div class='ltx_authors'>",
        *(author_html(i, a) for i, a in enumerate(synth.authors)),
        "</div><div class='ltx_abstract'><h6 class='ltx_title ltx_title_abstract'>Abstract</h6>",
        f"<p class='ltx_p'>{escape(synth.abstract)}</p></div>",
    ]
    for heading, paragraphs in synth.sections:
        num, _, name = heading.partition(" ")
        if heading == "References":
            parts.append("<section class='ltx_bibliography'><h2 class='ltx_title ltx_title_bibliography'>"
                         "References</h2><ul class='ltx_biblist'>")
            parts.extend(f"<li class='ltx_bibitem'>{escape(r)}</li>" for r in paragraphs[0].split("\n"))
            parts.append("</ul></section>")
            continue
        cls = "ltx_appendix" if num.isalpha() else "ltx_section"
        tag = f"Appendix {num}" if num.isalpha() else num
        parts.append(f"<section class='{cls}'><h2 class='ltx_title ltx_title_section'>"
                     f"<span class='ltx_tag ltx_tag_section'>{tag} </span>{escape(name)}</h2>")
        for para in paragraphs:
            parts.append(f"<div class='ltx_para'><p class='ltx_p'>{escape(para)}"
                         "<math alttext='x^2'><annotation encoding='application/x-tex'>x^2"
                         "</annotation></math>"
                         "</p></div>")
        parts.append("</section>")
    parts.append("</article></div><footer>arXiv footer</footer></body></html>")
    return "".join(parts)


class HfArxivStandIn(StandIn):
    """HF `/api/daily_papers` + arXiv `/api/query`, `/pdf/<id>`, `/html/<id>` on one loopback server."""

    def __init__(self) -> None:
        super().__init__()
        self.listed: dict[str, Listed] = {}
        self.pdfs: dict[str, bytes] = {}
        self.html: dict[str, str] = {}
        self.raw_days: dict[str, list[dict[str, Any]]] = {}  # extra raw items per day (hostile ones)
        self.route("GET", "/api/daily_papers", self._daily)
        self.route("GET", "/api/query", self._query)
        self.route("GET", "/pdf/", self._pdf)
        self.route("GET", "/html/", self._html)

    # settings that point everything here
    def settings_kwargs(self) -> dict[str, Any]:
        return {
            "hf_api_url": f"{self.url}/api",
            "arxiv_api_url": f"{self.url}/api/query",
            "arxiv_pdf_url": f"{self.url}/pdf",
            "arxiv_html_url": f"{self.url}/html",
            "arxiv_min_interval": 0.0,
            "hf_min_interval": 0.0,
            "http_retries": 2,
            "http_timeout": 5.0,
        }

    def env(self) -> dict[str, str]:
        return {f"DAILYPAPERS_{k.upper()}": str(v) for k, v in self.settings_kwargs().items()}

    def add_paper(self, synth: SynthPaper, *, day: dt.date | None = None, upvotes: int = 0,
                  html: bool = False, pdf: bytes | None = None, **kw: Any) -> Listed:
        listed = Listed(synth, day or dt.date(2026, 6, 12), upvotes, **kw)
        self.listed[synth.arxiv_id] = listed
        self.pdfs[synth.arxiv_id] = pdf if pdf is not None else make_pdf(synth)
        if html:
            self.html[synth.arxiv_id] = arxiv_html(synth)
        return listed

    def new_version(self, synth: SynthPaper, *, html: bool | None = None) -> Listed:
        """A new arXiv version of a listed paper: its entry says `v<n+1>`, and its PDF (and HTML, if it had one
        or `html`) is the new text. Unversioned and versioned URLs serve the current text."""
        listed = self.listed[synth.arxiv_id]
        listed.synth = synth
        listed.version += 1
        self.pdfs[synth.arxiv_id] = make_pdf(synth)
        if html or (html is None and synth.arxiv_id in self.html):
            self.html[synth.arxiv_id] = arxiv_html(synth)
        return listed

    # -- handlers --------------------------------------------------------------------------------------------
    def _daily(self, req: Request) -> Reply:
        date = req.query.get("date")
        if date is not None:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                return Reply.json({"error": "Invalid date format"}, status=400)
        else:
            days = [p.day for p in self.listed.values()]
            day = max(days) if days else dt.date(2026, 6, 12)
        items = [hf_item(p) for p in self.listed.values() if p.day == day]
        items += self.raw_days.get(day.isoformat(), [])
        page, limit = int(req.query.get("p", 0)), int(req.query.get("limit", 50))
        return Reply.json(items[page * limit : (page + 1) * limit])

    def _query(self, req: Request) -> Reply:
        if "id_list" in req.query:
            entries = []
            for raw in req.query["id_list"].split(","):
                base = raw.split("v")[0] if "/" not in raw else raw
                if not base.replace(".", "").isdigit() and "/" not in base:
                    return Reply(body=atom_error(f"incorrect id format for {raw}"),
                                 content_type="application/atom+xml")
                if base in self.listed:
                    entries.append(atom_entry(self.listed[base]))
            return Reply(body=atom_feed(entries), content_type="application/atom+xml; charset=utf-8")
        query = req.query.get("search_query", "")
        # the grammar the client sends: cat:X [AND submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]] (inclusive)
        m = re.fullmatch(r"cat:(\S+)(?: AND submittedDate:\[(\d{12}) TO (\d{12})\])?", query)
        if m is None:
            return Reply(body=atom_error(f"unsupported query {query}"), content_type="application/atom+xml")
        category, low, high = m.groups()

        def in_window(p: Listed) -> bool:
            stamp = p.published.strftime("%Y%m%d%H%M")
            return low is None or low <= stamp <= high

        chosen = sorted((p for p in self.listed.values() if p.category == category and in_window(p)),
                        key=lambda p: (p.published, p.synth.arxiv_id), reverse=True)
        n = int(req.query.get("max_results", 10))
        return Reply(body=atom_feed([atom_entry(p) for p in chosen[:n]], total=len(chosen)),
                     content_type="application/atom+xml; charset=utf-8")

    def _pdf(self, req: Request) -> Reply:
        key = req.path.removeprefix("/pdf/").removesuffix(".pdf")
        key = key.rsplit("v", 1)[0] if "v" in key.split("/")[-1] else key
        if key not in self.pdfs:
            return Reply(status=404, body=b"not found", content_type="text/plain")
        return Reply(body=self.pdfs[key], content_type="application/pdf")

    def _html(self, req: Request) -> Reply:
        key = req.path.removeprefix("/html/")
        key = key.rsplit("v", 1)[0] if "v" in key.split("/")[-1] else key
        if key not in self.html:
            return Reply(status=404, body=b"<html><body>No HTML for this paper</body></html>",
                         content_type="text/html")
        return Reply(body=self.html[key].encode(), content_type="text/html; charset=utf-8")
