"""A small archive for the site, app and browser tests: the seed day (with checked claims on two papers), the
same papers in English, a later day, an arXiv edition, runs with failures, and a paper whose every field is
an injection attempt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dailypapers.digestformat import read_digest
from dailypapers.models import (
    Claim,
    Digest,
    Edition,
    Entry,
    Outcome,
    Paper,
    RunReport,
    Section,
    Span,
    Summary,
    Usage,
)
from dailypapers.periods import compose
from dailypapers.store import Store

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "000_489a1fdfcdb5ea28.txt"
DAY = dt.date(2025, 5, 6)
NEXT_DAY = dt.date(2025, 5, 7)
EVIL_ID = "2505.09999"
XSS_TITLE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> Evil {{7*7}} Paper'
XSS_AUTHOR = '"><svg onload=window.__xss=3>'
XSS_TEXT = ('모델 학습 <iframe srcdoc="<script>parent.__xss=4</script>"></iframe> and '
            '<a href="javascript:window.__xss=5">click</a> 91.4% {{7*7}}')
XSS_EVIDENCE = '<b onmouseover="window.__xss=6">91.4</b> accuracy'
XSS_REASON = 'the paper states 12.0% <img src=x onerror="window.__xss=13"> for {{7*7}}'

VOILA_CLAIMS = (
    Claim(text="108", kind="number", status="supported", section_label="Technical Details",
          evidence="HumanEval-V, a benchmark of 108 carefully crafted Python coding tasks",
          evidence_section="4 Experiments", evidence_page=6),
    Claim(text="HumanEval-V", kind="name", status="supported", section_label="Technical Details",
          evidence="we evaluate on HumanEval-V", evidence_section="4 Experiments", evidence_page=6),
    Claim(text="100만", kind="number", status="supported", section_label="Technical Details",
          evidence="over one million pre-built voices", evidence_section="1 Introduction", evidence_page=2),
    Claim(text="10초", kind="number", status="supported", section_label="Technical Details",
          evidence="from an audio sample as short as 10 seconds", evidence_section="3 Method", evidence_page=4),
    Claim(text="3.2%", kind="number", status="unsupported", section_label="Performance Highlights"),
    # not checked (undecided): shown with its reason on pages, never flagged in the Markdown or messages
    Claim(text="Whisper", kind="name", status="unsupported", undecided=True, section_label="Performance Highlights",
          reason="the checker could not tell which model it names", evidence="compared with Whisper-large-v3",
          evidence_section="5 Results", evidence_page=7),
)


def _with_claims(digest: Digest) -> Digest:
    entries = list(digest.entries)
    first = entries[0]
    assert first.summary is not None
    entries[0] = first.model_copy(update={"summary": first.summary.model_copy(update={"claims": VOILA_CLAIMS})})
    return digest.model_copy(update={"entries": tuple(entries)})


def english(digest: Digest, n: int = 3) -> Digest:
    """The first papers of the day, summarized in English too (another edition of the same day)."""
    out = []
    for e in digest.entries[:n]:
        s = Summary(paper_id=e.paper.id, lang="en", model="extractive", sections=(
            Section(label="What's New", text=f"An English summary of {e.paper.title}: a new model and 3D scenes."),
            Section(label="Performance Highlights", text="It reaches 91.4% accuracy on the benchmark."),
        ), claims=(Claim(text="91.4%", kind="number", status="supported", section_label="Performance Highlights",
                         evidence="reaching 91.4% accuracy on the held-out set", evidence_section="Results",
                         evidence_page=7),))
        out.append(Entry(paper=e.paper, summary=s))
    return Digest(day=digest.day, source="hf", lang="en", entries=tuple(out))


def evil_entry() -> Entry:
    paper = Paper(
        id=EVIL_ID, title=XSS_TITLE, authors=(XSS_AUTHOR, "Mina </li><li>Park"), upvotes=7,
        thumbnail="javascript:window.__xss=7", video=None,
        links={"github": "javascript:window.__xss=8", "project": "data:text/html,<script>alert(1)</script>",
               "pdf": "https://arxiv.org/pdf/2505.09999\" onclick=\"window.__xss=9",
               "category": 'cs.AI"><script>window.__xss=14</script>', "categories": "cs.AI ../../etc <b>x</b>"},
        abstract="</details><script>window.__xss=10</script>",
    )
    summary = Summary(paper_id=EVIL_ID, lang="ko", sections=(
        Section(label="What's New</strong><script>window.__xss=11</script>", text=XSS_TEXT),
    ), claims=(Claim(text="91.4%", kind="number", status="supported", section_label="What's New</strong>"
                     "<script>window.__xss=11</script>", evidence=XSS_EVIDENCE,
                     evidence_section='"><script>window.__xss=12</script>', evidence_page=3),
               Claim(text="12.5%", kind="number", status="unsupported", section_label="What's New</strong>"
                     "<script>window.__xss=11</script>", evidence=XSS_EVIDENCE, evidence_page=3, reason=XSS_REASON)))
    return Entry(paper=paper, summary=summary)


def video_entry() -> Entry:
    paper = Paper(id="2505.08888", title="Kettle Video: 3D Worlds from One Clip", authors=("Hana Sato", "Bo Vale"),
                  upvotes=3, video="https://cdn-uploads.huggingface.co/production/uploads/x/clip.mp4",
                  links={"github": "https://github.com/example/kettle", "project": "https://example.org/kettle",
                         "category": "cs.CV", "categories": "cs.CV cs.GR"})
    summary = Summary(paper_id=paper.id, lang="ko", tldr="영상 한 개로 3D 세계를 2.5배 빠르게 만듭니다.", sections=(
        Section(label="What's New", text="한 개의 영상에서 3D 세계를 만드는 모델을 제안합니다."),
        Section(label="Performance Highlights", text="기존 방법보다 2.5배 빠릅니다."),
    ), claims=(Claim(text="2.5배", kind="number", status="supported", section_label="Performance Highlights",
                     evidence="2.5x faster than the strongest baseline", evidence_section="5 Results",
                     evidence_page=8),))
    return Entry(paper=paper, summary=summary)


def add_day(path: Path, day: dt.date, paper_id: str, title: str, author: str, votes: int, text: str) -> None:
    """A new day in the archive at `path`: one paper with a one-section Korean summary."""
    entry = Entry(paper=Paper(id=paper_id, title=title, authors=(author,), upvotes=votes),
                  summary=Summary(paper_id=paper_id, lang="ko", sections=(Section(label="What's New", text=text),)))
    with Store(path) as store:
        store.import_digest(Digest(day=day, entries=(entry,)))


def build_archive(path: Path) -> None:
    seed = _with_claims(read_digest(SEED))
    with Store(path) as store:
        store.import_digest(seed)
        store.import_digest(english(seed))
        store.import_digest(Digest(day=NEXT_DAY, entries=(video_entry(), evil_entry(),
                                                          Entry(paper=Paper(id="2505.07777", title="No Summary Yet",
                                                                            authors=("Ada Quill",), upvotes=1)))))
        store.import_digest(Digest(day=NEXT_DAY, source="arxiv:cs.CL", lang="ko", entries=(video_entry(),)))
        week = Span.parse("week", "2025-W19")  # the two days' weekly edition, made as `digest --week` makes it
        days = [d for d in (store.get_digest(Edition(day=day)) for day in (DAY, NEXT_DAY)) if d is not None]
        weekly, picks = compose(week, "hf", "ko", days, top=20)
        store.save_period(weekly, [store.digest_summary_keys(Edition(day=p.day)).get(p.entry.paper.id)
                                   for p in picks])
        t0 = dt.datetime(2025, 5, 7, 9, 0, tzinfo=dt.UTC)
        store.save_run(RunReport(
            command="digest", day=NEXT_DAY, source="hf", lang="ko", started_at=t0,
            finished_at=t0 + dt.timedelta(seconds=75),
            outcomes=(Outcome(paper_id="2505.08888", status="ok"),
                      Outcome(paper_id=EVIL_ID, status="flagged", reason="1 unsupported"),
                      Outcome(paper_id="2505.07777", status="failed", reason="timeout <b>x</b>", stage="fetch")),
            usage=Usage(calls=4, input_tokens=9_000, output_tokens=1_200, cost=0.0123)))
