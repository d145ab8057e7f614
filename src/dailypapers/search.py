"""Search over the archive: how text is indexed, how a query becomes an FTS5 expression, and highlighted
snippets. Pure functions; the store keeps the index (`store/searchindex.py`, migration 006) and runs the queries.

The index (`search_fts`, FTS5 with the unicode61 tokenizer) holds one row per paper that is in an edition:
its title, authors, the summaries its editions show (every language) and its abstract. unicode61 splits Latin
text into words, but it would keep a Korean word with its particle (`모델은`) or a compound (`강화학습`) as one
token, and the older trigram index cannot match anything shorter than three characters. So before indexing,
every run of CJK characters is rewritten as its overlapping character pairs plus its last character
(`강화학습은` -> `강화 화학 학습 습은 은`): every CJK substring of two or more characters is then a phrase of
consecutive pairs. A query of one CJK character is looked up in a fifth column that holds every CJK character on
its own (a prefix query over the pairs would merge hundreds of them). Latin words match from their start
(`transform` finds "Transformers"); words of one or two characters (`3D`, `RL`) match whole words only.

`index_text` must stay as it is once shipped: the index is contentless, so a row is deleted by giving FTS5
the same tokens it was given; a change here needs a migration that rebuilds `search_fts`.

Korean spacing is free in compounds (`강화학습` = `강화 학습`), so a query is read the same whatever its
spacing: `split_compounds` splits a query's Korean word between the nouns the morphological analyzer (kiwipiepy,
the one grounding uses) finds in it, so `강화학습` is searched as `강화 학습`, two words that must both occur (each
also matches inside the other spelling, as every CJK substring does).

The static site's search (Pagefind) gets the same behaviour from `expand_cjk`: Pagefind matches words by
prefix, so each CJK word is indexed with its suffixes as well (`강화학습은` also as `학습은`, `습은`, `은`), and two
CJK words in a row also as one (`강화 학습` also as `강화학습`), so a query typed without the space finds them;
static/search.js also searches a Korean word of 4, 6 or 8 syllables as its two-syllable pieces.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import math
import operator
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from dailypapers.text import CJK, one_line

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

Sort = Literal["newest", "rank"]
SORTS: tuple[Sort, ...] = ("newest", "rank")

# bm25 column weights: title, authors, summaries, abstract, single CJK characters (a hit in the title counts most)
WEIGHTS = (10.0, 5.0, 2.0, 1.0, 1.0)
CHARS_COLUMN = "chars"
# `rank` orders the newest RANK_WINDOW matches by bm25 (FTS5's formula and constants, `bm25` below): a score
# per matching row would cost a scan of every match of a word found in most of a 100k-paper archive (모델).
# FTS5's own bm25() also counts every match of each phrase for its IDF: for a Korean phrase found everywhere
# tens of milliseconds, for a word in most of 100k papers several (`costly_to_count`). For such a query the
# store scores the window itself: term frequencies from the rows' stored text (`instance_counter`), row and
# average lengths from FTS5's own size records, and each phrase's document count exact when it is in fewer
# than IDF_SAMPLE papers, else estimated from its newest IDF_SAMPLE matches (how many papers they span).
# Other queries are scored by bm25() itself. `newest` (the default) reads only the rows it returns.
RANK_WINDOW = 200
IDF_SAMPLE = 256
# bm25() counts this many matches of single words in about the time the store takes to score a window of
# Korean words itself (about 1.7 ms at 100k papers); twice as many when a word needs its pattern (Latin)
COSTLY_WORD_ROWS = 40_000
K1, B = 1.2, 0.75  # FTS5's bm25 constants
IDF_FLOOR = 1e-6  # FTS5's IDF for a phrase in half the rows or more
MAX_QUERY_CHARS = 256
MAX_QUERY_TERMS = 16  # words of a query searched (`parse_query`)
MIN_PREFIX_CHARS = 3  # a Latin word shorter than this matches whole words only ("3D" is not "3DGS")
MAX_PREFIX_WORDS = 32  # a prefix of more words than this is left to FTS5's own prefix query
SNIPPET_CHARS = 160
MAX_SUFFIX_CHARS = 8  # expand_cjk: suffixes longer than this are cut (a query's CJK word is split alike)

_CJK_CLASS = CJK.pattern[1:-1]  # the character class without its brackets


def _compiled(pattern: str) -> Callable[[], re.Pattern[str]]:
    """`pattern`, compiled when first used: a pattern with the CJK class takes milliseconds to compile, which
    every command importing this module (through the store) would pay, searching or not."""
    return functools.cache(lambda: re.compile(pattern))


CJK_RUN = _compiled(f"[{_CJK_CLASS}]+")
_SEGMENT = _compiled(rf"(?P<cjk>[{_CJK_CLASS}]+)|(?P<word>[^\W_{_CJK_CLASS}]+)")  # word: letters/digits, not CJK


# -- indexing ------------------------------------------------------------------------------------------
def _pairs(run: str) -> str:
    if len(run) == 1:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1)) + " " + run[-1]


def index_text(text: str) -> str:
    """What the FTS index is given for `text`: CJK runs as their character pairs, the rest as it is."""
    return CJK_RUN().sub(lambda m: f" {_pairs(m.group())} ", text)


def expand_cjk(text: str) -> str:
    """The CJK suffixes of every word of `text` (from each CJK character after the word's first, at most
    MAX_SUFFIX_CHARS long), and every two CJK words in a row joined (`강화 학습` -> `강화학습`), space-separated:
    appended to a Pagefind record, whose prefix matching then finds `학습` in `강화학습`, `는` in `Voila는`, and
    `강화학습` in `강화 학습`."""
    out: list[str] = []
    joined: list[str] = []
    runs = list(CJK_RUN().finditer(text))  # a run holds no space: it lies in one word
    for k, m in enumerate(runs):
        run, start, end = m.group(), m.start(), m.end()
        first = start == 0 or text[start - 1].isspace()  # the run opens its word
        out.extend(run[i : i + MAX_SUFFIX_CHARS] for i in range(0 if not first else 1, len(run)))
        # the run closes its word and the next word opens with a run: the two words' CJK ends joined
        if k + 1 < len(runs) and text[end:runs[k + 1].start()].isspace():
            joined.append((run + runs[k + 1].group())[:MAX_SUFFIX_CHARS * 2])
    return " ".join(out + joined)


# -- Korean compounds ----------------------------------------------------------------------------------
_HANGUL_WORD = _compiled(r"[\uac00-\ud7a3]{4,}")  # two nouns of two syllables at least
_NOUN_TAGS = frozenset({"NNG", "NNP"})
_kiwi_lock = threading.Lock()
_kiwi_instance: list[Kiwi] = []


def _kiwi() -> Kiwi:
    with _kiwi_lock:  # loaded on the first Korean compound (a few seconds), then shared
        if not _kiwi_instance:
            from kiwipiepy import Kiwi

            # without the typo dictionary (misspellings, chat endings) and the multi-word one (WikiData names of
            # several words): neither changes where one word's nouns meet, and the analyzer then holds ~300 MB
            # instead of ~480 MB (`serve` measured by bench/meaning.py) and loads in half the time
            _kiwi_instance.append(Kiwi(load_typo_dict=False, load_multi_dict=False))
        return _kiwi_instance[0]


def split_compounds(query: str) -> str:
    """`query` with a space between the nouns of each Korean compound (`강화학습은` -> `강화 학습은`), as the
    analyzer reads them: a noun of one syllable stays joined (`대규모`), a particle stays on its noun."""
    query = query[:MAX_QUERY_CHARS]
    if not _HANGUL_WORD().search(query):
        return query
    return " ".join(_split_word(word) if _HANGUL_WORD().search(word) else word for word in query.split())


@functools.lru_cache(maxsize=4096)
def _split_word(word: str) -> str:
    """One word of a query with a space between its compound's nouns (kept: a word is read the same every
    time, and the analyzer takes a few hundred microseconds a word; a query is read twice by hybrid search)."""
    cuts: list[int] = []
    tokens = list(_kiwi().tokenize(word))
    for prev, cur in itertools.pairwise(tokens):
        if (prev.tag in _NOUN_TAGS and cur.tag in _NOUN_TAGS and prev.start + prev.len == cur.start
                and len(prev.form) >= 2 and len(cur.form) >= 2 and prev.form == word[prev.start:cur.start]):
            cuts.append(cur.start)
    return " ".join(word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)], strict=True))


# -- queries -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """One whitespace-separated word of a query, as the index sees it."""

    text: str
    tokens: tuple[str, ...]  # index tokens of the phrase
    prefix: bool  # the last token matches as a prefix
    needles: tuple[tuple[str, bool], ...]  # (text, is_cjk) pieces to highlight
    column: str | None = None  # look in this column only

    def fts(self, words: Sequence[str] = ()) -> str:
        """The term as an FTS5 phrase; with `words` (the index's words that begin with the term's prefix, all
        of them), those in place of the prefix: the same rows, without FTS5 merging every match of them first."""
        if self.prefix and words:
            head = self.tokens[:-1]
            return "(" + " OR ".join(_phrase((*head, word)) for word in words) + ")"
        phrase = _phrase(self.tokens) + (" *" if self.prefix else "")
        return f"{self.column} : {phrase}" if self.column else phrase

    def ascii_prefix(self) -> str | None:
        """The prefix the term's last token stands for, lowered, when it is ASCII (then folded as FTS5 folds
        it); None for any other term."""
        last = self.tokens[-1]
        return last.lower() if self.prefix and last.isascii() else None


def _phrase(tokens: Sequence[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def parse_query(query: str) -> list[Term]:
    """The terms of a query, Korean compounds split into their nouns (`split_compounds`), the first
    `MAX_QUERY_TERMS` of them (each costs its own queries: a query of many one-letter words is no denial of
    service). User text is never FTS syntax: quotes, operators and brackets are plain text."""
    terms: list[Term] = []
    for raw in split_compounds(query[:MAX_QUERY_CHARS]).split()[:MAX_QUERY_TERMS]:
        segments = list(_SEGMENT().finditer(raw))
        tokens: list[str] = []
        needles: list[tuple[str, bool]] = []
        prefix = False
        for i, m in enumerate(segments):
            last = i == len(segments) - 1
            if m.group("cjk"):
                run = m.group("cjk")
                needles.append((run, True))
                if len(run) == 1:
                    tokens.append(run)
                    prefix = last  # a character that ends the term may go on in the text
                elif last:
                    tokens.extend(run[j : j + 2] for j in range(len(run) - 1))  # the text may go on
                else:
                    tokens.extend(_pairs(run).split())  # the run ends here, as it does in the text
            else:
                word = m.group("word")
                needles.append((word, False))
                tokens.append(word)
                prefix = last and len(word) >= MIN_PREFIX_CHARS
        if len(segments) == 1 and segments[0].group("cjk") and len(tokens) == 1 and len(tokens[0]) == 1:
            terms.append(Term(raw, tuple(tokens), False, tuple(needles), CHARS_COLUMN))  # one CJK character
        elif tokens:
            terms.append(Term(raw, tuple(tokens), prefix, tuple(needles)))
    return terms


def match_expression(terms: list[Term], words: Sequence[Sequence[str]] | None = None) -> str:
    """The FTS5 MATCH expression: every term must occur (as a phrase of its tokens; with `words`, each term's
    prefix as its words, see `Term.fts`)."""
    return " AND ".join(t.fts(w) for t, w in zip(terms, words or [()] * len(terms), strict=True))


# -- ranking: FTS5's bm25 over a window of rows ----------------------------------------------------------
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_TOKEN = rf"[^\W_{_CJK_CLASS}]"  # a character of a Latin-script token (CJK runs are tokenized apart)
_CJK_CHAR = f"[{_CJK_CLASS}]"


def _overlaps(needle: str) -> bool:
    return any(needle[:k] == needle[-k:] for k in range(1, len(needle)))


@functools.lru_cache(maxsize=256)
def _instance_pattern(term: Term) -> re.Pattern[str]:
    """Where `term`'s phrase starts in text lowered as SQLite's lower() does (ASCII only), as FTS5 would match
    it in that text's tokens: a Latin word whole (or as a prefix, when the term is), a CJK run anywhere in a run
    of the text (ending where the term's run ends before another piece, starting where it starts after one),
    pieces separated by anything but token characters. Each piece is a literal first, so the scan is fast."""
    parts: list[str] = []
    last = len(term.needles) - 1
    for i, (needle, is_cjk) in enumerate(term.needles):
        lit = re.escape(needle.translate(_ASCII_LOWER))
        if is_cjk:
            part = lit + (f"(?<!{_CJK_CHAR}{lit})" if i > 0 else "") + (f"(?!{_CJK_CHAR})" if i < last else "")
        else:
            part = lit + f"(?<!{_TOKEN}{lit})" + ("" if i == last and term.prefix else f"(?!{_TOKEN})")
        parts.append(part)
    body = r"[\W_]*".join(parts)
    if len(term.needles) > 1 or _overlaps(term.needles[0][0]):
        # FTS5 counts every start, overlapping ones too (하하 in 하하하: two; `b b` in `b b b`: two)
        body = f"(?=({body}))"
    return re.compile(body)


def instance_counter(term: Term) -> Callable[[str], int]:
    """How many times FTS5 finds `term`'s phrase in a text lowered as SQLite's lower() does (ASCII only). The
    one difference: letters outside ASCII match only in the same case (FTS5 folds them). A term of one CJK
    character (looked up in the column of every CJK character) counts that character."""
    needle = plain_needle(term)
    if needle is not None:
        return operator.methodcaller("count", needle)
    findall = _instance_pattern(term).findall
    first = first_literal(term)  # every instance holds it: a text without it is not scanned
    return lambda text: len(findall(text)) if first in text else 0


def plain_needle(term: Term) -> str | None:
    """The text whose count in a text is `term`'s count there (a CJK word that cannot overlap itself, or one
    CJK character), else None (the count takes `term`'s pattern)."""
    needle, is_cjk = term.needles[0]
    if term.column == CHARS_COLUMN:
        return term.tokens[0]
    return needle if len(term.needles) == 1 and is_cjk and not _overlaps(needle) else None


def first_literal(term: Term) -> str:
    """The first piece of `term`'s phrase, lowered as `instance_counter` expects the text: in every instance.
    Letters and digits only (or CJK), which JSON never escapes: a JSON array without it has no instance."""
    return term.needles[0][0].translate(_ASCII_LOWER)


def chars_needle(term: Term) -> str | None:
    """The CJK characters a term of single CJK characters only (`가-나`) also matches in the column of every
    CJK character, where they sit one after another; None for any other term."""
    if term.column is None and all(len(t) == 1 and CJK.match(t) for t in term.tokens):
        return "".join(term.tokens)
    return None


def count_overlapping(text: str, needle: str) -> int:
    count, at = 0, text.find(needle)
    while at >= 0:
        count, at = count + 1, text.find(needle, at + 1)
    return count


def fts5_varints(blob: bytes) -> list[int]:
    """The integers of an FTS5 size record (SQLite varints: big-endian, seven bits a byte, the ninth whole).
    One pass over the bytes: ranking decodes the record of every row it scores."""
    out: list[int] = []
    value = n = 0
    for byte in blob:
        if n == 8:
            out.append((value << 8) | byte)
            value = n = 0
        elif byte & 0x80:
            value, n = (value << 7) | (byte & 0x7F), n + 1
        else:
            out.append((value << 7) | byte)
            value = n = 0
    return out


def costly_to_count(terms: list[Term], hits: list[float]) -> bool:
    """Whether FTS5's bm25() would spend long counting the terms' matches (`hits` of each, exact under
    IDF_SAMPLE, else estimated): a phrase of several tokens or one CJK character in many rows (every row's
    positions are compared; the column of every CJK character holds many a row), or single words (a list
    read each) in COSTLY_WORD_ROWS rows together (twice as many when one is counted here by its pattern, which
    costs more than a Korean word's plain count)."""
    budget = COSTLY_WORD_ROWS * (2 if any(plain_needle(term) is None for term in terms) else 1)
    words = 0.0
    for term, n in zip(terms, hits, strict=True):
        if term.column == CHARS_COLUMN or len(term.tokens) > 1:
            if n >= IDF_SAMPLE:
                return True
        else:
            words += n
    return words >= budget


def idf(rows: int, hits: float) -> float:
    """FTS5's IDF of a phrase found in `hits` of `rows` rows."""
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return value if value > 0 else IDF_FLOOR


def bm25(freqs: list[float], idfs: list[float], size: int, avgdl: float) -> float:
    """FTS5's bm25() of a row: `freqs` are the weighted instance counts of each phrase, `size` the row's tokens.
    Negative, as FTS5's: lower is better."""
    norm = K1 * (1 - B + B * size / avgdl)
    score = 0.0
    for f, w in zip(freqs, idfs, strict=True):
        score -= w * (f * (K1 + 1)) / (f + norm)
    return score


# -- highlighting --------------------------------------------------------------------------------------
Span = tuple[int, int]


@functools.lru_cache(maxsize=256)
def _highlight_pattern(terms: tuple[Term, ...]) -> re.Pattern[str] | None:
    parts: list[str] = []
    for term in terms:
        for needle, is_cjk in term.needles:
            if is_cjk:
                parts.append(re.escape(needle))
            elif len(needle) >= MIN_PREFIX_CHARS:
                parts.append(rf"(?<![^\W_]){re.escape(needle)}[^\W_]*")  # the whole word it starts
            else:
                parts.append(rf"(?<![^\W_]){re.escape(needle)}(?![^\W_])")
    if not parts:
        return None
    # longest first, so `RM-R1`'s pieces do not hide a longer needle
    return re.compile("|".join(sorted(parts, key=len, reverse=True)), re.IGNORECASE)


def _spans(text: str, pattern: re.Pattern[str] | None) -> list[Span]:
    if pattern is None:
        return []
    return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]


@dataclass(frozen=True)
class Snippet:
    """A piece of text with the query's words marked: `spans` are offsets into `text`."""

    text: str
    spans: tuple[Span, ...] = ()

    def segments(self) -> list[tuple[str, bool]]:
        """The text cut into (piece, is_match) pairs, for a template to wrap matches in <mark>."""
        out: list[tuple[str, bool]] = []
        pos = 0
        for start, end in self.spans:
            if start > pos:
                out.append((self.text[pos:start], False))
            out.append((self.text[start:end], True))
            pos = end
        if pos < len(self.text):
            out.append((self.text[pos:], False))
        return out


def snippet(text: str, terms: list[Term], width: int = SNIPPET_CHARS) -> Snippet | None:
    """A window of about `width` characters of `text` around its first match, whitespace collapsed; None if
    nothing matches. Only the window is scanned for further matches (a summary can be long)."""
    return _snippet(text, _highlight_pattern(tuple(terms)), width)


def _snippet(text: str, pattern: re.Pattern[str] | None, width: int = SNIPPET_CHARS) -> Snippet | None:
    first = pattern.search(text) if pattern is not None else None
    if pattern is None or first is None:
        return None
    start = max(0, first.start() - width // 3)
    if start > 0:  # begin at a word if one starts near
        space = text.rfind(" ", max(0, start - 20), start + 1)
        start = space + 1 if space >= 0 else start
    end = min(len(text), max(start + width, first.end()))
    if end < len(text):
        space = text.find(" ", end, end + 20)
        end = space if space >= 0 else end
    body = one_line(text[start:end])
    lead = "…" if start > 0 else ""
    shown = lead + body + ("…" if end < len(text) else "")
    spans = tuple((a + len(lead), b + len(lead)) for a, b in _spans(body, pattern))
    return Snippet(shown, spans)


# -- results -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchDoc:
    """What the index holds for one paper (a row of `search_docs`)."""

    paper_id: str
    day: dt.date | None
    title: str
    authors: tuple[str, ...]
    summaries: tuple[tuple[str, str], ...]  # (lang, text) of the summaries its editions show
    abstract: str = ""

    def fts_values(self) -> tuple[str, str, str, str, str]:
        """The five columns as the FTS index is given them."""
        authors = ", ".join(self.authors)
        body = "\n".join(text for _, text in self.summaries)
        chars = " ".join(c for text in (self.title, authors, body, self.abstract) for run in CJK_RUN().findall(text)
                         for c in run)
        return index_text(self.title), index_text(authors), index_text(body), index_text(self.abstract), chars

    def row(self) -> dict[str, object]:
        return {
            "paper_id": self.paper_id,
            "day": self.day.isoformat() if self.day else None,
            "title": self.title,
            "authors": json.dumps(list(self.authors), ensure_ascii=False),
            "summaries": json.dumps([list(s) for s in self.summaries], ensure_ascii=False),
            "abstract": self.abstract,
        }

    @classmethod
    def from_row(cls, r: dict[str, object]) -> SearchDoc:
        day = r.get("day")
        return cls(
            paper_id=str(r["paper_id"]),
            day=dt.date.fromisoformat(str(day)) if day else None,
            title=str(r["title"] or ""),
            authors=tuple(json.loads(str(r["authors"] or "[]"))),
            summaries=tuple((lang, text) for lang, text in json.loads(str(r["summaries"] or "[]"))),
            abstract=str(r["abstract"] or ""),
        )


@dataclass(frozen=True)
class SearchHit:
    """One paper found: its title and the best summary snippet, with the query's words marked."""

    paper_id: str
    day: dt.date | None
    title: Snippet
    authors: tuple[str, ...]
    score: float  # bm25 (lower is better); 0 when sorted by date
    snippet: Snippet | None = None
    snippet_lang: str | None = None  # the summary's language; None for the abstract

    def to_json(self) -> dict[str, object]:
        return {
            "paper_id": self.paper_id,
            "day": self.day.isoformat() if self.day else None,
            "title": self.title.text,
            "title_highlights": [list(s) for s in self.title.spans],
            "authors": list(self.authors),
            "score": self.score,
            "snippet": self.snippet.text if self.snippet else None,
            "snippet_highlights": [list(s) for s in self.snippet.spans] if self.snippet else [],
            "snippet_lang": self.snippet_lang,
        }


def hit(doc: SearchDoc, terms: list[Term], score: float, *, lang: str | None = None) -> SearchHit:
    """A found paper as a hit: the snippet comes from its summary in `lang` if that one matches, else from
    another language's summary, else from the abstract."""
    pattern = _highlight_pattern(tuple(terms))
    ordered = sorted(doc.summaries, key=lambda s: s[0] != lang)
    snip: Snippet | None = None
    snip_lang: str | None = None
    for s_lang, text in ordered:
        snip = _snippet(text, pattern)
        if snip is not None:
            snip_lang = s_lang
            break
    if snip is None and doc.abstract:
        snip = _snippet(doc.abstract, pattern)
    title = Snippet(doc.title, tuple(_spans(doc.title, pattern)))
    return SearchHit(doc.paper_id, doc.day, title, doc.authors, score, snip, snip_lang)
