"""The digest Markdown format: the golden sample round-trips byte for byte, older variants parse,
hostile input gets a clear FormatError."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import hypothesis
import pytest
from hypothesis import strategies as st

from dailypapers.digestformat import (
    EXTRACTIVE_LINE,
    normalize_digest,
    paper_id_from_url,
    parse,
    parse_days,
    read_days,
    read_digest,
    render,
)
from dailypapers.errors import FormatError, InputError
from dailypapers.models import Claim, Digest, Entry, Paper, Section, Summary
from dailypapers.verify import audit_digest
from tests.conftest import SEED_FILE
from tests.hostile.bounded import bounded

DATA = Path(__file__).parent / "data"
DAY = dt.date(2025, 1, 2)
LINEAR_SECONDS = 10.0  # per parse of a 10 MB line (each takes well under 1 s)

needs_seed = pytest.mark.skipif(not SEED_FILE.is_file(), reason=f"golden sample not found at {SEED_FILE}")


def _entry(title: str = "A Paper", pid: str = "2501.00001", sections=None, **paper) -> Entry:
    sections = sections if sections is not None else (
        Section(label="What's New", text="New thing."),
        Section(label="Technical Details", text="How it works."),
        Section(label="Performance Highlights", text="It scores 91.2 on X."),
    )
    p = Paper(id=pid, title=title, authors=("Ann One", "Bo Two"), upvotes=5,
              thumbnail=f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{pid}.png")
    p = p.model_copy(update=paper)
    return Entry(paper=p, summary=Summary(paper_id=pid, lang="en", sections=tuple(sections)))


# -- the golden sample -----------------------------------------------------------------------------
@needs_seed
def test_seed_round_trips_byte_for_byte() -> None:
    text = SEED_FILE.read_text(encoding="utf-8")
    assert text.endswith(".\n\n")
    assert render(parse(text)) == text


@needs_seed
def test_seed_records() -> None:
    digest = read_digest(SEED_FILE)
    assert digest.day == dt.date(2025, 5, 6)
    assert len(digest.entries) == 23
    first = digest.entries[0].paper
    assert first.id == "2505.02707"
    assert first.title.startswith("Voila: Voice-Language Foundation Models")
    assert first.upvotes == 56
    assert first.authors == ("Yu Shu", "Guangyi Liu", "Zhiting Hu", "Yemin Shi", "Jaward Sesay", "Jingwen Li",
                             "Siwei Dong")
    assert first.thumbnail == "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2505.02707.png"
    assert first.video is None
    votes = [e.paper.upvotes for e in digest.entries]
    assert votes == sorted(votes, reverse=True)
    for e in digest.entries:
        s = e.summary
        assert s is not None and s.paper_id == e.paper.id and s.lang == "ko" and s.model is None
        assert [x.label for x in s.sections] == ["What's New", "Technical Details", "Performance Highlights"]
    bold = [e for e in digest.entries if e.summary.sections[0].emphasis == "bold"]
    assert [e.paper.title.split(":")[0] for e in bold] == ["Low-Precision Training of Large Language Models"]
    assert all(x.emphasis == "bold" for x in bold[0].summary.sections)
    assert sum(x.emphasis == "bold_italic" for e in digest.entries for x in e.summary.sections) == 22 * 3


# -- rendering -------------------------------------------------------------------------------------
def test_render_exact_modern_entry() -> None:
    digest = Digest(day=DAY, entries=(_entry(),))
    assert render(digest) == (
        "## Daily Papers (2025-01-02)\n\n"
        "### [A Paper](https://arxiv.org/abs/2501.00001)\n\n"
        "![](https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2501.00001.png)\n\n"
        "Vote: 5\n\n"
        "Authors: Ann One, Bo Two\n\n"
        "- ***What's New***: New thing.\n"
        "- ***Technical Details***: How it works.\n"
        "- ***Performance Highlights***: It scores 91.2 on X.\n\n"
    )


def test_render_empty_day_and_entry_without_summary() -> None:
    assert render(Digest(day=DAY)) == "## Daily Papers (2025-01-02)\n\n"
    e = Entry(paper=Paper(id="2501.00009", title="Bare"))
    assert render(Digest(day=DAY, entries=(e,))) == (
        "## Daily Papers (2025-01-02)\n\n### [Bare](https://arxiv.org/abs/2501.00009)\n\n"
    )
    assert parse(render(Digest(day=DAY, entries=(e,)))).entries == (e,)


def test_render_video_entry_uses_the_modern_form() -> None:
    mp4 = "https://cdn-uploads.huggingface.co/production/uploads/x/clip.mp4"
    out = render(Digest(day=DAY, entries=(_entry(video=mp4, thumbnail=None),)))
    tag = f'<div><video controls src="{mp4}" muted="false"></video></div>'
    assert f"\n\n[Watch Video]({mp4})\n{tag}\n\n" in out
    assert "![](" not in out


def test_render_collapses_whitespace_and_keeps_the_lines_of_a_section() -> None:
    e = _entry(title="  Two\nLines\t and   spaces ",
               sections=(Section(label="What's New", text="one\n\ntwo  three"),))
    out = render(Digest(day=DAY, entries=(e,)))
    assert "### [Two Lines and spaces](https://arxiv.org/abs/2501.00001)\n" in out
    # a further line: a hard break, then the line indented under its bullet
    assert "- ***What's New***: one\\\n  two three\n\n" in out
    back = parse(out).entries[0]
    assert back.paper.title == "Two Lines and spaces"
    assert back.summary.sections[0].text == "one\ntwo three"


# -- variants of older days ------------------------------------------------------------------------
def test_early_day_variant() -> None:
    d = read_digest(DATA / "digest_early.md")
    assert d.day == dt.date(2023, 8, 14)
    a, b = d.entries
    assert a.paper.id == "2308.01234" and a.paper.upvotes is None
    assert a.paper.thumbnail == "/avatars/5f1c2b9a0d8e7f6a.svg"
    assert a.paper.authors == ("Ada Quill", "Borislav Tern", "Chiyo Marsh")
    assert len(a.summary.sections) == 4
    assert all(s.label == "" and s.emphasis == "plain" for s in a.summary.sections)
    assert a.summary.sections[2].text.startswith("On the made-up LanternBench")
    assert a.summary.lang == "en"
    assert b.paper.id == "2308.04321" and b.paper.version == 2
    assert b.paper.video == "https://cdn-uploads.huggingface.co/production/uploads/demo/clockwork.mp4"
    assert b.paper.thumbnail is None
    assert b.summary.lang == "ko" and len(b.summary.sections) == 3
    # Re-rendered in the modern form, it reads back to the same records.
    out = render(d)
    assert "[Watch Video](https://cdn-uploads.huggingface.co/production/uploads/demo/clockwork.mp4)\n" in out
    assert "- The authors propose routing" in out
    # The title link is Paper.url, the versionless abs page; everything else reads back unchanged.
    assert "(https://arxiv.org/abs/2308.04321)\n" in out
    unversioned = b.model_copy(update={"paper": b.paper.model_copy(update={"version": None})})
    assert parse(out) == d.model_copy(update={"entries": (a, unversioned)})


def test_video_entry_extra_labels_and_cdn_thumbnails() -> None:
    d = read_digest(DATA / "digest_video.md")
    boats, kettle = d.entries
    assert boats.paper.video == "https://cdn-uploads.huggingface.co/production/uploads/demo/boats.mp4"
    assert boats.paper.upvotes == 12
    assert [(s.label, s.emphasis) for s in boats.summary.sections] == [
        ("What's New", "bold_italic"), ("Technical Details", "bold_italic"),
        ("Performance Highlights", "bold_italic"), ("Limitations", "bold"), ("Conclusion", "bold_italic"),
    ]
    assert kettle.paper.thumbnail == "https://cdn-avatars.huggingface.co/v1/production/uploads/kettle.png"
    assert kettle.summary.lang == "en"
    # This file is already in the modern form: byte-exact.
    assert render(d) == (DATA / "digest_video.md").read_text(encoding="utf-8")


def test_image_right_under_title_and_crlf_and_wrapped_bullet() -> None:
    text = (
        "## Daily Papers (2023-02-01)\r\n"
        "### [Tiny](https://arxiv.org/abs/2302.00001)\r\n"
        "![](https://cdn-uploads.huggingface.co/production/uploads/t.png)\r\n"
        "Authors: Solo Author\r\n"
        "- A first sentence that was\r\n"
        "  wrapped onto a second line.\r\n"
        "- A second sentence.\r\n"
    )
    parsed = parse_days(text)
    assert parsed.oddities == ()
    e = parsed.one().entries[0]
    assert e.paper.thumbnail == "https://cdn-uploads.huggingface.co/production/uploads/t.png"
    assert [s.text for s in e.summary.sections] == [
        "A first sentence that was wrapped onto a second line.", "A second sentence."]


def test_arxiv_urls_and_non_arxiv_links() -> None:
    assert paper_id_from_url("https://arxiv.org/abs/2505.02707") == ("2505.02707", None, {})
    assert paper_id_from_url("http://arxiv.org/abs/2505.02707v3") == ("2505.02707", 3, {})
    assert paper_id_from_url("https://arxiv.org/pdf/2505.02707v1.pdf") == ("2505.02707", 1, {})
    assert paper_id_from_url("https://arxiv.org/abs/hep-th/9901001v2") == ("hep-th/9901001", 2, {})
    pid, version, links = paper_id_from_url("https://example.org/papers/42.pdf")
    assert pid.startswith("local:") and len(pid) == len("local:") + 12 and version is None
    assert links == {"abs": "https://example.org/papers/42.pdf"}
    # A local paper renders its own link and reads back to the same id.
    e = _entry(pid=pid, links=links, thumbnail=None)
    out = render(Digest(day=DAY, entries=(e,)))
    assert "### [A Paper](https://example.org/papers/42.pdf)\n" in out
    assert parse(out).entries[0].paper.id == pid


# -- titles with Markdown, HTML, brackets ----------------------------------------------------------
@pytest.mark.parametrize("title", [
    "Brackets [in] the title",
    "Ends with a bracket]",
    "Parens (v2) and ](https://evil.example/x) inside",
    "A title](",
    "**Bold** _em_ `code` # not a heading",
    "<script>alert('x')</script> & <b>html</b>",
    "[Nested [links]](https://a.example/)",
    "트랜스포머 [제목] (괄호)",
])
def test_hostile_titles_round_trip(title: str) -> None:
    d = Digest(day=DAY, entries=(_entry(title=title),))
    out = render(d)
    assert parse(out) == d
    assert render(parse(out)) == out


def test_a_title_link_that_is_not_http_is_dropped_and_the_entry_kept() -> None:
    parsed = parse_days("## Daily Papers (2025-01-02)\n\n### [x](javascript:alert(1))\n\nVote: 2\n", source="d.md")
    [entry] = parsed.one().entries
    assert entry.paper.title == "x" and entry.paper.upvotes == 2
    assert entry.paper.id.startswith("local:") and entry.paper.links == {}
    [odd] = parsed.oddities
    assert str(odd).startswith("d.md:3: a title whose link is not a well-formed http(s) URL")
    assert "javascript" not in render(parsed.one())


# -- markers ---------------------------------------------------------------------------------------
def _flagged() -> Entry:
    e = _entry()
    claims = (
        Claim(text="91.2", kind="number", status="unsupported", section_label="Performance Highlights"),
        Claim(text="X", kind="name", status="unsupported", section_label="Performance Highlights"),
        Claim(text="New", kind="name", status="unsupported", section_label="What's New"),
    )
    return e.model_copy(update={"summary": e.summary.model_copy(update={"claims": claims})})


def test_flag_marker_round_trip() -> None:
    d = Digest(day=DAY, entries=(_flagged(),))
    out = render(d)
    assert "- ***What's New***: New thing. ⚠️(unverified: New)\n" in out
    assert "- ***Performance Highlights***: It scores 91.2 on X. ⚠️(unverified: 91.2; X)\n" in out
    assert "- ***Technical Details***: How it works.\n" in out
    back = parse(out).entries[0].summary
    assert [s.text for s in back.sections] == ["New thing.", "How it works.", "It scores 91.2 on X."]
    assert set(back.claims) == set(d.entries[0].summary.claims)
    assert render(parse(out)) == out


def test_supported_claims_and_show_flags_false_render_no_marker() -> None:
    d = Digest(day=DAY, entries=(_flagged(),))
    assert "⚠️" not in render(d, show_flags=False)
    e = _entry()
    ok = Claim(text="91.2", kind="number", status="supported", section_label="Performance Highlights")
    d2 = Digest(day=DAY, entries=(e.model_copy(update={"summary": e.summary.model_copy(
        update={"claims": (ok,)})}),))
    assert "⚠️" not in render(d2)


def test_extractive_marker_round_trip() -> None:
    e = _entry()
    e = e.model_copy(update={"summary": e.summary.model_copy(update={"model": "extractive"})})
    out = render(Digest(day=DAY, entries=(e,)))
    assert f"Authors: Ann One, Bo Two\n\n{EXTRACTIVE_LINE}\n\n- ***What's New***" in out
    back = parse(out).entries[0].summary
    assert back.model == "extractive"
    assert render(parse(out)) == out
    assert EXTRACTIVE_LINE not in render(Digest(day=DAY, entries=(_entry(),)))


# -- hostile and broken input ----------------------------------------------------------------------
def test_empty_and_non_digest_text() -> None:
    with pytest.raises(FormatError, match="empty file"):
        parse("")
    with pytest.raises(FormatError, match="empty file"):
        parse("\n \n")
    with pytest.raises(FormatError, match=r"line 1: not a digest"):
        parse("# My notes\n\nhello\n")
    with pytest.raises(FormatError, match=r"line 1: bad date '2025-13-45'"):
        parse("## Daily Papers (2025-13-45)\n")
    with pytest.raises(FormatError, match="bad date 'May 6'"):
        parse("## Daily Papers (May 6)\n")


def test_odd_lines_are_kept_and_reported_with_their_line() -> None:
    text = ("## Daily Papers (2025-01-02)\n\nA preamble nobody asked for\n\n"
            "### [T](https://arxiv.org/abs/2501.00001)\n\nVote: 3\n\nwhat is this\n\nVote: 4\n\n"
            "Vote: many\n")
    parsed = parse_days(text, source="d.md")
    [entry] = parsed.one().entries
    assert entry.paper.upvotes == 3  # the first Vote line; the others are kept as text
    assert [s.text for s in entry.summary.sections] == ["what is this\nVote: 4\nVote: many"]
    assert [str(o) for o in parsed.oddities] == [
        "d.md:3: a line outside any entry was skipped: 'A preamble nobody asked for'",
        "d.md:9: a line that is no part of an entry was kept as a summary line: 'what is this'",
        "d.md:11: a second Vote line in the same entry, kept as text (the first one counts)",
        "d.md:13: a second Vote line in the same entry, kept as text (the first one counts)",
    ]
    bad = parse_days(text.replace("Vote: 3", "Vote: many"), source="d.md")
    assert bad.one().entries[0].paper.upvotes is None  # the first Vote line decides, even when unreadable
    assert str(bad.oddities[1]) == "d.md:7: a vote count that is not a number, read as unknown: 'Vote: many'"


def test_title_line_forms() -> None:
    assert parse("## Daily Papers (2025-01-02)\n\n###\n").entries[0].paper.title == ""
    bare = parse_days("## Daily Papers (2025-01-02)\n\n### Just A Title\n\nAuthors: Ann\n")
    [e] = bare.one().entries
    assert e.paper.title == "Just A Title" and e.paper.id.startswith("local:")
    assert "a title without a link" in bare.oddities[0].message
    # the id comes from the title and the authors, so it is stable and two such papers do not collide
    again = parse("## Daily Papers (2025-01-02)\n\n### [Just A Title]()\n\nAuthors: Ann\n").entries[0]
    other = parse("## Daily Papers (2025-01-02)\n\n### [Just A Title]()\n\nAuthors: Bo\n").entries[0]
    assert again.paper.id == e.paper.id != other.paper.id


def test_oddities_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from dailypapers.digestformat import parsing

    monkeypatch.setattr(parsing, "MAX_ODDITIES", 3)
    parsed = parse_days("## Daily Papers (2025-01-02)\n\n" + "stray\n" * 10)
    assert [o.message for o in parsed.oddities][-1] == "and 7 more oddities"
    assert len(parsed.oddities) == 4


def test_read_digest_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_digest(tmp_path / "nope.md")
    with pytest.raises(InputError, match="is a directory"):
        read_digest(tmp_path)
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(FormatError, match="binary file"):
        read_digest(binary)
    latin = tmp_path / "l.md"
    latin.write_bytes("## Daily Papers (2025-01-02)\n\n### [Caf\xe9](https://arxiv.org/abs/2501.00001)\n"
                      .encode("latin-1"))
    with pytest.raises(FormatError, match=r"l\.md: not UTF-8 text \(byte 0xe9 at offset 38\)"):
        read_digest(latin)
    empty = tmp_path / "e.md"
    empty.write_bytes(b"")
    with pytest.raises(FormatError, match="empty file"):
        read_digest(empty)


def test_file_over_the_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dailypapers.digestformat import parsing

    monkeypatch.setattr(parsing, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.md"
    big.write_text("## Daily Papers (2025-01-02)\n\n" + "x" * 2000, encoding="utf-8")
    with pytest.raises(InputError, match="over the 1,000-byte limit"):
        read_digest(big)


@pytest.mark.slow  # megabytes and many examples: seconds of CPU
def test_ten_megabyte_lines_are_linear() -> None:
    # Each parse is bounded in time: a quadratic step on a 10 MB line takes hours, a linear one well under 1 s.
    def timed(text: str) -> Digest:
        return bounded(lambda: parse(text), LINEAR_SECONDS)

    head = "## Daily Papers (2025-01-02)\n\n### [T](https://arxiv.org/abs/2501.00001)\n\n"
    huge = "x" * 10_000_000
    parsed = bounded(lambda: parse_days(head + huge + "\n"), LINEAR_SECONDS)
    assert parsed.oddities[0].line == 5 and len(parsed.one().entries[0].summary.sections[0].text) == 10_000_000
    # A 10 MB summary bullet is read as one section.
    d = timed(head + "- ***What's New***: " + huge + "\n")
    assert len(d.entries[0].summary.sections[0].text) == 10_000_000
    # A 10 MB title line full of near-links: no quadratic search for the link.
    d = timed("## Daily Papers (2025-01-02)\n\n### [" + "](x" * 3_000_000 + ")\n")
    assert d.entries[0].paper.id.startswith("local:")
    d = timed(head + "![](" + "(" * 10_000_000 + "\n")
    assert d.entries[0].paper.thumbnail is None
    d = timed(head + "Authors: " + "\\," * 3_000_000 + "\n")
    assert d.entries[0].paper.authors == ("," * 3_000_000,)
    # 10 MB video tag lines: "<video" over and over (a search from every "<video" for a later "src=" was
    # quadratic: 16,000 of them took 11 s), and a tag whose attributes or URL never end
    for line in ("<video" * 1_700_000, "<div><video" * 1_000_000, "<video " + huge, "<video src='" + huge):
        parsed = bounded(lambda line=line: parse_days(head + line + "\n"), LINEAR_SECONDS)
        assert parsed.one().entries[0].paper.video is None
        assert "a video line without a well-formed http(s) URL" in parsed.oddities[0].message
    d = timed(head + "<video src='https://x.example/v.mp4' " + huge + "\n")
    assert d.entries[0].paper.video == "https://x.example/v.mp4"
    # 20,000 lines under one bullet, wrapped, hard-broken or odd: each joined once, not copied per line
    bullet = "- ***What's New***: x\n"
    assert timed(head + bullet + "  w\n" * 20_000).entries[0].summary.sections[0].text == "x" + " w" * 20_000
    assert timed(head + bullet.replace("x", "x\\") + "  y\\\n" * 20_000 + "  z\n").entries[0].summary.sections[
        0].text == "x\n" + "y\n" * 20_000 + "z"
    assert timed(head + bullet + "1. odd\n" * 20_000).entries[0].summary.sections[0].text == "x" + "\n1. odd" * 20_000


# -- the variants of the real archive ----------------------------------------------------------------
def test_archive_variants_keep_every_entry_and_read_back_the_same() -> None:
    parsed = read_days(DATA / "digest_variants.md")
    teapot, lantern, quiet = parsed.one().entries
    assert teapot.paper.upvotes is None  # "Vote: -"
    # a numbered list under a bullet: kept verbatim as further lines of that section
    assert teapot.summary.sections[1].text == (
        "The model has three parts:\n1. **Tokenizer**: splits the input into leaves.\n"
        "2. **Infuser**: mixes the leaves for 3 steps.\n3) **Pourer**: decodes one cup at a time.")
    assert [s.label for s in teapot.summary.sections] == ["What's New", "Technical Details",
                                                        "Performance Highlights"]
    # "[Watch Video]URL" without parentheses, then the <video> line
    assert lantern.paper.video == "https://cdn-uploads.huggingface.co/production/uploads/demo/lantern.mp4"
    assert lantern.paper.title == "Lantern Memory for Long Videos" and lantern.paper.upvotes == 9
    assert lantern.summary.sections[1].text == "메모리 크기는 다음 식으로 정합니다.\nx=log10(memory-size), y=x*2"
    assert quiet.paper.authors == ("Smith, John", "Lena Moreau")
    # the day was written twice: one day, each paper once, every oddity reported with its line
    assert [(o.line, o.message.split(":")[0]) for o in parsed.oddities] == [
        (13, "lines under a summary bullet were kept as further lines of that section"),
        (29, "lines under a summary bullet were kept as further lines of that section"),
        (32, "the header of 2024-03-05 again"),
        (34, "2403.01111 is listed again (first at line 3; the same entry)"),
        (44, "lines under a summary bullet were kept as further lines of that section"),
        (49, "2403.02222 is listed again (first at line 18; it differs in title, votes, summary)"),
    ]
    # render writes every variant back in the modern form, which reads back to the same records, oddity-free
    out = render(parsed.one())
    again = parse_days(out)
    assert again.oddities == () and again.one() == parsed.one()
    assert "  1\\. \\*\\*Tokenizer\\*\\*: splits the input into leaves.\\\n" in out
    assert "Authors: Smith\\, John, Lena Moreau\n" in out


def test_a_file_with_two_days_gives_two_days() -> None:
    text = ("## Daily Papers (2024-03-05)\n\n### [A](https://arxiv.org/abs/2403.00001)\n\n"
            "## Daily Papers (2024-03-06)\n\n### [B](https://arxiv.org/abs/2403.00002)\n\n"
            "## Daily Papers (2024-03-05)\n\n### [C](https://arxiv.org/abs/2403.00003)\n")
    parsed = parse_days(text, source="two.md")
    assert [(d.day.day, [e.paper.title for e in d.entries]) for d in parsed.days] == [(5, ["A", "C"]), (6, ["B"])]
    assert [o.line for o in parsed.oddities] == [5, 9]
    with pytest.raises(FormatError, match=r"two.md: this file holds 2 days \(2024-03-05, 2024-03-06\)"):
        parse(text, source="two.md")


def test_a_local_paper_without_a_link_round_trips_through_its_anchor() -> None:
    paper = Paper(id="local:0123456789ab", title="Libtasn1", links={"file": "/home/u/papers/libtasn1.pdf"})
    out = render(Digest(day=DAY, entries=(Entry(paper=paper),)))
    assert "### [Libtasn1](#local-0123456789ab)\n" in out and "/home/u" not in out
    parsed = parse_days(out)
    assert parsed.oddities == ()
    assert parsed.one().entries[0].paper == Paper(id="local:0123456789ab", title="Libtasn1")
    # what older versions wrote for such a paper is read too, with a stable id from its title
    old = parse_days("## Daily Papers (2025-01-02)\n\n### [Libtasn1]()\n")
    assert old.one().entries[0].paper.id.startswith("local:") and "without a link" in old.oddities[0].message


# -- property: render/parse round trip -------------------------------------------------------------
@pytest.mark.slow  # megabytes and many examples: seconds of CPU
def test_round_trip_property() -> None:
    from tests.digestgen import digests

    @hypothesis.settings(max_examples=150, deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow])
    @hypothesis.given(digests(), st.booleans())
    def check(d: Digest, show_flags: bool) -> None:
        out = render(d, show_flags=show_flags)
        parsed = parse_days(out)
        assert parsed.oddities == ()  # the tool's own output is never odd
        back = parsed.one()
        expected = normalize_digest(d)
        if not show_flags:
            expected = expected.model_copy(update={"entries": tuple(
                e.model_copy(update={"summary": e.summary.model_copy(update={"claims": ()})}) if e.summary else e
                for e in expected.entries)})
        assert back == expected
        assert render(back, show_flags=show_flags) == out
        # verify reads it: one audit per entry, each summary checked against a text
        texts = {e.paper.id: "\n".join(s.text for s in e.summary.sections) for e in back.entries if e.summary}
        audits = audit_digest(back, texts)
        assert [a.paper_id for a in audits] == [e.paper.id for e in back.entries]
        assert all(a.status != "no text" for a in audits)

    check()


def test_title_links_use_the_arxiv_id_grammar() -> None:
    from dailypapers.digestformat import paper_id_from_url

    assert paper_id_from_url("https://arxiv.org/abs/2505.02707v3") == ("2505.02707", 3, {})
    assert paper_id_from_url("https://arxiv.org/pdf/hep-th/9901001.pdf")[:2] == ("hep-th/9901001", None)
    assert paper_id_from_url("https://arxiv.org/abs/2505.02707?context=cs")[0] == "2505.02707"
    # month 99 is no arXiv id: the link is kept as a local paper's link, not read as arXiv
    pid, version, links = paper_id_from_url("https://arxiv.org/abs/2599.00001")
    assert pid.startswith("local:") and version is None and links == {"abs": "https://arxiv.org/abs/2599.00001"}


# -- the file it writes ----------------------------------------------------------------------------
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_written_files_get_the_umask_mode_and_keep_a_mode_set_since(tmp_path: Path, umask: int, mode: int) -> None:
    import os
    import stat

    from dailypapers.publish.files import current_umask, write_atomic

    target = tmp_path / "2025" / "01" / "02.md"
    old = os.umask(umask)
    try:
        assert current_umask() == umask
        write_atomic(target, render(Digest(day=DAY, entries=(_entry(),))))
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == mode
    target.chmod(0o604)  # the user's choice survives the next write
    write_atomic(target, "again\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o604 and target.read_text() == "again\n"
    assert [p.name for p in target.parent.iterdir()] == ["02.md"]
