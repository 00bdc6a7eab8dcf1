"""What the harness times: narratives' stages, the floor, and the tools users would otherwise use.

Every contender is built once (models fitted on the labelled paragraphs) and then
asked for a zero-argument callable over a :class:`Workload`; the harness times it.
"""

from __future__ import annotations

import random
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from narratives import classify_many, load_labels, split_paragraphs
from narratives.model import Model
from narratives.training import baseline_pipeline

PARAGRAPHS_PER_DOCUMENT = 10
SEED = 0
_FLOOR_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern

FLOOR = "floor: lower-case + token regex"
PLAIN = "plain: TfidfVectorizer(1,2) + LR"
END_TO_END = "narratives: classify_many, n_jobs={}"


@dataclass(frozen=True)
class Workload:
    """``n`` labelled paragraphs resampled with a fixed seed, also joined into 10-paragraph documents."""

    paragraphs: list[str]
    documents: list[str]

    @property
    def megabytes(self) -> float:
        return sum(len(p.encode()) for p in self.paragraphs) / 1e6

    @classmethod
    def build(cls, n: int, pool: list[str]) -> Workload:
        rng = random.Random(SEED)
        paragraphs = [rng.choice(pool) for _ in range(n)]
        step = PARAGRAPHS_PER_DOCUMENT
        documents = ["\n\n".join(paragraphs[i : i + step]) for i in range(0, n, step)]
        return cls(paragraphs, documents)


Timed = Callable[[], object]
Contender = Callable[[Workload], Timed]


def floor(texts: list[str]) -> int:
    """Lower-casing plus the token regex: the least any bag-of-words classifier must do."""
    return sum(len(_FLOOR_TOKEN.findall(text.lower())) for text in texts)


def build_contenders(
    model: Model, root: Path, *, n_jobs: tuple[int, ...]
) -> tuple[dict[str, Contender], dict[str, str]]:
    """The contenders by name, and a note for each one skipped (and why)."""
    examples = load_labels(root / "labels")
    texts = [e.text for e in examples]
    labels = [e.label.value for e in examples]
    plain = baseline_pipeline().fit(texts, labels)
    hashing = _hashing_pipeline().fit(texts, labels)

    contenders: dict[str, Contender] = {
        FLOOR: lambda w: lambda: floor(w.paragraphs),
        "narratives: split documents": lambda w: lambda: [split_paragraphs(d) for d in w.documents],
        # The stages as classify runs them: numpy arrays (model.transform wraps them for scipy).
        "narratives: featurise": lambda w: lambda: model.features(w.paragraphs),
        "narratives: predict on features": _predict_on_features(model),
        "narratives: featurise + predict": lambda w: lambda: model.predict_proba(w.paragraphs),
    }
    for jobs in n_jobs:
        contenders[END_TO_END.format(jobs)] = lambda w, jobs=jobs: (
            lambda: classify_many(w.documents, model=model, n_jobs=jobs)
        )
    contenders[PLAIN] = lambda w: lambda: plain.predict_proba(w.paragraphs)
    contenders["plain: featurise"] = lambda w: lambda: plain[0].transform(w.paragraphs)
    contenders["hashing: HashingVectorizer(1,2) + LR"] = lambda w: lambda: hashing.predict_proba(w.paragraphs)
    skipped: dict[str, str] = {}
    fasttext_model = _fasttext(texts, labels)
    if isinstance(fasttext_model, str):
        skipped["fastText supervised: predict"] = fasttext_model
    else:
        contenders["fastText supervised: predict"] = lambda w: (
            lambda: fasttext_model.predict([p.replace("\n", " ") for p in w.paragraphs])
        )
    return contenders, skipped


def _predict_on_features(model: Model) -> Contender:
    def prepare(workload: Workload) -> Timed:
        features = model.features(workload.paragraphs)
        return lambda: model.predict_proba_features(features)

    return prepare


def _hashing_pipeline():
    """The plain pipeline with a stateless hashing vectoriser instead of a vocabulary."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        HashingVectorizer(ngram_range=(1, 2), alternate_sign=False, n_features=2**16),
        TfidfTransformer(),
        LogisticRegression(max_iter=5000),
    )


def _fasttext(texts: list[str], labels: list[str]):
    """A fastText supervised model trained on the same labels, or why there is none."""
    try:
        import fasttext
    except ImportError:
        return "skipped: install the bench extra (pip install -e '.[bench]') to time fastText"
    with tempfile.TemporaryDirectory() as folder:
        train = Path(folder) / "train.txt"
        train.write_text(
            "".join(f"__label__{label} {text.replace(chr(10), ' ')}\n" for text, label in zip(texts, labels)),
            encoding="utf-8",
        )
        return fasttext.train_supervised(str(train), epoch=25, wordNgrams=2, verbose=0, seed=SEED, thread=1)
