"""Full text: PDF/HTML/text -> sections, token budget and counting, hostile PDFs, concurrent downloads."""

from __future__ import annotations

import asyncio

import pytest

from dailypapers import documents
from dailypapers.config import Settings
from dailypapers.errors import PaperTextError
from dailypapers.http import Http
from dailypapers.models import Document, Paper, TextSection
from tests.helpers import fetch_document
from tests.papergen import make_paper
from tests.pdfgen import corrupt_pdf, empty_pdf, encrypted_pdf, html_bytes, huge_pdf, make_pdf, truncated_pdf
from tests.standins.base import Reply
from tests.standins.hf_arxiv import HfArxivStandIn, arxiv_html

KINDS = ["title", "abstract", "introduction", "other", "method", "results", "results", "conclusion",
         "references", "appendix"]


def test_pdf_sections_and_pages() -> None:
    synth = make_paper("2606.00001", pages=8)
    doc = documents.extract_pdf(make_pdf(synth), synth.arxiv_id, max_pages=300)
    assert doc.origin == "pdf"
    assert doc.page_count >= 5
    assert [s.kind for s in doc.sections] == KINDS
    assert [s.heading for s in doc.sections][2:] == [h for h, _ in synth.sections]
    assert doc.sections[0].text.splitlines()[0] == synth.title
    pages = [s.page for s in doc.sections]
    assert pages[0] == 1 and pages == sorted(pages) and 1 < pages[-1] <= doc.page_count
    for fact in synth.facts.values():
        assert fact in doc.text


def test_html_sections_skip_scripts_and_math_source() -> None:
    synth = make_paper("2606.00002", pages=3)
    doc = documents.parse_html(arxiv_html(synth), synth.arxiv_id)
    assert doc.origin == "html"
    assert [s.kind for s in doc.sections] == KINDS
    assert doc.sections[2].heading == "1 Introduction"
    assert doc.sections[-1].heading == "Appendix A Additional Results"
    assert synth.title in doc.sections[0].text
    assert "not paper text" not in doc.text and "x^2" not in doc.text and "Table of contents" not in doc.text
    assert synth.facts["accuracy"] in doc.text


# Hand-written in the shape of arXiv's LaTeXML output (names and places made up): inline creator spans,
# <br> between a name and its affiliation, separators in ltx_author_before, source line breaks inside spans.
LATEXML_AUTHORS = """<!DOCTYPE html><html><head><title>[2606.09999] Quiet Gradients</title></head><body>
<article class="ltx_document ltx_authors_1line">
<h1 class="ltx_title ltx_title_document">Quiet Gradients:
 Sparse Updates for Small Models</h1>
<div class="ltx_authors">
<span class="ltx_creator ltx_role_author">
<span class="ltx_personname">Lena Varga<br class="ltx_break">Northfield
 Institute of Computing<br class="ltx_break"><span class="ltx_text ltx_font_typewriter">lena@example.org</span>
</span></span><span class="ltx_author_before">, </span><span class="ltx_creator ltx_role_author">
<span class="ltx_personname">Rafael Varga<sup class="ltx_sup">*</sup></span>
<span class="ltx_author_notes"><span class="ltx_contact ltx_role_affiliation">Lakeside University</span></span>
</span><span class="ltx_author_before"> and </span><span class="ltx_creator ltx_role_author">
<span class="ltx_personname">Tomoko Ibarra</span></span>
</div>
<div class="ltx_abstract"><h6 class="ltx_title ltx_title_abstract">Abstract</h6>
<p class="ltx_p">We study sparse gradient updates for small language models and report what they save.</p></div>
<section class="ltx_section"><h2 class="ltx_title ltx_title_section">1 Introduction</h2>
<div class="ltx_para"><p class="ltx_p">Small models are trained on small budgets, so every update counts and
every skipped update saves compute that can be spent elsewhere in training.</p></div></section>
</article></body></html>"""


def test_html_authors_are_separate_lines_and_the_title_stands_alone() -> None:
    doc = documents.parse_html(LATEXML_AUTHORS, "2606.09999")
    title = doc.sections[0]
    assert title.kind == "title"
    assert title.text.splitlines() == [
        "Quiet Gradients: Sparse Updates for Small Models",
        "Lena Varga", "Northfield Institute of Computing", "lena@example.org",
        "Rafael Varga*", "Lakeside University",
        "Tomoko Ibarra",
    ]
    assert "[2606.09999]" not in doc.text  # <title> only repeats the h1
    assert [s.kind for s in doc.sections[1:]] == ["abstract", "introduction"]
    # body paragraphs are still reflowed: the source line break inside the paragraph is a space
    assert "counts and every skipped update" in doc.sections[2].text


def test_standin_html_authors_follow_latexml_and_parse_one_per_line() -> None:
    synth = make_paper("2606.00004", pages=1)
    html = arxiv_html(synth)
    assert "ltx_author_before" in html and "<br class='ltx_break'>" in html  # the real shape, not a shortcut
    lines = documents.parse_html(html, synth.arxiv_id).sections[0].text.splitlines()
    assert lines[0] == synth.title
    assert [line for line in lines if line in synth.authors] == synth.authors
    assert not any(a in line and line != a for line in lines for a in synth.authors)  # nothing run together


def test_plain_text_sections() -> None:
    synth = make_paper("2606.00003", pages=2)
    doc = documents.from_text(synth.text(), synth.arxiv_id)
    assert [s.kind for s in doc.sections] == KINDS


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("3 Method", "method"), ("3. Methods", "method"), ("2 Our Approach", "method"),
        ("4.1 Experimental Setup", "results"), ("IV. EXPERIMENTS", "results"), ("5 Evaluation", "results"),
        ("6 Conclusions and Future Work", "conclusion"), ("References", "references"),
        ("Bibliography", "references"), ("Appendix B Proofs", "appendix"), ("1 INTRODUCTION", "introduction"),
        ("2 Related Work", "other"),
    ],
)
def test_section_kind(heading: str, kind: str) -> None:
    assert documents.section_kind(heading) == kind


def test_heading_detection_rejects_body_lines() -> None:
    text = (
        "A Title Line\n\nAbstract\n\nShort abstract here.\n\n1 Introduction\n\nIntro text.\n"
        "3 epochs with a batch of 256 sequences\nA model with two heads is used.\n"
        "II. BACKGROUND\n\nBackground text.\n\n2.1 Setup details\n\nWe use 8 GPUs.\n"
    )
    doc = documents.from_text(text, "x")
    assert [(s.kind, s.heading) for s in doc.sections] == [
        ("title", ""), ("abstract", "Abstract"), ("introduction", "1 Introduction"),
        ("other", "II. BACKGROUND"), ("other", "2.1 Setup details"),
    ]
    assert "3 epochs with a batch of 256 sequences" in doc.sections[2].text


def _doc() -> Document:
    def s(kind: str, heading: str, n: int, word: str) -> TextSection:
        return TextSection(kind=kind, heading=heading,  # type: ignore[arg-type]
                           text=" ".join(f"{word} sentence number {i} is here." for i in range(n)))

    return Document(paper_id="x", origin="text", sections=(
        TextSection(kind="title", heading="", text="Budget Paper Title"),
        s("abstract", "Abstract", 3, "Abstract"),
        s("introduction", "1 Introduction", 40, "Intro"),
        s("method", "2 Method", 40, "Method"),
        s("results", "3 Results", 40, "Result"),
        s("conclusion", "4 Conclusion", 10, "Closing"),
        s("references", "References", 30, "Cited"),
        s("appendix", "A Extra", 30, "Extra"),
    ))


def test_budget_keeps_everything_but_references_when_it_fits() -> None:
    out = documents.budget(_doc(), 100_000)
    assert "Cited" not in out and "References" not in out
    assert out.startswith("Budget Paper Title\n\nAbstract\n")
    assert out.index("1 Introduction") < out.index("2 Method") < out.index("3 Results") < out.index("A Extra")


def test_budget_shares_keep_every_part_a_summary_needs() -> None:
    doc = _doc()
    out = documents.budget(doc, 450)
    assert documents.count_tokens(out) <= 450
    assert "Budget Paper Title" in out and "Abstract sentence number 2 is here." in out
    # every part gets its leading sentences, however long the others are
    for word in ("Result", "Method", "Intro", "Closing"):
        assert f"{word} sentence number 0 is here." in out, word
    kept = {w: out.count(f"{w} sentence") for w in ("Result", "Method", "Intro", "Closing")}
    assert kept["Result"] > kept["Method"] > kept["Intro"]  # the shares: 35 %, 30 %, 20 %
    assert "Result sentence number 39 is here." not in out  # results were cut, not sent whole
    assert "Cited" not in out and "Extra" not in out
    # cut at sentence boundaries: every kept body line ends with a full sentence
    for part in out.split("\n\n"):
        assert part.endswith((".", "Title"))
    # reading order, whatever the shares
    assert out.index("1 Introduction") < out.index("2 Method") < out.index("3 Results") < out.index("4 Conclusion")


def test_budget_gives_an_unused_share_to_the_others() -> None:
    short_method = Document(paper_id="x", origin="text", sections=tuple(
        sec if sec.kind != "method" else sec.model_copy(update={"text": "We do one thing."})
        for sec in _doc().sections
    ))
    out = documents.budget(short_method, 450)
    assert "We do one thing." in out
    assert documents.count_tokens(out) > 400  # the method's unused share went to the other parts


def test_budget_of_a_string_and_of_nothing() -> None:
    synth = make_paper("2606.00004", pages=6)
    out = documents.budget(synth.text(), 300)
    assert 0 < documents.count_tokens(out) <= 300
    assert synth.title in out
    assert documents.budget(synth.text(), 0) == ""


def test_count_tokens_latin_and_cjk() -> None:
    assert documents.count_tokens("abcdefgh") == 2
    assert documents.count_tokens("한국어 요약") == 5 + 1  # five Hangul syllables, one space
    assert documents.count_tokens("") == 0
    assert documents.COUNTER == "estimate-1"  # named in every cache key: bump it with the rule


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (corrupt_pdf(), "corrupt PDF"),
        (truncated_pdf(make_paper("2606.00005")), "corrupt PDF"),
        (encrypted_pdf(make_paper("2606.00006")), "encrypted"),
        (empty_pdf(), "no text layer"),
        (html_bytes(), "HTML page"),
        (b"", "empty file"),
        (b"PK\x03\x04 a zip file", "not a PDF"),
    ],
)
def test_hostile_pdfs_give_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PaperTextError) as info:
        documents.extract_pdf(data, "x", max_pages=300)
    assert reason in info.value.reason


def test_two_thousand_pages_are_refused() -> None:
    with pytest.raises(PaperTextError, match="too many pages"):
        documents.extract_pdf(huge_pdf(2000), "x", max_pages=300)


async def test_concurrent_downloads_never_mix_texts(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings
) -> None:
    synths = [make_paper(f"2606.{i:05d}", pages=2) for i in range(1, 9)]
    for synth in synths:
        hf_arxiv.add_paper(synth)
    settings = standin_settings.model_copy(update={"use_arxiv_html": False})
    papers = [Paper(id=s.arxiv_id, title=s.title) for s in synths]
    async with Http(settings) as http:
        docs = await asyncio.gather(*(fetch_document(p, http, settings) for p in papers))
    for synth, doc in zip(synths, docs, strict=True):
        assert doc.paper_id == synth.arxiv_id
        assert synth.facts["model"] in doc.text and synth.facts["accuracy"] in doc.text
        others = [o for o in synths if o.facts["accuracy"] != synth.facts["accuracy"]]
        assert not any(o.facts["accuracy"] in doc.text for o in others)


async def test_html_first_then_pdf_fallback(hf_arxiv: HfArxivStandIn, standin_settings: Settings) -> None:
    with_html, without = make_paper("2606.00011", pages=2), make_paper("2606.00012", pages=2)
    hf_arxiv.add_paper(with_html, html=True)
    hf_arxiv.add_paper(without)
    async with Http(standin_settings) as http:
        a = await fetch_document(Paper(id=with_html.arxiv_id, title="a"), http, standin_settings)
        b = await fetch_document(Paper(id=without.arxiv_id, title="b"), http, standin_settings)
    assert a.origin == "html" and b.origin == "pdf"
    assert not hf_arxiv.requests_to("/pdf/2606.00011")


async def test_html_served_as_pdf_is_a_paper_text_error(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings
) -> None:
    hf_arxiv.add_paper(make_paper("2606.00013", pages=1))
    hf_arxiv.fault("/pdf/", Reply(body=html_bytes(), content_type="application/pdf"))
    settings = standin_settings.model_copy(update={"use_arxiv_html": False})
    async with Http(settings) as http:
        with pytest.raises(PaperTextError, match="HTML page"):
            await fetch_document(Paper(id="2606.00013", title="t"), http, settings)


def test_korean_headings_make_sections_and_references_stay_out_of_the_budget() -> None:
    text = (
        "합성 논문 제목\n\n초록\n\n우리는 새로운 라우팅 방법을 제안한다.\n\n1 서론\n\n대형 모델은 비용이 크다.\n\n"
        "2 방법\n\n두 단계로 학습한다.\n\n3 실험 결과\n\n정확도는 91.2%이다.\n\n4 결론\n\n방법이 효과적이다.\n\n"
        "참고문헌\n\n[1] 어떤 저자. 어떤 논문. 2020.\n"
    )
    doc = documents.from_text(text, "x")
    kinds = [s.kind for s in doc.sections]
    assert kinds == ["title", "abstract", "introduction", "method", "results", "conclusion", "references"]
    out = documents.budget(doc, 1_000)
    assert "정확도는 91.2%이다." in out and "어떤 논문" not in out
