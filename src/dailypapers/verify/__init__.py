"""Grounding: check every number and name in a summary against the paper's own text. Pure: no I/O.

`verify(summary, source)` returns one `Claim` per distinct number or name in each summary section, each
`supported` (with its evidence: a snippet of the paper, its section heading, page and kind) or `unsupported`
(with, when the paper states the value for something else, the `reason` and that evidence). The source is
indexed once per call (`build_index`); `verify_text` checks one text against an index.

Modules: `claims` (what a claim is: the number and name grammar), `evidence` (the paper cut into evidence
units: sentences, table rows, captions), `index` (where each number and name is in them), `relations` and
`lexicon` (what a number is attached to in a sentence), `support` (the rules below), `audit` (whole summaries
and digests), `judge` (the optional LLM judge).

Evidence
- The paper is cut into evidence units: sentences, table rows (`TextSection(kind="table")`, one row a line,
  cells joined by " | ", the caption as heading) and table captions. Headings are kept for names but are no
  evidence for numbers ("4.2 Results" supports neither 4.2% nor 4.2배); nor are equation numbers ("(3)" at a
  line's end), list markers ("1.", "(2)"), `Table 10`/`[12]`-style references, citation years, or anything in
  the references section. A sentence or table row that instructs a summarizer (a prompt injection,
  `documents.injection`) is no evidence at all: it is blanked from the index's text, for every caller.

Numbers (relational claims)
- Grammar: decimals, 1,024, 1e-4, k/K/M/B/T suffixes, English magnitude words, Korean units (100만, 1억 2천만)
  and number words (백만, 세 배, 두 시간), percentages, multipliers, ranges (both ends must be supported).
- Units: the unit right after a number gives it a class (time, percent, multiplier, tokens, parameters,
  bytes, frequency, length, mass, area, level (dB), energy, count); a unit glued to a number that the table
  does not know keeps the number (`6.5km2`, `4bit`: class "unit:<letters>", matched by its letters). A
  summary number with a class is supported by a paper number of the same class (converted: `0.04초` = 40 ms);
  a paper number written with no unit supports only dimensionless classes (percent, multiplier, count,
  tokens, parameters), never a time, size or frequency; a count of something ("12 engines", "16 samples")
  supports only a count. A unit written once after a list or in a table's header or caption applies to
  every number under it ("latency of 10, 20 and 30 ms", `Latency (ms)`).
- Rounding: half a unit of the summary's last digit, at most 5% of the value (`92` for 92.47; not `1B` for
  0.5B nor `6배` for 6.5); with a hedge (약, about, ~, 가량 …) one unit of the last significant digit, at
  most 10%. A lower bound (`이상`, "more than") is met by a paper value up to twice it.
- Relation: each number is read with its clause (`relations`): the names the summary attaches to it (with
  roles: a baseline after "than"/`보다`/`대비` is compared with, not measured), its qualifier (max: 최대/up
  to; avg: 평균/average; over: 이상/over; under: 이하/under) and its context (what it measures or counts, the
  condition: "metric:tokens", "shot:zero", "noun:items"; `lexicon`). It is supported only by a unit where
  the value co-occurs with those names attached to it, the qualifiers agree and the contexts do not
  contradict. The paper's own system (named in the title or "we present X") may be left implicit; a name
  missing from the unit may stand in its context (the sentence before it when that names nothing else, the
  section heading, the table's caption and header). When nothing contradicts the claim but a name is
  missing, the checker cannot decide: the claim is unsupported and `undecided`, for the judge.

Names
- Latin-script names with a digit, inner capitals, or capitalised (in CJK text; mid-sentence in English),
  extended over a version or size (`Llama 2 7B`, `CosyVoice 2`, `Claude 3.5 Sonnet`), `@` (`HIT@1`) and the
  capitalised words that follow (`Masked Frame Prediction`). Matched ignoring case, spaces, hyphens and dots
  (`Stable Reinforce` = StableReinforce), as a whole, on whole tokens; a versioned name exactly: `GPT-4` is
  not in "GPT-4o", `Qwen2` not in "Qwen2.5", `GPT-4o` not in "GPT-4o-mini" (a size or variant is the same
  family: `Qwen2` is in "Qwen2-7B"). No plural `s` on short names (`mAP` is not "maps").
- Not claims: bare counts below 10, URLs, glosses of a Korean term (`보상 모델(Reward Model)`), digits inside a
  name, and generic acronyms (`GENERIC_ACRONYMS`).
"""

from dailypapers.verify.audit import PaperAudit, audit_digest, verify, verify_text
from dailypapers.verify.claims import GENERIC_ACRONYMS, ExtractedClaim, extract_claims
from dailypapers.verify.index import SourceIndex, build_index

__all__ = [
    "GENERIC_ACRONYMS",
    "ExtractedClaim",
    "PaperAudit",
    "SourceIndex",
    "audit_digest",
    "build_index",
    "extract_claims",
    "verify",
    "verify_text",
]
