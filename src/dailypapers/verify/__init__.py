"""Grounding: check every number and name in a summary against the paper's own text. Pure: no I/O.

`verify(summary, source)` returns one `Claim` per distinct number or name in each summary section,
each `supported` (with a snippet of the paper, its section heading and page) or `unsupported`. The
source is indexed once per call (`build_index`), so checking a claim is a binary search (numbers)
or one scan (names).

What is a claim (`extract_claims`)
- Numbers: decimals, thousand separators (1,024), exponents (1e-4), suffixes k/K/M/B/T (7B, 128K),
  English magnitude words (1.5 million, one million), Korean units 십/백/천/만/억/조 (100만, 1억 2천만),
  percentages (%, 퍼센트, percent, 포인트, points, pp, %p), multipliers (x, ×, 배, times, -fold) and
  ranges (95-100%, 3~5, 10–20억). Values are compared after scaling, so `100만`, `1M`, `1 million`,
  `one million` and `1,000,000` are equal, and `3.1x`, `3.1×`, `3.1배`, `3.1 times` are all 3.1.
  The sign is not compared.
- Units (`_UNIT_TABLE`): the text right after a number (after a space or a hyphen: `10 ms`,
  `10-second`, `10초`, `3×`) gives it a unit class when the unit is recognisable, in the summary and
  in the paper alike: time (μs, ms, s/sec/seconds/초, min/minutes/분, h/hours/시간, days/일,
  weeks, months/개월), percent (%, percent, 퍼센트, and percentage points: %p, pp, 포인트 — one
  class, since a gain is written "2.1 points", "2.1%p" and "2.1%" interchangeably; a bare English
  "points" is no class, as in "1,000 data points"), multiplier
  (x, ×, times, -fold, 배), tokens (tokens, 토큰), parameters (parameters, params, 매개변수, 파라미터),
  bytes (KB/MB/GB/TB; KiB… read as their decimal twins), frequency (Hz, kHz, MHz, GHz), and count
  (the Korean counters 개, 명, 층, 회, 번, 단계 …). A Korean unit syllable counts only before a
  particle or a non-Hangul character (`3배의` yes, `3 배치` no). English nouns ("10 layers") are no
  class.
  The rule: a summary number with a class is supported only by a paper number of the same value
  whose class is the same or none (papers write a unit once: "latency of 10, 20 and 30 ms"
  supports `20ms`). A number of a different known class does not support it (`10초` is not
  supported by "10 minutes", `3배` not by "3%"), nor does a reference to the paper's furniture
  (`Table 10`, `[10]`). Time, bytes and frequency are compared after conversion to seconds, bytes
  and Hz, so `600초` is supported by "10 minutes" and `0.04초` by "40 ms" (rounding applies in the
  summary's own unit). A generic count (`16개`) is compatible with tokens, parameters and
  multipliers ("16× H100" counts devices). A summary number with no class is compared by value
  only, as before. The price of "no class supports any class": `10초` is still supported by
  "10 layers" when the paper has no other 10.
- Names: Latin-script tokens (joined by - _ . ') that contain a digit and a letter (GPT-4o,
  Qwen2.5-7B, RM-R1, 2WikiMultiHopQA), or a capital after the first letter (HumanEval-V,
  SpeechGPT, AdamW, SVD, muP). A plain capitalised word (Voila, Moshi) is a name in a Korean/CJK
  text, and in a Latin-script text only when it does not start a sentence (there it is an ordinary
  word). Capitalised words in a gloss, the parenthesis right after a Korean term — `보상 모델(Reward
  Model)` — or an acronym — `SVD(Singular Value Decomposition)` — are translations, not names;
  acronyms and CamelCase in a gloss (`(Reward Model; RM)`)
  still are.
- Matching a name ignores case and punctuation: `LLaMA-Omni2`, `llama omni 2` and `Llama.Omni2`
  are the same key; a key must cover whole source tokens (so `HumanEval` is not found inside
  "human evaluation"), and a plural `s` on either side is ignored.

What is not a claim (trivia that cannot mislead a reader)
- Bare integers below 10 with no scale, decimals or measuring unit ("2단계", "3 epochs", "two
  stages"): every paper text holds them (section, table and footnote numbers), so checking them
  could never fail. A measurement (time, percent, multiplier, bytes, frequency: `3초`, `5 ms`) is a
  claim at any size, since its unit is checked too.
  Spelled-out numbers in a summary are claims only with a magnitude word ("one million"); in the
  SOURCE every spelled-out number counts.
- References to the paper's furniture: Section/Table/Figure/Eq./Appendix/Algorithm/그림/표/섹션/식/부록 N,
  and bracketed citations [12]. Years 1900–2099 in a citation ("et al., 2023", "(2023)") or
  followed by 년.
- Digits inside a name (GPT-4o, Llama-2-7B): the name is the claim. URLs.
- Generic field acronyms (`GENERIC_ACRONYMS`: LLM, AI, RL, ASR, TTS, WER, SOTA, GPU …): the
  standard abbreviation of a generic term, which a faithful summary may use even when the paper
  spells it out. Specific artefacts (models, benchmarks, datasets, metrics with a proper name such
  as BLEU) are never on that list.

Rounding tolerance
- A summary value is supported when some source value, rounded to the summary's precision (the
  place of its last written digit, times its scale), equals it: source 92.47 supports 92.47, 92.5
  and 92, not 92.4; source 1.04 million supports 1.0M and 1M, not 1.1M (a tie at exactly half a
  unit counts either way).
- A hedge (약, 대략, 거의, about, approximately, around, roughly, nearly, ~, ≈ before; 가량, 정도, 안팎, 내외,
  여 after) widens that to one whole unit of the last significant digit, at most 10% of the value:
  `약 92.4%` is supported by 92.47, `about 1,000` by 1,024, `약 100만` by 1.05 million.
- Percent vs fraction: a summary percentage p is also supported by a source fraction p/100 written
  with a decimal point (0.92 supports 92%), and a summary fraction f by a source percentage 100·f.
- A range is supported when both ends are.
- A number derived by the summary's author (a difference, a ratio) that the paper does not state
  is unsupported: that is the point.
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
