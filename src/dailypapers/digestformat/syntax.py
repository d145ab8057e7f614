"""The digest format's fixed strings and limits, shared by `render` and `parse` (see the package docstring)."""

from __future__ import annotations

from dailypapers.models import Emphasis

MAX_URL_CHARS = 4096  # a longer URL is not written, and not read as a link
MAX_LABEL_CHARS = 200
MAX_VOTES = 10**18  # a vote count fits in SQLite's integer

FLAG_OPEN = " ⚠️(unverified: "
FLAG_SEP = "; "
EXTRACTIVE_LINE = "_Extractive summary: sentences quoted from the paper (no LLM configured)._"
LOCAL_ANCHOR = "#local-"  # the title link of a paper with no link of its own: #local-<12 hex>
ID_ANCHOR = "#id-"  # the same for any other id that makes no well-formed URL (never seen in practice)
CONTINUATION_INDENT = "  "

EMPHASIS_MARK: dict[Emphasis, str] = {"bold_italic": "***", "bold": "**", "plain": ""}
MARK_EMPHASIS: dict[str, Emphasis] = {"***": "bold_italic", "**": "bold"}
