"""The hostile corpus, made at test time: small PDFs that inflate to huge content, and HTML that punishes
naive parsers. Nothing here is copied from elsewhere; every file is written by the functions below.

The PDFs are hand-written (objects, a cross-reference table with true offsets) so that the content stream
can be exactly the bomb wanted, compressed with zlib as FlateDecode.
"""

from __future__ import annotations

import zlib


def _pdf(contents: list[bytes]) -> bytes:
    """A PDF with one page per content stream (each FlateDecode-compressed) and the Helvetica core font."""
    n_pages = len(contents)
    # objects: 1 catalog, 2 pages, 3 font, then (page, content) pairs
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, content in enumerate(contents):
        packed = zlib.compress(content, 9)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {5 + 2 * i} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>".encode())
        objects.append(f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode() + packed
                       + b"\nendstream")
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
    """A PDF of a few hundred KB whose page streams inflate to `chars` characters of text per page, all shown
    in one place in a tiny font: no byte or page cap sees it coming."""
    line = b"(" + b"bomb text " * 50 + b") Tj\n"
    body = b"BT /F1 1 Tf 10 10 Td\n" + line * (chars // 500) + b"ET\n"
    return _pdf([body] * pages)


def noop_bomb(operators: int = 20_000_000) -> bytes:
    """A PDF whose page stream is millions of operators that draw nothing (save/restore graphics state and
    empty paths): no text at all, only work for the parser."""
    return _pdf([b"q Q 0 0 m n\n" * (operators // 4)])


def unclosed_tags_html(count: int = 20_000) -> str:
    """An arXiv-looking page with `count` unclosed inline tags and as many stray end tags that match nothing:
    a parser that scans its open-tag stack at every end tag is quadratic here."""
    body = "".join(f"<span class='s{i}'><b>word {i} " for i in range(count))
    stray = "</i></em></u>" * count
    return _page(body + stray)


def deeply_nested_html(depth: int = 50_000) -> str:
    """Markup nested `depth` levels deep: recursion in a parser or a tree walk overflows."""
    return _page("<div>" * depth + "deep text " * 20 + "</div>" * depth)


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
