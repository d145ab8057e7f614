"""Hypothesis strategies for digests the tool can produce: HF, arXiv and local papers (with and without an id),
every label style, flags, extractive summaries, several-line sections, and text that is hostile to Markdown
(the payloads in HOSTILE) or odd Unicode. Shared by the round-trip and the injection property tests."""

from __future__ import annotations

import datetime as dt
import hashlib

from hypothesis import strategies as st

from dailypapers.models import Claim, Digest, Entry, Paper, Section, Summary

# Strings that would open a construct in a naive renderer: HTML, links, images, emphasis, lists, our own
# line forms and separators.
HOSTILE = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))",
    "](https://arxiv.org/abs/2401.00001)", "![](https://tracker.example/p.gif)", "<https://evil.example>",
    "https://evil.example/x", "_https://evil.example/x", "www.evil.example", "x@evil.example",
    "mailto:x@evil.example", "//evil.example/x", "&lt;b&gt;",
    "&#x3C;script&#x3E;", "**bold**", "_em_", "`code`", "~~gone~~", "\\", "\\\\", "# heading", "> quote",
    "1. item", "3) item", "- item", "+ item", "===", "---", "***", "| a | b |", "Vote: 3", "Authors: x, y",
    "### [T](https://arxiv.org/abs/2401.00002)", "## Daily Papers (2024-01-01)", "- ***What's New***: x",
    "x ⚠️(unverified: 1; 2)", "a; b", "Smith, John", ", ", "<div><video src='x.mp4'></video></div>",
    "[Watch Video](https://evil.example/v.mp4)", "_Extractive summary: sentences quoted from the paper "
    "(no LLM configured)._", "\u202eevil", "\u202e", "\u200f", "\u2066x\u2069", "e\u0301", "가나다", "🙂", "，", "\t",
    "\r\n", "\x00", "\x1b[2J", "\ud800", "x\udfffy", "\ufdd0", "\U0010ffff",
)

# any code point a str may hold, lone surrogates too: a JSON answer ("\ud800") gives them, and the Markdown
# drops them with the other characters that are never text (`text.strip_controls`)
_ODD = st.characters(exclude_categories=())
_PIECE = st.one_of(st.sampled_from(HOSTILE), _ODD, st.sampled_from(list(" \n()[]*_\\`<>&#!,;:-=+|.~")))
_MIXED = st.lists(_PIECE, max_size=12).map("".join)
# a payload alone, or at the end of other text, is where it does most harm (a link or a marker at the end)
text = st.one_of(_MIXED, st.sampled_from(HOSTILE), st.tuples(_MIXED, st.sampled_from(HOSTILE)).map(" ".join))
line = text.map(lambda s: " ".join(s.split()))

_URLS = (
    "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2505.02707.png",
    "https://cdn-uploads.huggingface.co/production/uploads/a/b.png?x=1&y=2#f", "/avatars/5f1c2b9a.svg",
    "javascript:alert(1)", "https://x.example/a.png) ![](https://tracker.example/p.gif) [c](https://evil",
    "https://x.example/a b.png", "data:image/png;base64,AAAA", "http://", "//evil.example/p.gif",
    "https://good.example@evil.example/x", "https://x.example/%zz", "https://x.example/\"onerror=\"a",
)
url = st.none() | st.sampled_from(_URLS)
LABELS = ("What's New", "Technical Details", "Performance Highlights", "Limitations", "Conclusion")
label = st.sampled_from(LABELS) | line


@st.composite
def papers(draw: st.DrawFn, i: int) -> Paper:
    kind = draw(st.sampled_from(["arxiv", "old", "local", "linked"]))
    if kind == "arxiv":
        pid, links = f"25{i % 12 + 1:02d}.{i:05d}", {}
    elif kind == "old":
        pid, links = f"hep-th/99{i % 12 + 1:02d}{i:03d}", {}
    elif kind == "local":  # a PDF without an arXiv id: a content hash, and its file
        pid, links = f"local:{hashlib.sha256(str(i).encode()).hexdigest()[:12]}", {"file": f"/papers/{i}.pdf"}
    else:  # a paper read from an older digest whose title linked elsewhere
        link = draw(st.sampled_from([f"https://example.org/papers/{i}.pdf", "javascript:alert(1)"]))
        pid, links = f"local:{hashlib.sha256(link.encode()).hexdigest()[:12]}", {"abs": link}
    return Paper(id=pid, title=draw(text), authors=tuple(draw(st.lists(text, max_size=4))),
                 upvotes=draw(st.none() | st.integers(-5, 10**6)), thumbnail=draw(url), video=draw(url),
                 links=links, version=draw(st.none() | st.integers(1, 9)))


@st.composite
def summaries(draw: st.DrawFn, paper_id: str) -> Summary:
    sections = tuple(draw(st.lists(
        st.builds(Section, label=label, text=text, emphasis=st.sampled_from(["bold_italic", "bold", "plain"])),
        min_size=1, max_size=5)))
    labels = [s.label for s in sections] + ["not a section"]
    claims = tuple(draw(st.lists(st.builds(
        Claim, text=text, kind=st.sampled_from(["number", "name"]),
        status=st.sampled_from(["supported", "unsupported"]), section_label=st.sampled_from(labels)),
        max_size=4)))
    return Summary(paper_id=paper_id, lang=draw(st.sampled_from(["ko", "en", "ja"])), sections=sections,
                   model=draw(st.sampled_from([None, "extractive", "gpt-4o-mini"])), claims=claims)


@st.composite
def entries(draw: st.DrawFn, i: int) -> Entry:
    paper = draw(papers(i))
    return Entry(paper=paper, summary=draw(st.none() | summaries(paper.id)))


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    n = draw(st.integers(0, 4))
    return Digest(day=draw(st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1))),
                  entries=tuple(draw(entries(i)) for i in range(n)))
