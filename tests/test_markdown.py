"""The digest Markdown format: the golden sample round-trips byte for byte, older variants parse,
hostile input gets a clear FormatError."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dailypapers.errors import FormatError, InputError
from dailypapers.models import Claim, Digest, Entry, Paper, Section, Summary
from dailypapers.publish.markdown import EXTRACTIVE_LINE, paper_id_from_url, parse, read_digest, render
from tests.conftest import SEED_FILE

DATA = Path(__file__).parent / "data"
DAY = dt.date(2025, 1, 2)

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


def test_render_collapses_whitespace_in_titles_and_texts() -> None:
    e = _entry(title="  Two\nLines\t and   spaces ",
               sections=(Section(label="What's New", text="one\n\ntwo  three"),))
    out = render(Digest(day=DAY, entries=(e,)))
    assert "### [Two Lines and spaces](https://arxiv.org/abs/2501.00001)\n" in out
    assert "- ***What's New***: one two three\n" in out
    back = parse(out).entries[0]
    assert back.paper.title == "Two Lines and spaces"
    assert back.summary.sections[0].text == "one two three"


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
    e = parse(text).entries[0]
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


def test_title_link_must_be_http() -> None:
    with pytest.raises(FormatError, match="line 3"):
        parse("## Daily Papers (2025-01-02)\n\n### [x](javascript:alert(1))\n")


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


def test_unplaceable_line_names_its_number() -> None:
    text = ("## Daily Papers (2025-01-02)\n\n### [T](https://arxiv.org/abs/2501.00001)\n\n"
            "Vote: 3\n\nwhat is this\n")
    with pytest.raises(FormatError, match=r"line 7: cannot place this line"):
        parse(text)
    with pytest.raises(FormatError, match=r"d.md:5: bad vote count"):
        parse(text.replace("Vote: 3", "Vote: many"), source="d.md")
    with pytest.raises(FormatError, match=r"line 3: expected an entry title"):
        parse("## Daily Papers (2025-01-02)\n\nVote: 3\n")
    with pytest.raises(FormatError, match=r"line 7: a second Vote line"):
        parse(text.replace("what is this", "Vote: 4"))


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
    from dailypapers.publish import markdown

    monkeypatch.setattr(markdown, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.md"
    big.write_text("## Daily Papers (2025-01-02)\n\n" + "x" * 2000, encoding="utf-8")
    with pytest.raises(InputError, match="over the 1,000-byte limit"):
        read_digest(big)


def test_ten_megabyte_lines_are_linear() -> None:
    head = "## Daily Papers (2025-01-02)\n\n### [T](https://arxiv.org/abs/2501.00001)\n\n"
    huge = "x" * 10_000_000
    with pytest.raises(FormatError, match="line 5: cannot place"):
        parse(head + huge + "\n")
    # A 10 MB summary bullet is read as one section.
    d = parse(head + "- ***What's New***: " + huge + "\n")
    assert len(d.entries[0].summary.sections[0].text) == 10_000_000
    # A 10 MB title line full of near-links: no quadratic search for the link.
    with pytest.raises(FormatError, match="without an http"):
        parse("## Daily Papers (2025-01-02)\n\n### [" + "](x" * 3_000_000 + ")\n")
    with pytest.raises(FormatError, match="bad image line"):
        parse(head + "![](" + "(" * 10_000_000 + "\n")


# -- property: render/parse round trip -------------------------------------------------------------
def test_round_trip_property() -> None:
    import hypothesis
    from hypothesis import strategies as st

    words = st.text(alphabet="abcXYZ019 가나다()[]<>&_`#.,!?'\"", min_size=1, max_size=30).map(
        lambda s: " ".join(s.replace(",", " ").split())).filter(bool)
    label = st.sampled_from(["What's New", "Technical Details", "Performance Highlights", "Limitations"])
    section = st.builds(lambda lab, text, emph: Section(label="" if emph == "plain" else lab, text=text,
                                                        emphasis=emph),
                        label, words.filter(lambda t: not t.startswith(("*", "-"))),
                        st.sampled_from(["bold_italic", "bold", "plain"]))

    @st.composite
    def entries(draw, i: int) -> Entry:
        pid = f"2501.{i:05d}"
        video = draw(st.booleans())
        paper = Paper(
            id=pid, title=draw(words), authors=tuple(draw(st.lists(words, max_size=4))),
            upvotes=draw(st.none() | st.integers(0, 10_000)),
            thumbnail=None if video else f"https://cdn-uploads.huggingface.co/{i}.png",
            video=f"https://cdn-uploads.huggingface.co/{i}.mp4" if video else None,
        )
        secs = tuple(draw(st.lists(section, min_size=1, max_size=5)))
        text = " ".join(s.text for s in secs)
        lang = "ko" if any("\uac00" <= c <= "\ud7a3" for c in text) else "en"
        summary = Summary(paper_id=pid, lang=lang, sections=secs,
                          model=draw(st.sampled_from([None, "extractive"])))
        return Entry(paper=paper, summary=summary)

    @st.composite
    def digests(draw) -> Digest:
        n = draw(st.integers(0, 4))
        return Digest(day=draw(st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1))),
                      entries=tuple(draw(entries(i)) for i in range(n)))

    @hypothesis.settings(max_examples=150, deadline=None)
    @hypothesis.given(digests())
    def check(d: Digest) -> None:
        out = render(d)
        assert parse(out) == d
        assert render(parse(out)) == out

    check()


def test_title_links_use_the_arxiv_id_grammar() -> None:
    from dailypapers.publish.markdown import paper_id_from_url

    assert paper_id_from_url("https://arxiv.org/abs/2505.02707v3") == ("2505.02707", 3, {})
    assert paper_id_from_url("https://arxiv.org/pdf/hep-th/9901001.pdf")[:2] == ("hep-th/9901001", None)
    assert paper_id_from_url("https://arxiv.org/abs/2505.02707?context=cs")[0] == "2505.02707"
    # month 99 is no arXiv id: the link is kept as a local paper's link, not read as arXiv
    pid, version, links = paper_id_from_url("https://arxiv.org/abs/2599.00001")
    assert pid.startswith("local:") and version is None and links == {"abs": "https://arxiv.org/abs/2599.00001"}
