"""The labelling loop: suggest labels for new documents, for a person to correct, and check them.

``suggest`` pre-fills each paragraph with the model's label and its ``confidence``,
document by document and least certain first within each, so a person reads one
document at a time and spends their attention where the model is unsure.
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
    """Label-format records for every paragraph of ``paths``, grouped by document, least confident first.

    Returns the records and the files that could not be read. Documents come in the
    order of ``paths``, all of a document's records together, least confident first
    within it (ties in paragraph order). Each record is ``{"doc", "index", "start",
    "end", "text", "label", "confidence"}``: ``doc`` is the file name, which is how
    :func:`load_labels` finds the raw text once the file sits in ``labels/corpus/``, and
    ``index``, ``start`` and ``end`` say where the paragraph is in it (character offsets).

    >>> records, failed = suggest(["labels/corpus/k01_niger_2024_wire.txt"])  # doctest: +SKIP
    >>> records[0]  # doctest: +SKIP
    {'doc': 'k01_niger_2024_wire.txt', 'index': 4, 'start': 310, 'end': 505, 'text': '...', ...}
    """
    records: list[dict[str, Any]] = []
    failed: list[FileResult] = []
    for result in classify_files(paths, model=model, encoding=encoding):
        if result.paragraphs is None:
            failed.append(result)
            continue
        doc = Path(result.path).name
        document = [
            {
                "doc": doc,
                "index": p.index,
                "start": p.start,
                "end": p.end,
                "text": p.text,
                "label": p.label.value,
                "confidence": round(p.confidence, 4),
            }
            for p in result.paragraphs
        ]
        records.extend(sorted(document, key=lambda record: (record["confidence"], record["index"])))
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
