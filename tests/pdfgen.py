"""PDFs for tests and benchmarks, made with fpdf2 from synthetic papers (tests/papergen.py), plus hostile
files.

fpdf2's core fonts are Latin-1 only, so everything written here is ASCII.
"""

from __future__ import annotations

from fpdf import FPDF

from tests.papergen import SynthPaper


def _ascii(text: str) -> str:
    return text.encode("ascii", "replace").decode("ascii")


def make_pdf(paper: SynthPaper, *, title_metadata: bool = True, id_on_first_page: bool = False,
             first_page_lines: tuple[str, ...] = ()) -> bytes:
    """A paper-like PDF: title, authors, Abstract, numbered section headings, paragraphs, several pages.

    `id_on_first_page` stamps the left margin as arXiv does (`arXiv:ID [cs.CL] 10 Jun 2026`, rotated);
    `first_page_lines` are written under the authors (citations, say)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 20, 20)
    if title_metadata:
        pdf.set_title(_ascii(paper.title))
    pdf.set_creator("dailypapers tests")
    pdf.add_page()
    if id_on_first_page:
        pdf.set_font("Times", size=20)
        with pdf.rotation(90, x=10, y=200):
            pdf.text(10, 200, f"arXiv:{paper.arxiv_id}v1  [cs.CL]  10 Jun 2026")
        pdf.set_xy(20, 20)
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, _ascii(paper.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 6, _ascii(", ".join(paper.authors)), new_x="LMARGIN", new_y="NEXT")
    for line in first_page_lines:
        pdf.multi_cell(0, 6, _ascii(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _section(pdf, "Abstract", [paper.abstract])
    for heading, paragraphs in paper.sections:
        _section(pdf, heading, paragraphs)
    return bytes(pdf.output())


def _section(pdf: FPDF, heading: str, paragraphs: list[str]) -> None:
    pdf.set_font("Helvetica", "B", 12)
    pdf.ln(3)
    pdf.cell(0, 7, _ascii(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Times", size=10)
    for para in paragraphs:
        for line in para.split("\n"):
            pdf.multi_cell(0, 5, _ascii(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)


def corrupt_pdf() -> bytes:
    """Starts like a PDF, then garbage: no cross-reference table, no objects."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def truncated_pdf(paper: SynthPaper) -> bytes:
    """A real PDF cut in half, as a broken download would leave it."""
    data = make_pdf(paper)
    return data[: len(data) // 3]


def encrypted_pdf(paper: SynthPaper) -> bytes:
    """A paper that needs a password to open."""
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, _ascii(paper.abstract))
    return bytes(pdf.output())


def empty_pdf(pages: int = 2) -> bytes:
    """Pages with drawings only: no text layer at all (like a scan)."""
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.rect(30, 30, 120, 80, style="F")
    return bytes(pdf.output())


def html_bytes(paper_id: str = "2501.01234") -> bytes:
    """What a captive portal or an error page returns where a PDF was expected."""
    return (
        "<!DOCTYPE html>\n<html><head><title>Just a moment</title></head>"
        f"<body><p>Checking your browser before accessing {paper_id}.</p></body></html>\n"
    ).encode()


def huge_pdf(pages: int = 2000) -> bytes:
    """A valid PDF with `pages` pages that all share one tiny content stream (cheap to build: ~100 KB)."""
    objects: list[bytes] = []
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    stream = b"BT /F1 12 Tf 72 720 Td (page) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    font = 4 + pages
    for _ in range(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def title_block_pdf(title: str, authors: list[tuple[str, str]], affiliations: list[str], *,
                    stamp: str | None = None, metadata_title: str | None = None, emails: str = "",
                    title_width: float = 120) -> bytes:
    """A first page as papers set it: the title in a large font broken over lines (`title_width` mm wide),
    the authors with superscript affiliation marks (`(name, marks)`), the affiliations and e-mails in a
    smaller font, then the abstract and a section. `stamp` is arXiv's margin stamp, turned 90 degrees."""
    pdf = FPDF(format="A4")
    pdf.set_margins(25, 20, 25)
    if metadata_title is not None:
        pdf.set_title(metadata_title)
    pdf.add_page()
    if stamp:
        pdf.set_font("Times", size=20)
        pdf.set_text_color(128)
        with pdf.rotation(90, x=12, y=230):
            pdf.text(12, 230, stamp)
        pdf.set_text_color(0)
    pdf.set_xy(45, 25)
    pdf.set_font("Helvetica", "B", 17)
    pdf.multi_cell(title_width, 8, _ascii(title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=11)
    for n, (name, marks) in enumerate(authors):
        pdf.write(6, _ascii(name))
        pdf.char_vpos = "SUP"
        pdf.write(6, marks)
        pdf.char_vpos = "LINE"
        if n < len(authors) - 1:
            pdf.write(6, ",  ")
    pdf.ln(8)
    pdf.set_font("Helvetica", size=9)
    for line in affiliations:
        pdf.multi_cell(0, 4.5, _ascii(line), new_x="LMARGIN", new_y="NEXT")
    if emails:
        pdf.multi_cell(0, 4.5, emails, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    _section(pdf, "Abstract", ["We study how to prune layers of large language models without losing accuracy. "
                               "Our method removes 30% of the layers and keeps 95% of the accuracy on six tasks."])
    _section(pdf, "1 Introduction", ["Large language models are costly to serve. " * 12])
    return bytes(pdf.output())
