"""The labelling loop: suggest labels for new documents, for a person to correct, and check them.

``suggest`` pre-fills each paragraph with the model's label and its ``confidence``,
least certain first, so a person spends their attention where the model is unsure.
A record that still carries ``confidence`` has not been reviewed: :func:`load_labels`
refuses it until a person has decided the label and deleted that field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from narratives.api import FileResult, classify_files
from narratives.labels import Label, LabelledParagraph, load_labels
from narratives.model import Model

__all__ = ["check", "label_counts", "suggest"]


def suggest(
    paths: Iterable[str | Path], *, model: Model | None = None, encoding: str = "utf-8"
) -> tuple[list[dict[str, Any]], list[FileResult]]:
    """Label-format records for every paragraph of ``paths``, least confident first.

    Returns the records and the files that could not be read. Each record is
    ``{"doc", "text", "label", "confidence"}``; ``doc`` is the file name, which is how
    :func:`load_labels` finds the raw text once the file sits in ``labels/corpus/``.
    """
    suggestions: list[tuple[float, str, int, dict[str, Any]]] = []
    failed: list[FileResult] = []
    for result in classify_files(paths, model=model, encoding=encoding):
        if result.paragraphs is None:
            failed.append(result)
            continue
        doc = Path(result.path).name
        for p in result.paragraphs:
            record = {
                "doc": doc,
                "text": p.text,
                "label": p.label.value,
                "confidence": round(p.confidence, 4),
            }
            suggestions.append((record["confidence"], doc, p.index, record))
    suggestions.sort(key=lambda suggestion: suggestion[:3])
    records = [record for *_, record in suggestions]
    return records, failed


def label_counts(examples: Iterable[LabelledParagraph]) -> dict[str, int]:
    """Paragraphs per label, in the labels' order, plus ``documents`` and ``paragraphs``."""
    examples = list(examples)
    counts = Counter(e.label for e in examples)
    return {
        **{label.value: counts[label] for label in Label},
        "documents": len({e.doc for e in examples}),
        "paragraphs": len(examples),
    }


def check(labels_dir: str | Path) -> dict[str, int]:
    """Validate every label file and HTML rendering; returns the counts.

    Raises :class:`LabelFileError` for a bad label file and
    :class:`~narratives.errors.TrainingDataError` for a rendering that does not hold its
    document's paragraphs.
    """
    from narratives.renderings import load_renderings

    examples = load_labels(labels_dir)
    counts = label_counts(examples)
    renderings = load_renderings(labels_dir, examples)
    if renderings:
        counts["html renderings"] = len(renderings)
    return counts
