"""The hostile corpus, made at test time: small PDFs that inflate to huge content, and HTML that punishes
naive parsers. Nothing here is copied from elsewhere; every file is written by the functions below.

The PDFs are hand-written (objects, a cross-reference table with true offsets) so that the content stream
can be exactly the bomb wanted, compressed with zlib as FlateDecode.
"""

from __future__ import annotations

import zlib

HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _pdf(contents: list[bytes], *, fonts: str = "/F1 3 0 R", extra: tuple[bytes, ...] = ()) -> bytes:
    """A PDF with one page per content stream (each FlateDecode-compressed) and Helvetica as F1 (object 3);
    `extra` objects are numbered after the pages, and `fonts` may name some of them."""
    n_pages = len(contents)
    # objects: 1 catalog, 2 pages, 3 font, then (page, content) pairs, then the extra ones
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode(),
        HELVETICA,
    ]
    for i, content in enumerate(contents):
        packed = zlib.compress(content, 9)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {5 + 2 * i} 0 R "
                       f"/Resources << /Font << {fonts} >> >> >>".encode())
        objects.append(f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode() + packed
                       + b"\nendstream")
    objects.extend(extra)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def text_bomb(chars: int = 8_000_000, pages: int = 1) -> bytes:
    """A PDF of a few KB (28 KB for the default) whose page streams inflate to `chars` characters of text per page,
    all shown in one place in a tiny font: no byte or page cap sees it coming."""
    line = b"(" + b"bomb text " * 50 + b") Tj\n"
    body = b"BT /F1 1 Tf 10 10 Td\n" + line * (chars // 500) + b"ET\n"
    return _pdf([body] * pages)


def noop_bomb(squares: int = 8_000_000) -> bytes:
    """A PDF of ~200 KB whose page stream is millions of one-point filled squares: operators that add nothing
    to the text, only work and memory for the reader (PDFium keeps ~360 bytes per square: ~2.9 GB here)."""
    return _pdf([b"0 0 1 1 re f\n" * squares])


def caption_bomb(tables: int = 80) -> bytes:
    """A page packed with `tables` small captioned tables in a 2-point font (a caption, two rows of two far-apart
    cells): every caption invites a table search over the whole page."""
    body = b""
    for i in range(tables):
        y = 790 - 9 * i
        body += b"BT /F1 2 Tf 20 %d Td (Table %d: caption %d) Tj ET\n" % (y, i + 1, i)
        for row in (1, 2):
            body += b"BT /F1 2 Tf 20 %d Td (r%d) Tj ET BT /F1 2 Tf 300 %d Td (%d.5) Tj ET\n" % (
                y - 3 * row, row, y - 3 * row, i)
    return _pdf([body])


def not_text_pdf() -> bytes:
    """A paper-length page whose text carries what is never text: C0 controls and DEL as raw bytes, and,
    through a ToUnicode map, the noncharacters U+FFFF, U+FDD0 and U+1FFFE."""
    words = b"We measure the method on four benchmarks and report each number with its spread. " * 6
    content = (b"BT /F1 10 Tf 20 700 Td (" + words + b"bell\x07escape\x1b[2Jdel\x7fend) Tj ET\n"
               b"BT /F2 10 Tf 20 650 Td <000100020003> Tj ET\n")
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Odd def "
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange 3 beginbfchar "
            b"<0001> <FFFF> <0002> <FDD0> <0003> <D83FDFFE> endbfchar endcmap end end")
    f2 = 6  # after the catalog, pages, F1, the page and its content: F2, its descendant, its ToUnicode map
    font = (f"<< /Type /Font /Subtype /Type0 /BaseFont /Odd /Encoding /Identity-H /DescendantFonts [{f2 + 1} 0 R] "
            f"/ToUnicode {f2 + 2} 0 R >>").encode()
    descendant = (b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Odd /CIDSystemInfo << /Registry (Adobe) "
                  b"/Ordering (Identity) /Supplement 0 >> /DW 500 >>")
    tounicode = f"<< /Length {len(cmap)} >>\nstream\n".encode() + cmap + b"\nendstream"
    return _pdf([content], fonts=f"/F1 3 0 R /F2 {f2} 0 R", extra=(font, descendant, tounicode))


def unclosed_tags_html(count: int = 20_000) -> str:
    """An arXiv-looking page with `count` unclosed inline tags and as many stray end tags that match nothing:
    a parser that scans its open-tag stack at every end tag is quadratic here."""
    body = "".join(f"<span class='s{i}'><b>word {i} " for i in range(count))
    stray = "</i></em></u>" * count
    return _page(body + stray)


def deeply_nested_html(depth: int = 50_000) -> str:
    """Markup nested `depth` levels deep: recursion in a parser or a tree walk overflows."""
    return _page("<div>" * depth + "deep text " * 20 + "</div>" * depth)


def formatting_pile_html(count: int = 50_000) -> str:
    """`count` formatting tags left open, each with its own attributes, each followed by a paragraph: what
    makes an HTML5 tree builder's "reconstruct the active formatting elements" step super-linear."""
    return _page("".join(f"<b class='c{i}'>bold {i} <p>paragraph {i}. " for i in range(count)))


def headings_deep_down_html(depth: int = 200, headings: int = 50_000) -> str:
    """`headings` section headings nested `depth` levels down: where a heading sits must not be found by
    scanning every open element at every heading."""
    body = "".join(f"<h3>{i} Part</h3><p>Text of part {i}.</p>" for i in range(headings))
    return _page("<div class='ltx_appendix'>" + "<div>" * depth + body + "</div>" * (depth + 1))


def table_pile_html(tables: int = 20_000) -> str:
    """One table figure holding `tables` tabulars side by side, each with another tabular in its cell: tables
    must be read in one pass, not by walking up from every row."""
    inner = "<span class='ltx_tabular'><span class='ltx_tr'><span class='ltx_td'>inner {i}</span></span></span>"
    one = "<table class='ltx_tabular'><tr class='ltx_tr'><td class='ltx_td'>{i}</td><td class='ltx_td'>" + inner
    pile = "".join((one + "</td></tr></table>").format(i=i) for i in range(tables))
    return _page(f"<figure class='ltx_table'><figcaption>Table 1: Pile.</figcaption>{pile}</figure>")


def _page(middle: str) -> str:
    paragraph = ("We describe a method and measure it carefully on several benchmarks, reporting every number "
                 "with its variance so that the results can be checked. ") * 3
    return ("<!DOCTYPE html><html><head><title>Hostile</title></head><body><article class='ltx_document'>"
            "<h1 class='ltx_title ltx_title_document'>A Hostile Page</h1>"
            "<div class='ltx_abstract'><h6 class='ltx_title ltx_title_abstract'>Abstract</h6>"
            f"<p class='ltx_p'>{paragraph}</p></div>"
            "<section class='ltx_section'><h2 class='ltx_title ltx_title_section'>1 Introduction</h2>"
            f"<div class='ltx_para'><p class='ltx_p'>{paragraph}</p></div>{middle}</section>"
            "</article></body></html>")


def short_lines_text(chars: int = 3_000_000) -> str:
    """A paper of `chars` characters (max_document_chars by default) in one paragraph of short wrapped lines,
    one of them hyphenated at its end: a reflow that copies the paragraph at every line is quadratic here."""
    head = "A Paper of Short Lines\n\nAbstract\nWe measure a method.\n\n1 Introduction\n"
    line = "short wrapped words of a long para-\ngraph\n"
    return head + line * ((chars - len(head)) // len(line))


def short_lines_html(lines: int = 140_000) -> str:
    """An arXiv-looking page whose introduction is one paragraph of `lines` short source lines (just under
    max_document_chars by default)."""
    return _page("<div class='ltx_para'><p class='ltx_p'>" + "short wrapped words\n" * lines + "</p></div>")
