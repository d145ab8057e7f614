"""The arXiv identifier grammar: pure, no I/O, shared by the sources, the Markdown parser and `Paper.url`."""

from __future__ import annotations

import re

from dailypapers.errors import InputError

# New style: YYMM.NNNN (0704-1412) or YYMM.NNNNN (1501 on), optional vN.
_NEW = re.compile(r"(?P<id>(?P<yy>\d{2})(?P<mm>0[1-9]|1[0-2])\.(?P<num>\d{4,5}))(?:v(?P<v>\d+))?")
# Old style: archive(.SC)/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136.
_OLD = re.compile(r"(?P<id>[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3})(?:v(?P<v>\d+))?")
_URL = re.compile(
    r"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<rest>[^?#]+?)(?:\.pdf)?/?(?:[?#].*)?",
    re.IGNORECASE,
)


def canonical_id(text: str) -> tuple[str, int | None]:
    """`(id, version)` for an arXiv id in any usual spelling; version None means "the latest".

    Accepts `2505.02707`, `2505.02707v2`, `arXiv:2505.02707`, `hep-th/9901001v1`, and abs/pdf/html URLs
    (with or without `.pdf`). Anything else raises InputError.
    """
    raw = text
    s = text.strip()
    url = _URL.fullmatch(s)
    if url:
        s = url.group("rest")
    if s[:6].lower() == "arxiv:":
        s = s[6:].strip()
    m = _NEW.fullmatch(s)
    if m:
        yymm = int(m.group("yy") + m.group("mm"))
        digits = len(m.group("num"))
        if yymm < 704 or (yymm <= 1412 and digits != 4) or (yymm >= 1501 and digits != 5):
            raise InputError(f"not an arXiv id: {raw!r} (YYMM.NNNN before 2015, YYMM.NNNNN since)")
    else:
        m = _OLD.fullmatch(s)
        if not m:
            raise InputError(f"not an arXiv id: {raw!r} (expected e.g. 2505.02707, arXiv:2505.02707v2 or "
                             "hep-th/9901001)")
    version = int(m.group("v")) if m.group("v") else None
    if version == 0:
        raise InputError(f"not an arXiv id: {raw!r} (versions start at v1)")
    return m.group("id"), version


def abs_url(paper_id: str) -> str:
    return f"https://arxiv.org/abs/{paper_id}"
