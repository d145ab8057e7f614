"""A paper's title and authors from the top of its first page, read offline (a local PDF that arXiv does not
describe): pure functions over the page's lines as PDFium sets them (text, font size, height on the page).

- The title is the run of lines in the largest font near the top of the page (a title is often two or three
  lines: "…Layer Pruning and" is not the title), unless the PDF's metadata Title is a sensible one (`sensible_title`:
  not "Microsoft Word - draft.docx", not a file name, not a stamp).
- The authors are the names on the lines between the title and the abstract; affiliation lines (a university,
  a lab, an e-mail), footnote markers (¹, *, †) and notes ("equal contribution") are left out.
- Characters that are not upright (arXiv's stamp, rotated in the left margin) are not read as lines at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TITLE_LINES = 4  # a title longer than this many lines is something else (an abstract set large)
MAX_AUTHOR_LINES = 12  # lines between the title and the abstract that are read for names
TOP_SHARE = 0.45  # the title starts in this top share of the page
MAX_NAME_CHARS = 60
SAME_LINE = 0.004  # of the page's height (~3 pt on A4): pieces this close in height are on one line


@dataclass(frozen=True)
class Line:
    """One line of the page: its text, its largest font size and where its baseline is (from the top, 0..1)."""

    text: str
    size: float
    top: float


@dataclass(frozen=True)
class Head:
    title: str
    authors: tuple[str, ...]


_ABSTRACT = re.compile(r"^\W*(abstract|summary)\b", re.IGNORECASE)
_BODY_START = re.compile(r"^\W*(1\.?\s+)?introduction\b", re.IGNORECASE)
_STAMP = re.compile(r"^\s*arXiv:\S+", re.IGNORECASE)
_BAD_TITLE = re.compile(
    r"\.(pdf|docx?|tex|dvi|ps|odt|rtf)\b|^(microsoft word|untitled|title|arxiv:|preprint|slide|document|doc\d|"
    r"paper\b|main\b|manuscript\b)|^[\W\d_]*$", re.IGNORECASE)
# Words of an affiliation or a note, not of a person's name.
_NOT_NAMES = re.compile(
    r"\b(universit\w*|univ\.?|institut\w*|laborator\w*|labs?|college|school|department|dept\.?|faculty|academy|"
    r"cent(er|re)|inc\.?|ltd\.?|corp\w*|company|research|group|hospital|foundation|google|microsoft|meta|"
    r"deepmind|openai|nvidia|amazon|apple|alibaba|tencent|baidu|bytedance|huawei|samsung|ibm|equal|contribution|"
    r"corresponding|author|authors|project|page|code|github|correspondence|work|done|during|intern\w*|email|"
    r"e-mail|and|the|of|for|in|at|on)\b", re.IGNORECASE)
_MARKERS = re.compile(r"[\d*†‡§¶∗♠♣♥♦#⋆✝✉⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈ]+")
# A footnote mark right after a name ("Zhang1,2", "Wei*") ends that name, as a comma would.
_MARK_AFTER_NAME = re.compile(r"(?<=[^\W\d_])[\d*†‡§¶∗♠♣♥♦#⋆✝⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈ]+(?:,[\d*†‡§¶∗♠♣♥♦#⋆✝⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈ]+)*")
_SEPARATORS = re.compile(r"\s*(?:,|;|·|•|\s&\s|\band\b|\s{3,})\s*")
_PARTICLES = frozenset({"de", "van", "von", "der", "den", "da", "di", "du", "le", "la", "del", "dos", "bin", "al",
                        "ter", "zu", "y"})
_INITIAL = re.compile(r"^[A-Z]\.(-?[A-Z]\.)*$")
_CJK_NAME = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{2,5}$")


def sensible_title(title: str) -> bool:
    """Whether a PDF's metadata Title can stand for the paper's title: words, not a file name or a tool's
    placeholder ("Microsoft Word - paper.docx", "untitled", "arXiv:2505.02222v1")."""
    t = " ".join(title.split())
    return len(t) >= 8 and len(t.split()) >= 2 and not _BAD_TITLE.search(t)


def read_head(lines: list[Line]) -> Head:
    """The title and authors from the first page's lines, in reading order (see the module docstring)."""
    lines = _visual_lines([ln for ln in lines if ln.text.strip() and not _STAMP.match(ln.text)])
    end = next((i for i, ln in enumerate(lines) if _ABSTRACT.match(ln.text) or _BODY_START.match(ln.text)),
               len(lines))
    top = [i for i in range(end) if lines[i].top <= TOP_SHARE]
    if not top:
        return Head("", ())
    biggest = max(lines[i].size for i in top)
    first = next(i for i in top if lines[i].size >= biggest - 0.5)
    last = first
    while last + 1 < end and last + 1 - first < MAX_TITLE_LINES and lines[last + 1].size >= biggest - 0.5:
        last += 1
    title = _join([ln.text for ln in lines[first:last + 1]])
    return Head(title, tuple(dict.fromkeys(author_names(" ".join(ln.text for ln in _author_block(
        lines[last + 1 : min(end, last + 1 + MAX_AUTHOR_LINES)]))))))


def _author_block(lines: list[Line]) -> list[Line]:
    """The lines that hold the authors: from the first line with a name (a venue or a date line may come
    before), the lines in the same font, up to an affiliation, an e-mail or a link. Read as one text, so a
    name broken over two lines stays one name."""
    start = next((i for i, ln in enumerate(lines[:4]) if author_names(ln.text)), None)
    if start is None:
        return []
    block = [lines[start]]
    for ln in lines[start + 1 :]:
        if abs(ln.size - block[0].size) > 0.5 or "@" in ln.text or "http" in ln.text.lower():
            break
        if _NOT_NAMES.search(ln.text) and not author_names(ln.text):  # an affiliation in the same font
            break
        block.append(ln)
    return block


def _visual_lines(lines: list[Line]) -> list[Line]:
    """Pieces PDFium gives as lines of their own on one baseline (a name and its superscript, the authors
    written one at a time) joined into the line a reader sees."""
    out: list[Line] = []
    for ln in lines:
        if out and abs(ln.top - out[-1].top) < SAME_LINE:
            prev = out[-1]
            out[-1] = Line(f"{prev.text} {ln.text}", max(prev.size, ln.size), prev.top)
        else:
            out.append(ln)
    return out


def author_names(line: str) -> list[str]:
    """The persons' names on one line under the title: none when it is an affiliation, an e-mail or a note."""
    if "@" in line or "http" in line.lower():
        return []
    out = []
    for part in _SEPARATORS.split(_MARK_AFTER_NAME.sub(",", line)):
        name = " ".join(_MARKERS.sub(" ", part).split()).strip(" .,:")
        if name and _is_name(name):
            out.append(name)
    return out


def _is_name(text: str) -> bool:
    if len(text) > MAX_NAME_CHARS or _NOT_NAMES.search(text):
        return False
    if _CJK_NAME.match(text):
        return True
    words = text.split()
    if not 2 <= len(words) <= 5:
        return False
    capital = 0
    for w in words:
        if w.lower() in _PARTICLES:
            continue
        if _INITIAL.match(w):
            capital += 1
            continue
        if not (w[0].isupper() and all(c.isalpha() or c in "-'’." for c in w)):
            return False
        capital += 1
    return capital >= 2


def _join(parts: list[str]) -> str:
    """Lines of a title as one: a line that ends with a hyphen runs on without a space."""
    out = ""
    for part in (" ".join(p.split()) for p in parts):
        out = f"{out}{part}" if out.endswith("-") or not out else f"{out} {part}"
    return out
