"""The one-call API: article text in, labelled paragraphs out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from narratives.context import revise_with_context
from narratives.labels import Label
from narratives.model import Model, load_model
from narratives.paragraphs import Paragraph, split_paragraphs

__all__ = ["ClassifiedParagraph", "classify", "classify_many"]

#: Paragraphs featurised per call in :func:`classify_many`: big enough that the
#: per-call overhead vanishes, small enough that a batch's features stay in cache.
DEFAULT_BATCH_SIZE = 2048


@dataclass(frozen=True, slots=True)
class ClassifiedParagraph:
    """A :class:`Paragraph` with its label, the label's probability and all four probabilities."""

    text: str
    start: int
    end: int
    index: int
    label: Label
    confidence: float
    probabilities: Mapping[Label, float]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict; labels as their string values."""
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "label": self.label.value,
            "confidence": self.confidence,
            "probabilities": {label.value: p for label, p in self.probabilities.items()},
            "text": self.text,
        }


def classify(text: str, *, model: Model | None = None) -> list[ClassifiedParagraph]:
    """Split ``text`` into paragraphs and label each one.

    Each paragraph is judged by the model alone, then long runs of headline-shaped
    lines (lists of other articles) are revised towards boilerplate; see
    :mod:`narratives.context`.

    >>> [p.label.value for p in classify("Troops seized the palace on Monday.")]  # doctest: +SKIP
    ['reported_fact']

    Empty or whitespace-only text gives ``[]``; anything but a ``str`` raises ``TypeError``.
    """
    return classify_many([text], model=model)[0]


def classify_many(
    texts: Iterable[str], *, model: Model | None = None, batch_size: int = DEFAULT_BATCH_SIZE
) -> list[list[ClassifiedParagraph]]:
    """Classify many documents; equal to ``[classify(t) for t in texts]``.

    Paragraphs of consecutive documents are featurised together, one call per batch
    of about ``batch_size`` paragraphs (a document is never split across batches).
    """
    if isinstance(texts, str):
        raise TypeError("classify_many expects an iterable of texts, got a single str; use classify()")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    model = model or load_model()
    results: list[list[ClassifiedParagraph]] = []
    batch: list[list[Paragraph]] = []
    pending = 0
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(_type_message(text))
        paragraphs = split_paragraphs(text)
        batch.append(paragraphs)
        pending += len(paragraphs)
        if pending >= batch_size:
            results.extend(_classify_batch(batch, model))
            batch, pending = [], 0
    results.extend(_classify_batch(batch, model))
    return results


def _type_message(value: object) -> str:
    hint = "; decode bytes first, e.g. data.decode('utf-8')" if isinstance(value, (bytes, bytearray)) else ""
    return f"expected article text as str, got {type(value).__name__}{hint}"


def _classify_batch(documents: list[list[Paragraph]], model: Model) -> list[list[ClassifiedParagraph]]:
    flat = [paragraph for paragraphs in documents for paragraph in paragraphs]
    if not flat:
        return [[] for _ in documents]
    probabilities = model.predict_proba_features(model.transform([p.text for p in flat]))
    results = []
    start = 0
    for paragraphs in documents:
        rows = probabilities[start : start + len(paragraphs)]
        start += len(paragraphs)
        rows = revise_with_context(rows, [p.text for p in paragraphs], model.classes_)
        results.append(_assemble(paragraphs, rows, model.classes_))
    return results


def _assemble(
    paragraphs: list[Paragraph], probabilities: np.ndarray, classes: tuple[Label, ...]
) -> list[ClassifiedParagraph]:
    best = probabilities.argmax(axis=1).tolist()
    return [
        ClassifiedParagraph(p.text, p.start, p.end, p.index, classes[i], row[i], dict(zip(classes, row)))
        for p, row, i in zip(paragraphs, probabilities.tolist(), best)
    ]
