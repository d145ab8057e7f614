"""What the digest format carries of a record: `normalize` is what `parse(render(...))` gives back, and
`paper_id_from_url` the id a title link stands for (see the package docstring)."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote, unquote

from dailypapers.arxiv_id import canonical_id
from dailypapers.digestformat.escaping import safe_url
from dailypapers.digestformat.syntax import ID_ANCHOR, LOCAL_ANCHOR, MAX_LABEL_CHARS, MAX_VOTES
from dailypapers.errors import InputError
from dailypapers.models import Claim, Digest, Entry, Paper, Section, Summary, first_per_paper
from dailypapers.text import HANGUL, clean_line

_DIGIT = re.compile(r"\d")


def title_link(paper: Paper) -> str:
    """The link `render` writes for a paper: its URL when well-formed, else an anchor named after its id."""
    url = safe_url(paper.url)
    if url is not None:
        return url
    if paper.id.startswith("local:"):
        return LOCAL_ANCHOR + quote(paper.id[len("local:") :], safe="")
    return ID_ANCHOR + quote(paper.id, safe="")


def normalize(entry: Entry) -> Entry:
    """The entry as the Markdown carries it: what `parse(render(...))` gives back.

    Text fields collapsed to one line (section texts line by line) without control characters, bidi marks,
    lone surrogates or noncharacters (`text.strip_controls`); URLs only when `safe_url`; a video entry has no
    thumbnail; the id, version and links as the title link says; the summary's language guessed from its
    text (Korean or English), its model only "extractive", its claims only the unsupported ones that have a
    section to be shown in."""
    p = entry.paper
    paper_id, version, links = paper_id_from_url(title_link(p))
    authors = tuple(a for a in (clean_line(x) for x in p.authors) if a)
    video = safe_url(clean_line(p.video or ""))
    thumbnail = None if video else safe_url(clean_line(p.thumbnail or ""), relative=True)
    upvotes = p.upvotes if p.upvotes is not None and abs(p.upvotes) < MAX_VOTES else None
    paper = Paper(id=paper_id, version=version, title=clean_line(p.title), authors=authors, upvotes=upvotes,
                  thumbnail=thumbnail, video=video, links=links)
    s = entry.summary
    if s is None or not s.sections:
        return Entry(paper=paper)
    sections = tuple(_normal_section(x) for x in s.sections)
    by_label: dict[str, list[str]] = {}
    for c in s.unsupported:
        claim = clean_line(c.text)
        if claim:
            by_label.setdefault(c.section_label, []).append(claim)
    # a section shows the claims filed under its label, once per label (the first such section); labels that
    # normalize alike (every plain section has "") pool their claims under the first section that has it
    shown: dict[str, list[str]] = {}
    for original, sec in zip(s.sections, sections, strict=True):
        shown.setdefault(sec.label, []).extend(by_label.pop(original.label, []))
    claims = [flag_claim(text, sec.label) for sec in sections for text in shown.pop(sec.label, [])]
    summary = Summary(paper_id=paper_id, lang=guess_lang(sections), sections=sections,
                      model="extractive" if s.model == "extractive" else None, claims=tuple(claims))
    return Entry(paper=paper, summary=summary)


def normalize_digest(digest: Digest) -> Digest:
    """The day as its Markdown carries it: each entry normalized, a paper listed twice kept once."""
    return digest.model_copy(update={"entries": tuple(first_per_paper(normalize(e) for e in digest.entries))})


def _normal_section(sec: Section) -> Section:
    text = "\n".join(section_lines(sec.text))
    label = clean_line(sec.label)[: MAX_LABEL_CHARS // 2].rstrip()  # escaped, it still fits the label grammar
    if sec.emphasis == "plain" or not label:
        return Section(label="", text=text, emphasis="plain")
    return Section(label=label, text=text, emphasis=sec.emphasis)


def flag_claim(text: str, label: str) -> Claim:
    return Claim(text=text, kind="number" if _DIGIT.search(text) else "name", status="unsupported",
                 section_label=label)


def guess_lang(sections: tuple[Section, ...]) -> str:
    return "ko" if any(HANGUL.search(s.text) for s in sections) else "en"


def section_lines(text: str) -> list[str]:
    """A section text as the lines it is written in: each collapsed to single spaces, empty ones dropped."""
    return [x for x in (clean_line(line) for line in text.split("\n")) if x]


def paper_id_from_url(url: str) -> tuple[str, int | None, dict[str, str]]:
    """The paper id, version and links a title link stands for.

    arXiv abs/pdf links give the canonical id (version apart); an anchor `#local-<x>` gives `local:<x>`; any
    other link gives `local:<12 hex>` of the link and is kept as `links["abs"]`, which `Paper.url` renders back.
    """
    if url.startswith(LOCAL_ANCHOR):
        return "local:" + unquote(url[len(LOCAL_ANCHOR) :]), None, {}
    if url.startswith(ID_ANCHOR):
        return unquote(url[len(ID_ANCHOR) :]), None, {}
    try:
        paper_id, version = canonical_id(url)
    except InputError:
        return "local:" + hashlib.sha256(url.encode()).hexdigest()[:12], None, {"abs": url}
    return paper_id, version, {}

