"""Synthetic papers for tests and benchmarks: deterministic, made up from templates, never copied text.

A SynthPaper has a title, authors, an abstract and numbered sections (Introduction, Related Work, Method,
Experiments, Results, Conclusion, References, Appendix) whose sentences carry numbers and names that the
tests can check against (`facts`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

_FIRST = ["Mira", "Tomas", "Ines", "Kaito", "Lena", "Oren", "Priya", "Rafael", "Sana", "Yuki", "Ada", "Bruno"]
_LAST = ["Kovac", "Lindqvist", "Okafor", "Tanaka", "Moreau", "Haddad", "Novak", "Reyes", "Sato", "Varga"]
_NOUNS = ["attention routing", "token pruning", "reward shaping", "curriculum sampling", "state caching",
          "sparse adapters", "latent planning", "contrastive alignment", "speculative decoding", "graph memory"]
_VERBS = ["improves", "stabilises", "accelerates", "simplifies", "regularises", "extends"]
_FILLER = [
    "We describe the setting in detail and keep the notation consistent across sections.",
    "This design choice keeps the implementation simple and easy to reproduce.",
    "The same observation holds when the training budget is varied.",
    "We discuss the limitations of this analysis at the end of the paper.",
    "Each component can be removed independently, which makes the ablation straightforward.",
    "The procedure requires no additional labels beyond those already available.",
    "In practice the overhead of this step is small compared with the forward pass.",
    "We follow standard practice for the optimiser and the learning rate schedule.",
]
# A two-column ML paper page holds roughly 600-800 words; a single-column preprint page about 450.
WORDS_PER_PAGE = 600


@dataclass
class SynthPaper:
    arxiv_id: str
    title: str
    authors: list[str]
    abstract: str
    sections: list[tuple[str, list[str]]]  # (heading, paragraphs), headings numbered like a real paper
    model_name: str
    benchmarks: list[str]
    facts: dict[str, str] = field(default_factory=dict)  # name -> the exact string that occurs in the text

    def body_text(self) -> str:
        parts = []
        for heading, paragraphs in self.sections:
            parts.append(heading)
            parts.extend(paragraphs)
        return "\n\n".join(parts)

    def text(self) -> str:
        """The whole paper as plain text, the way a text file of it would read."""
        return f"{self.title}\n\n{', '.join(self.authors)}\n\nAbstract\n\n{self.abstract}\n\n{self.body_text()}\n"


def make_paper(arxiv_id: str = "2501.01234", *, pages: int = 8, seed: int | None = None) -> SynthPaper:
    rng = random.Random(seed if seed is not None else arxiv_id)
    stem = rng.choice(["Zorbex", "Quillon", "Paxter", "Velloran", "Trimble", "Castora", "Nimbrel", "Ostrava"])
    model = f"{stem}-{rng.choice([3, 7, 13, 34])}B"
    benchmarks = [f"{rng.choice(['Quanta', 'Lumen', 'Arbor', 'Helix', 'Corvid'])}Bench-{k}" for k in ("A", "B")]
    noun = rng.choice(_NOUNS)
    acc = round(rng.uniform(60, 95), 2)
    gain = round(rng.uniform(1.5, 12.0), 1)
    speed = rng.choice([1.8, 2.4, 3.1, 4.0])
    n_tasks = rng.choice([128, 256, 512, 1024])
    params = rng.choice([7, 13, 34])
    facts = {
        "accuracy": f"{acc}%",
        "gain": f"{gain} points",
        "speedup": f"{speed}x",
        "tasks": str(n_tasks),
        "model": model,
        "bench_a": benchmarks[0],
        "bench_b": benchmarks[1],
    }
    title = f"{model}: {noun.title()} for Efficient Reasoning at Scale"
    authors = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(rng.randint(2, 6))]
    abstract = (
        f"We introduce {model}, a language model trained with {noun}. "
        f"On {benchmarks[0]} it reaches {acc}% accuracy, {gain} points above the strongest baseline, "
        f"and it runs {speed}x faster at inference. We release code and data."
    )
    key_sentences = {
        "Introduction": [
            f"Large models are expensive to run, and {noun} is a promising way to reduce that cost.",
            f"Our main contribution is {model}, which {rng.choice(_VERBS)} training with {noun}.",
            f"We evaluate on {benchmarks[0]} and {benchmarks[1]}, two suites with {n_tasks} tasks in total.",
        ],
        "Related Work": [f"Earlier work on {rng.choice(_NOUNS)} motivates our approach."],
        "Method": [
            f"We propose a two-stage procedure: first {noun}, then a light fine-tuning phase.",
            f"The model has {params} billion parameters and a context window of 8192 tokens.",
            "We train for 3 epochs with a batch size of 256 sequences.",
        ],
        "Experiments": [
            f"We compare {model} against four baselines on {benchmarks[0]} and {benchmarks[1]}.",
            "All runs use 8 accelerators and the same data order.",
        ],
        "Results": [
            f"{model} achieves {acc}% accuracy on {benchmarks[0]}, an improvement of {gain} points.",
            f"Inference is {speed}x faster than the dense baseline at equal quality.",
            f"On {benchmarks[1]} the gain is smaller but consistent across all {n_tasks} tasks.",
        ],
        "Conclusion": [f"We showed that {noun} makes {model} both faster and more accurate."],
    }
    headings = ["Introduction", "Related Work", "Method", "Experiments", "Results", "Conclusion"]
    # spread the body over the page budget; the Method and Experiments sections take the most room
    weights = {"Introduction": 2, "Related Work": 2, "Method": 4, "Experiments": 4, "Results": 3, "Conclusion": 1}
    total_words = max(pages, 1) * WORDS_PER_PAGE
    sections: list[tuple[str, list[str]]] = []
    for i, h in enumerate(headings, start=1):
        budget = total_words * weights[h] // sum(weights.values())
        paragraphs = [" ".join(key_sentences[h])]
        words = len(paragraphs[0].split())
        while words < budget:
            sents = [rng.choice(_FILLER) for _ in range(rng.randint(3, 6))]
            if rng.random() < 0.3:
                sents.append(f"Table {rng.randint(1, 9)} reports the values for setting {rng.randint(1, 40)}.")
            para = " ".join(sents)
            paragraphs.append(para)
            words += len(para.split())
        sections.append((f"{i} {h}", paragraphs))
    refs = [
        f"[{k}] {rng.choice(_LAST)}, {rng.choice(_FIRST)[0]}. A study of {rng.choice(_NOUNS)}. In Proc. {2015 + k % 9}."
        for k in range(1, 31)
    ]
    sections.append(("References", ["\n".join(refs)]))
    sections.append(("A Additional Results", [f"Extra ablations for {model} with seeds 1 to 5. " * 10]))
    return SynthPaper(arxiv_id, title, authors, abstract, sections, model, benchmarks, facts)
