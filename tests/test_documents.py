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


@pytest.mark.slow  # PDF worker processes
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


def test_html_bytes_read_as_their_decoded_text_does(tmp_path) -> None:
    synth = make_paper("2606.00012", pages=3)
    page = arxiv_html(synth).replace("Introduction", "Intro\u00e9duction", 1)
    data = page.encode("utf-8").replace("\u00e9".encode(), b"\xff\xc3")  # bytes that are not UTF-8
    as_text = documents.parse_html(data.decode("utf-8", errors="replace"), synth.arxiv_id)
    assert documents.parse_html(data, synth.arxiv_id) == as_text
    assert "1 Intro\ufffd\ufffdduction" in [s.heading for s in as_text.sections]
    path = tmp_path / "paper.html"
    path.write_bytes(data)
    assert documents.read_file(path, synth.arxiv_id, max_bytes=2**20, max_pages=10) == as_text


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


def test_budget_of_a_plain_text_and_of_nothing() -> None:
    synth = make_paper("2606.00004", pages=6)
    doc = documents.from_text(synth.text(), synth.arxiv_id)
    out = documents.budget(doc, 300)
    assert 0 < documents.count_tokens(out) <= 300
    assert synth.title in out
    assert documents.budget(doc, 0) == ""


@pytest.mark.parametrize("line", ["\ufdd0x", "\ufdd0", "\ufdd00", "\ufdd0²", "\ufdd0-1", "\ufdd0 7"])
def test_a_text_that_holds_the_table_mark_is_only_text(line: str) -> None:
    # the mark stands for a table only in the PDF reader's pages, which come with their tables
    doc = documents.from_text(f"T\n{line}\nmore text", "x")
    assert [s.kind for s in doc.sections] == ["title"] and line.strip() in doc.sections[0].text


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
@pytest.mark.slow  # PDF worker processes
def test_hostile_pdfs_give_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PaperTextError) as info:
        documents.extract_pdf(data, "x", max_pages=300)
    assert reason in info.value.reason


@pytest.mark.slow  # PDF worker processes
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


# A results section in the shape of LaTeXML's output: a table figure with its caption before the tabular,
# header cells in <thead>, a math cell (its TeX source must not leak), a two-line cell made by a nested
# inline tabular, and a table-figure holding only an image (its caption stays in the text).
LATEXML_TABLES = LATEXML_AUTHORS.replace("</article>", """
<section class="ltx_section"><h2 class="ltx_title ltx_title_section">2 Experiments</h2>
<div class="ltx_para"><p class="ltx_p">We compare against two baselines on two benchmarks.</p></div>
<figure class="ltx_table" id="S2.T1">
<figcaption class="ltx_caption"><span class="ltx_tag ltx_tag_table">Table 1: </span>
Accuracy (%) on two
 benchmarks.</figcaption>
<table class="ltx_tabular ltx_guessed_headers ltx_align_middle">
<thead class="ltx_thead"><tr class="ltx_tr"><th class="ltx_td ltx_th">Model</th>
<th class="ltx_td ltx_th">QuantaBench</th>
<th class="ltx_td ltx_th">LumenBench</th></tr></thead>
<tbody class="ltx_tbody"><tr class="ltx_tr"><td class="ltx_td">Ours</td>
<td class="ltx_td"><span class="ltx_text ltx_font_bold">9<b>1</b>.2</span></td>
<td class="ltx_td">88.0</td></tr>
<tr class="ltx_tr"><td class="ltx_td">Base<math alttext="{}^{\\dagger}"><semantics><msup><mi></mi><mo>†</mo></msup>
<annotation encoding="application/x-tex">{}^{\\dagger}</annotation></semantics></math></td>
<td class="ltx_td"><span class="ltx_tabular"><span class="ltx_tr"><span class="ltx_td">85.3</span></span>
<span class="ltx_tr"><span class="ltx_td">(±0.2)</span></span></span></td><td class="ltx_td">80.1</td></tr></tbody>
</table></figure>
<figure class="ltx_table" id="S2.T2"><table class="ltx_tabular"><tr class="ltx_tr"><td class="ltx_td">Steps</td>
<td class="ltx_td">1,024</td></tr></table></figure>
<figure class="ltx_table" id="S2.T3"><img src="t3.png" alt=""><figcaption class="ltx_caption">Table 3: An image of a
 table.</figcaption></figure>
<div class="ltx_para"><p class="ltx_p">Our method is ahead on both benchmarks by a clear margin.</p></div></section>
<section class="ltx_section"><h2 class="ltx_title ltx_title_section">3 Conclusion</h2>
<div class="ltx_para"><p class="ltx_p">Sparse updates help.</p></div></section>
</article>""")


def test_html_tables_become_table_sections_after_their_section() -> None:
    doc = documents.parse_html(LATEXML_TABLES, "2606.09999")
    assert [(s.kind, s.heading) for s in doc.sections[2:]] == [
        ("introduction", "1 Introduction"), ("results", "2 Experiments"),
        ("table", "Table 1: Accuracy (%) on two benchmarks."), ("table", "Table 2"), ("conclusion", "3 Conclusion"),
    ]
    first, second = doc.sections[4], doc.sections[5]
    assert first.text.splitlines() == ["Model | QuantaBench | LumenBench", "Ours | 91.2 | 88.0",
                                       "Base† | 85.3 (±0.2) | 80.1"]
    assert second.text == "Steps | 1,024" and first.page is None
    results = doc.sections[3].text
    assert "Table 3: An image of a table." in results and "by a clear margin" in results
    assert "QuantaBench" not in results and "dagger" not in doc.text


def test_tables_in_the_budget_follow_the_results_prose_and_never_crowd_out_the_method() -> None:
    rows = "\n".join(f"Variant {i} | {50 + i}.5 | {60 + i}.25" for i in range(400))  # a huge table
    base = _doc()
    table = TextSection(kind="table", heading="Table 2: Every variant.", text="Model | A | B\n" + rows)
    unnumbered = TextSection(kind="table", heading="Results per seed", text="Seed | A\n1 | 50.5")
    results_at = [s.kind for s in base.sections].index("results")
    sections = list(base.sections)
    sections[results_at + 1: results_at + 1] = [table, unnumbered]
    doc = Document(paper_id="x", origin="html", sections=tuple(sections))
    for tokens in (450, 1_200):
        out, without_tables = documents.budget(doc, tokens), documents.budget(base, tokens)
        # the method and the results prose keep exactly what they had without the tables
        for heading in ("2 Method", "3 Results"):
            assert [p for p in out.split("\n\n") if p.startswith(heading)] == \
                   [p for p in without_tables.split("\n\n") if p.startswith(heading)]
        assert "Variant 399" not in out and documents.count_tokens(out) <= tokens
    assert "Variant" not in documents.budget(doc, 450)  # the results prose used its whole share
    # with more room the table gets what the prose leaves: its header and leading whole rows, as a table part
    assert "\n\nTable 2: Every variant.\nModel | A | B\nVariant 0 | 50.5 | 60.25\n" in documents.budget(doc, 1_200)
    # with room to spare, every table is sent whole, in reading order, the unnumbered one as a table part
    roomy = documents.budget(doc, 100_000)
    assert roomy.index("3 Results") < roomy.index("Table 2: Every variant.") < roomy.index("4 Conclusion")
    assert "Variant 399 | 449.5 | 459.25" in roomy and "\nTable: Results per seed\nSeed | A\n1 | 50.5" in roomy


def test_a_table_after_the_references_counts_as_appendix() -> None:
    base = _doc()
    late = TextSection(kind="table", heading="Table 9: Extra runs.", text="Run | Score\n1 | 42.5")
    doc = Document(paper_id="x", origin="html", sections=(*base.sections, late))
    assert "Table 9" not in documents.budget(doc, 450)  # the appendix is served last, and 450 is spent
    assert "Table 9: Extra runs.\nRun | Score\n1 | 42.5" in documents.budget(doc, 100_000)


@pytest.mark.parametrize(
    ("line", "kind"),
    [("Table 3: Accuracy on QuantaBench with a long caption that goes on and on past eighty characters.", "table"),
     ("Table 3", "table"), ("Table: Results per seed", "table"), ("Table 3 shows that the method wins.", None),
     ("Tables 1 and 2", None), ("3 Results", "results")],
)
def test_heading_kind_reads_a_table_part(line: str, kind: str | None) -> None:
    assert documents.heading_kind(line) == kind


def test_table_rows_never_become_extractive_sentences() -> None:
    from dailypapers.summarize.extractive import sentences_of

    row = "Ours beats every baseline on every benchmark we tried, by a wide margin."
    text = documents.budget(Document(paper_id="x", origin="html", sections=(
        TextSection(kind="title", heading="", text="A Title"),
        TextSection(kind="results", heading="3 Results", text="The method is ahead on both benchmarks we use."),
        TextSection(kind="table", heading="Table 1: Scores.", text=f"Model | Note\nOurs | {row}"),
        TextSection(kind="conclusion", heading="4 Conclusion", text="Sparse updates help small models a great deal."),
    )), 1_000)
    picked = [s.text for s in sentences_of(text)]
    assert "The method is ahead on both benchmarks we use." in picked
    assert "Sparse updates help small models a great deal." in picked  # the part after the table is read again
    assert not any("beats every baseline" in s for s in picked)


def test_read_limits_default_to_the_settings_defaults() -> None:
    assert documents.ReadLimits.from_settings(Settings()) == documents.ReadLimits()
    custom = Settings(max_page_chars=10, max_pdf_cpu_seconds=3, pdf_workers=1)
    assert documents.ReadLimits.from_settings(custom).max_pdf_cpu_seconds == 3
    with pytest.raises(ValueError, match="at least 1"):
        Settings(pdf_workers=0)
    with pytest.raises(ValueError, match="at least 134217728"):
        Settings(max_pdf_memory=10_000_000)


def test_html_text_keeps_no_controls_or_noncharacters() -> None:
    page = LATEXML_AUTHORS.replace("every update counts", "every\x07 update\ufffe counts\U0010ffff\x85")
    text = documents.parse_html(page, "x").text
    assert "every update counts" in text  # each became a space, and a paragraph's spaces are collapsed
    assert not any(c in text for c in "\x07\ufffe\U0010ffff\x85")


ROWS = [("Model", "Quanta", "Lumen", "Avg."), ("Ours-7B", "91.2", "88.4", "89.8"),
        ("Baseline A", "85.3", "80.1", "82.7"), ("Baseline B", "87.0", "83.5", "85.3")]
PROSE = "We compare our method with two strong baselines on both benchmarks and report the mean of five runs. "


def _table_pdf(*, caption_below: bool = False, two_columns: bool = False, image_only: bool = False) -> bytes:
    """A page with a section heading, prose, a captioned table (fpdf2 draws each cell as its own text), more
    prose and the next section; in two columns, prose fills the other column beside the table."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    width = 80 if two_columns else 170
    pdf.set_xy(20, 20)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(width, 7, "4 Experiments", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Times", size=10)
    pdf.multi_cell(width, 5, PROSE * 2, new_x="LEFT", new_y="NEXT")
    caption = "Table 2: Accuracy (%) on two benchmarks; higher is better."

    def put_caption() -> None:
        pdf.set_x(20)
        pdf.multi_cell(width, 5, caption, align="C", new_x="LEFT", new_y="NEXT")

    if not caption_below:
        put_caption()
    if image_only:
        pdf.rect(30, pdf.get_y() + 2, 60, 30, style="F")
        pdf.set_y(pdf.get_y() + 36)
    else:
        pdf.set_font("Times", size=9)
        with pdf.table(width=width - 10, align="LEFT" if two_columns else "CENTER", text_align="CENTER",
                       borders_layout="HORIZONTAL_LINES", line_height=5) as table:
            for values in ROWS:
                row = table.row()
                for value in values:
                    row.cell(value)
        pdf.set_font("Times", size=10)
    if caption_below:
        put_caption()
    pdf.set_x(20)
    pdf.multi_cell(width, 5, "The table shows that our method is ahead on both benchmarks.", new_x="LEFT",
                   new_y="NEXT")
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(width, 7, "5 Conclusion", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Times", size=10)
    pdf.multi_cell(width, 5, "Sparse updates help small models and cost little to add to training.")
    if two_columns:
        pdf.set_xy(110, 20)
        pdf.multi_cell(80, 5, "The other column carries on with unrelated prose about the related work. " * 12)
    return bytes(pdf.output())


@pytest.mark.parametrize(("below", "two_columns"), [(False, False), (True, False), (False, True)],
                         ids=["caption-above", "caption-below", "two-columns"])
@pytest.mark.slow  # PDF worker processes
def test_pdf_tables_become_table_sections(below: bool, two_columns: bool) -> None:
    doc = documents.extract_pdf(_table_pdf(caption_below=below, two_columns=two_columns), "x", max_pages=5)
    kinds = [(s.kind, s.heading) for s in doc.sections if s.kind != "title"]
    assert kinds == [("results", "4 Experiments"),
                     ("table", "Table 2: Accuracy (%) on two benchmarks; higher is better."),
                     ("conclusion", "5 Conclusion")], kinds
    table = next(s for s in doc.sections if s.kind == "table")
    assert table.text.splitlines() == [" | ".join(r) for r in ROWS] and table.page == 1
    results = next(s.text for s in doc.sections if s.kind == "results")
    assert "mean of five runs" in results and "ahead on both benchmarks" in results
    assert "91.2" not in results and "Quanta" not in results  # the rows left the prose
    if two_columns:
        assert "unrelated prose" in doc.text and "unrelated" not in table.text


@pytest.mark.slow  # PDF worker processes
def test_a_caption_without_table_cells_stays_prose() -> None:
    doc = documents.extract_pdf(_table_pdf(image_only=True), "x", max_pages=5)
    assert "table" not in [s.kind for s in doc.sections]
    assert "Table 2: Accuracy (%) on two benchmarks" in next(s.text for s in doc.sections if s.kind == "results")


def test_two_columns_of_prose_are_no_table() -> None:
    from dailypapers.documents.pdf_tables import Run, find_tables

    # lines of two columns side by side, a caption line among them: the gutter is no cell boundary
    runs = [Run(60, 700 - 12 * i, 280, 709 - 12 * i, f"left column line {i} with words and 2 numbers")
            for i in range(10)]
    runs += [Run(315, 700 - 12 * i, 535, 709 - 12 * i, f"right column line {i} with 3 more words") for i in range(10)]
    runs.append(Run(100, 570, 240, 579, "Table 4: An image of results."))
    assert find_tables(runs, 595) == []


@pytest.mark.parametrize("line", ["Table 2: Accuracy.", "  TABLE IV. Results", "\tTable 10 : x", "Table: x",
                                  "Table 3 shows", "Tables 2: x", "The Table 2: x", "Table IVX: x"])
def test_a_page_is_measured_for_tables_when_a_line_is_a_caption(line: str) -> None:
    from dailypapers.documents.pdf import _CAPTION_LINE
    from dailypapers.documents.pdf_tables import CAPTION

    page = f"prose before\n\n{line}\nprose after"
    assert bool(_CAPTION_LINE.search(page)) == bool(CAPTION.match(line.strip()))


def test_the_caption_search_is_linear_on_a_page_of_blank_lines() -> None:
    from dailypapers.documents.pdf import _CAPTION_LINE
    from tests.hostile.bounded import bounded

    # max_page_chars of newlines: `^\s*` tried from every line start scanned all the rest (8 s here)
    assert bounded(lambda: _CAPTION_LINE.search("\n" * 100_000 + " \n" * 1_000), 2.0) is None
