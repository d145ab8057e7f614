"""Markdown/HTML injection: untrusted fields (titles, author names, thumbnail and video URLs, LLM text,
extractive quotes, labels, flagged claims) must show as the text they are in a CommonMark renderer, and read
back to the same records. The digests are rendered with markdown-it-py, as CommonMark and with GitHub's
extensions (bare links, tables, strikethrough), and the only live links, images and HTML must be the ones the
format means: the title link, the thumbnail, the video link and its <video> tag."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from dailypapers.config import Settings
from dailypapers.digestformat import normalize_digest, parse_days, render, title_link
from dailypapers.models import Claim, Digest, Entry, Paper, Section, Summary
from dailypapers.publish.base import PublishContext
from dailypapers.publish.markdown import MarkdownPublisher
from tests.digestgen import HOSTILE, digests

DAY = dt.date(2025, 1, 2)
PID = "2501.00001"


def _renderers() -> list[MarkdownIt]:
    gfm = MarkdownIt("commonmark", {"linkify": True}).enable(["linkify", "table", "strikethrough"])
    gfm.linkify.set({"fuzzy_link": False})  # GitHub links bare http(s)://, www. and e-mail, not "example.com"
    return [MarkdownIt("commonmark"), gfm]  # the commonmark preset passes raw HTML through, as GitHub does


def _live(markdown: str, md: MarkdownIt) -> dict[str, list[str]]:
    """What a renderer makes live: link targets, image sources, raw HTML."""
    out: dict[str, list[str]] = {"links": [], "images": [], "html": []}

    def walk(tokens: list[Token]) -> None:
        for t in tokens:
            if t.type == "link_open":
                out["links"].append(str(t.attrGet("href")))
            elif t.type == "image":
                out["images"].append(str(t.attrGet("src")))
            elif t.type in ("html_block", "html_inline"):
                out["html"].append(t.content.strip())
            walk(t.children or [])

    walk(md.parse(markdown))
    return out


def _intended(digest: Digest) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"links": [], "images": [], "html": []}
    for e in normalize_digest(digest).entries:
        p = e.paper
        out["links"].append(title_link(p))
        if p.video:
            out["links"].append(p.video)
            out["html"].append(f'<div><video controls src="{p.video.replace("&", "&amp;")}" muted="false">'
                               "</video></div>")
        elif p.thumbnail:
            out["images"].append(p.thumbnail)
    return out


def _shown_text(markdown: str, md: MarkdownIt) -> list[str]:
    """The text of each heading, paragraph and list paragraph as a reader sees it (hard breaks as newlines)."""
    shown = []
    for t in md.parse(markdown):
        if t.type == "inline":
            shown.append("".join(
                c.content if c.type in ("text", "text_special", "code_inline") else
                "\n" if c.type == "hardbreak" else " " if c.type == "softbreak" else "" for c in t.children or []))
    return shown


def _expected_text(digest: Digest) -> list[str]:
    shown = []
    for e in normalize_digest(digest).entries:
        p = e.paper
        shown.append(p.title)
        if p.video:
            shown.append("Watch Video")
        elif p.thumbnail:
            shown.append("")  # the image: no text
        if p.upvotes is not None:
            shown.append(f"Vote: {p.upvotes}")
        if p.authors:
            shown.append("Authors: " + ", ".join(p.authors))
        if e.summary is None:
            continue
        if e.summary.model == "extractive":
            shown.append("Extractive summary: sentences quoted from the paper (no LLM configured).")
        flags: dict[str, list[str]] = {}
        for c in e.summary.claims:
            flags.setdefault(c.section_label, []).append(c.text)
        for s in e.summary.sections:
            claims = flags.pop(s.label, [])
            text = s.text + (" ⚠️(unverified: " + "; ".join(claims) + ")" if claims else "")
            shown.append((f"{s.label}: {text}" if s.emphasis != "plain" else text).strip())
    return shown


_ON_ATTRIBUTE = re.compile(r"<[a-zA-Z][^<>]*\son[a-z]+\s*=", re.IGNORECASE)  # a tag with an event handler


def _check(digest: Digest) -> str:
    out = render(digest)
    for md in _renderers():
        assert _live(out, md) == _intended(digest)
        html = md.render(out)
        # the text "onerror=alert(1)" may show (escaped, or cut short with a long label), never as an attribute
        assert "<script" not in html and "<img src=\"x\"" not in html and not _ON_ATTRIBUTE.search(html)
        # [0]: the day's header; an empty title, image or bullet shows no text
        assert [x for x in _shown_text(out, md)[1:] if x] == [x for x in _expected_text(digest) if x]
    parsed = parse_days(out)
    assert parsed.oddities == ()
    assert parsed.one() == normalize_digest(digest)
    return out


def _entry(**fields: Any) -> Entry:
    paper = {"id": PID, "title": "A Paper", "authors": ("Ann One",), "upvotes": 3,
             "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{PID}.png"}
    summary = fields.pop("summary", None)
    return Entry(paper=Paper(**{**paper, **fields}), summary=summary)


def _summary(*sections: Section, model: str | None = None, claims: tuple[Claim, ...] = ()) -> Summary:
    return Summary(paper_id=PID, lang="en", sections=sections, model=model, claims=claims)


# -- the probes of issue 10 ------------------------------------------------------------------------------------
def test_script_and_img_onerror_in_a_title_and_a_summary_are_text() -> None:
    e = _entry(title="<script>alert(1)</script> Fast <img src=x onerror=alert(1)>",
               summary=_summary(Section(label="What's New", text="Ignore this. <script>fetch('//x')</script>")))
    out = _check(Digest(day=DAY, entries=(e,)))
    assert "\\<script>alert(1)\\</script>" in out


def test_a_javascript_link_in_an_author_name_is_text() -> None:
    e = _entry(authors=("Ann One", "[Bob](javascript:alert(document.cookie))", "<a href='javascript:x'>C</a>"))
    out = _check(Digest(day=DAY, entries=(e,)))
    assert "javascript:" not in [h for md in _renderers() for h in _live(out, md)["links"]]


def test_a_thumbnail_that_adds_a_tracking_pixel_and_a_link_is_left_out() -> None:
    evil = "https://x.example/a.png) ![](https://tracker.example/p.gif) [win](https://evil.example/"
    e = _entry(thumbnail=evil)
    out = _check(Digest(day=DAY, entries=(e,)))
    assert "tracker.example" not in out and "![](" not in out


def test_a_title_cannot_repoint_its_heading_link() -> None:
    e = _entry(title="Harmless](https://arxiv.org/abs/2401.00001)")
    out = _check(Digest(day=DAY, entries=(e,)))
    assert "### [Harmless\\](https\\://arxiv.org/abs/2401.00001)](https://arxiv.org/abs/2501.00001)\n" in out
    assert parse_days(out).one().entries[0].paper.id == PID


def test_video_urls_only_when_well_formed_http() -> None:
    good = "https://cdn-uploads.huggingface.co/production/uploads/x/clip.mp4?a=1&b=2"
    for bad in ('https://x.example/v.mp4" onloadstart="alert(1)', "javascript:alert(1)//.mp4",
                "https://x.example/v.mp4><script>alert(1)</script>"):
        out = _check(Digest(day=DAY, entries=(_entry(video=bad, thumbnail=None),)))
        assert "video" not in out.lower()
    out = _check(Digest(day=DAY, entries=(_entry(video=good),)))
    assert 'src="https://cdn-uploads.huggingface.co/production/uploads/x/clip.mp4?a=1&amp;b=2"' in out


def test_llm_text_extractive_quotes_labels_and_claims() -> None:
    sections = (
        Section(label="What's New", text="See [the code](https://evil.example) and https://evil.example/x."),
        Section(label="<b>Bold</b> [label](https://evil.example)", text="Quoted: ![x](https://t.example/p.gif)"),
        Section(label="", text="# Not a heading\n> not a quote\n1. not a list\n| a | b |\n|---|---|",
                emphasis="plain"),
        Section(label="Performance Highlights", text="91.2 on www.evil.example ~~struck~~ `code` &amp; &#60;"),
    )
    claims = (Claim(text="[x](javascript:alert(1)); <i>y</i>", kind="name", status="unsupported",
                    section_label="Performance Highlights"),)
    for model in (None, "extractive"):
        _check(Digest(day=DAY, entries=(_entry(summary=_summary(*sections, model=model, claims=claims)),)))


def test_bidi_overrides_surrogates_and_noncharacters_never_reach_the_file(tmp_path: Path) -> None:
    # U+202E would show the rest of a title reversed; a lone surrogate cannot be written as UTF-8 at all
    odd = "\u202e\u2066\u200e\ud800\udfff\ufdd0\uffff\U0001fffe"
    e = _entry(title=f"Safe{odd}Title", authors=(f"Ann{odd}One", odd),
               summary=_summary(Section(label=f"What's{odd}New", text=f"Line{odd}one\nline\ud800two"),
                                claims=(Claim(text=f"9{odd}1", kind="number", status="unsupported",
                                              section_label=f"What's{odd}New"),)))
    out = _check(Digest(day=DAY, entries=(e,)))
    assert not any(c in out for c in odd)
    assert "### [Safe Title](" in out and "Authors: Ann One\n" in out and "***What's New***: Line one\\\n" in out
    path = tmp_path / "digest.md"
    written = MarkdownPublisher().publish(Digest(day=DAY, entries=(e,)),
                                          PublishContext(settings=Settings(), out=path))
    assert written == [str(path)] and path.read_text(encoding="utf-8") == out


@pytest.mark.parametrize("payload", HOSTILE)
def test_every_payload_in_every_field(payload: str) -> None:
    section = Section(label=payload, text=payload, emphasis="bold_italic")
    plain = Section(label="", text=payload, emphasis="plain")
    claim = Claim(text=payload, kind="name", status="unsupported", section_label=payload)
    e = _entry(title=payload, authors=(payload, "Ann One"), thumbnail=payload, video=payload,
               summary=_summary(section, plain, claims=(claim,)))
    local = Entry(paper=Paper(id="local:0123456789ab", title=payload, links={"file": "/p/x.pdf"}))
    _check(Digest(day=DAY, entries=(e, local)))


# -- property: any digest the tool can produce -----------------------------------------------------------------
@pytest.mark.slow  # many generated examples: seconds of CPU
def test_injection_property() -> None:
    @hypothesis.settings(max_examples=100, deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow])
    @hypothesis.given(digests(), st.sampled_from(HOSTILE))
    def check(d: Digest, payload: str) -> None:
        # the payload in the first entry's title too, where a heading link could be re-pointed
        if d.entries:
            first = d.entries[0]
            d = d.model_copy(update={"entries": (
                first.model_copy(update={"paper": first.paper.model_copy(
                    update={"title": first.paper.title + payload})}), *d.entries[1:])})
        _check(d)

    check()
