"""The digest Markdown format: `render` a Digest byte for byte as the archive has it; `parse` any day back.

The format (see shared/spec/digest-format.md)::

    ## Daily Papers (YYYY-MM-DD)

    ### [<title>](<url>)

    ![](<thumbnail url>)

    Vote: <upvotes>

    Authors: <name>, <name>, ...

    - ***What's New***: <text>
    - ***Technical Details***: <text>
    - ***Performance Highlights***: <text>

`render` writes the modern form. A video entry replaces the image line with ``[Watch Video](<mp4>)`` and
``<div><video controls src="<mp4>" muted="false"></video></div>``; no ``Vote:`` line when upvotes are unknown;
no ``Authors:`` line when there are none. A paper without a link of its own (a local PDF without an arXiv id)
links to an anchor named after its id, ``### [<title>](#local-<12 hex>)``, which `parse` reads back to that id.
A section text of several lines ends each line but the last with a hard break (``\\``) and indents the next
by two spaces under its bullet.

Untrusted text cannot become Markdown or HTML. Titles, author names, labels, section texts and flagged claims
are written with a backslash before every character that could open a construct (``\\ ` * _ [ ] < & ~``;
``# > + - = | :`` and ``1.`` where a line starts; ``,`` in names, ``;`` in claims) and with bare links defused
(``https\\://``, ``www\\.``, ``a\\@b.org``), so a CommonMark or GitHub renderer shows them as the text they are and
`parse` removes exactly those backslashes. Ordinary text has none of these characters, so the sample renders
byte for byte. URLs (title link, thumbnail, video) are written only when they are well-formed http(s) URLs
(or a root-relative path, as old thumbnails are) of at most MAX_URL_CHARS: anything else is left out.
`normalize` is what the format carries of a record; ``parse(render(d)) == normalize_digest(d)``.

`parse` is tolerant: it reads every variant of the archive and keeps every entry, and reports each oddity
(`Oddity`: file, line, what was done) instead of failing; only a file that is not a digest at all (binary,
not UTF-8, empty, no ``## Daily Papers (YYYY-MM-DD)`` header first) is a FormatError. Variants read:
``Vote: -`` and no ``Vote:`` line (votes unknown), the image or video line right under the title, both
``[Watch Video](<mp4>)`` and ``[Watch Video]<mp4>`` with or without the ``<video>`` tag line, plain bullet
summaries (sections with label "" and emphasis "plain"), extra labels (``**Limitations**:``) in order,
lines under a bullet (indented wrapped text joins its line; a numbered list or a formula line is kept as a
further line of that section), the day's header written again in the same file (one day; a paper listed
twice is kept once, the first time; `ParsedDays.days` holds each other day a file has), any http(s) title link
(arXiv abs/pdf links map to the canonical id, the version goes to `Paper.version`; other links give a
``local:<12 hex>`` id and keep the link as ``links["abs"]``), and headings without a link (``### [Title]()``,
``### Title``: a ``local:`` id from the title and authors). The title's link is the last ``](...)`` of the
line, so ``]`` and ``)`` inside older unescaped titles survive.

Two markers carry pipeline state through the Markdown:

- Flagged claims. With ``show_flags``, a section whose text has unsupported claims (``Summary.unsupported``
  with that ``section_label``) ends with `` ⚠️(unverified: <claim>; <claim>)``. `parse` strips the marker and
  restores each claim as ``Claim(status="unsupported", kind="number" if it has a digit else "name")``.
- Extractive summaries. ``summary.model == "extractive"`` renders the line ``_Extractive summary: sentences
  quoted from the paper (no LLM configured)._`` and a blank line before the bullets; `parse` sets
  ``model="extractive"`` when it sees it.

Everything here is a pure function of its input except `read_days`/`read_digest`, and linear in its size.
It sits below the archive and the publishers (both read and write this format) and imports only `text`,
`models`, `errors` and `arxiv_id`.

    syntax.py       the fixed strings and limits both directions share (markers, anchors, caps)
    escaping.py     `escape`/`unescape` of untrusted text, and the one URL rule (`safe_url`)
    normalizing.py  `normalize`: what the format carries of a record; the id a title link stands for
    rendering.py    `render`: a Digest as Markdown
    parsing.py      `parse`/`parse_days`/`read_days`: Markdown (any variant of the archive) back to Digests
"""

from dailypapers.digestformat.escaping import escape, safe_url, unescape
from dailypapers.digestformat.normalizing import normalize, normalize_digest, paper_id_from_url, title_link
from dailypapers.digestformat.parsing import (
    Oddity,
    ParsedDays,
    parse,
    parse_days,
    parse_period,
    period_span,
    read_any,
    read_days,
    read_digest,
)
from dailypapers.digestformat.rendering import period_header, render, render_period, section_claims
from dailypapers.digestformat.syntax import (
    EXTRACTIVE_LINE,
    FLAG_OPEN,
    FLAG_SEP,
    LOCAL_ANCHOR,
    MAX_URL_CHARS,
)

__all__ = [
    "EXTRACTIVE_LINE",
    "FLAG_OPEN",
    "FLAG_SEP",
    "LOCAL_ANCHOR",
    "MAX_URL_CHARS",
    "Oddity",
    "ParsedDays",
    "escape",
    "normalize",
    "normalize_digest",
    "paper_id_from_url",
    "parse",
    "parse_days",
    "parse_period",
    "period_header",
    "period_span",
    "read_any",
    "read_days",
    "read_digest",
    "render",
    "render_period",
    "safe_url",
    "section_claims",
    "title_link",
    "unescape",
]
