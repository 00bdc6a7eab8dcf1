"""Results as a pandas DataFrame, one row per paragraph (pandas is optional: ``pip install pandas``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from narratives.api import ClassifiedParagraph, FileResult
from narratives.labels import Label

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["to_dataframe"]

#: Columns every frame has, in order (``p_<label>`` in :class:`Label` order, as CSV output).
COLUMNS = (
    "index",
    "start",
    "end",
    "label",
    "confidence",
    *(f"p_{label.value}" for label in Label),
    "text",
)


def to_dataframe(
    results: Iterable[ClassifiedParagraph] | Iterable[list[ClassifiedParagraph]] | Iterable[FileResult],
) -> pd.DataFrame:
    """One row per paragraph of ``classify``, ``classify_many`` / ``iter_classify`` or ``classify_files`` results.

    Columns: ``index``, ``start``, ``end``, ``label`` (a categorical in label order),
    ``confidence``, one ``p_<label>`` per label, ``text``, then ``tag`` when some
    paragraph came from HTML. A list of documents' results (``classify_many``) adds a
    leading ``document`` column (its position in the input); ``classify_files``
    results add ``file`` (files that failed have no rows: their ``error`` says why).

    >>> frame = to_dataframe(classify_many(articles))  # doctest: +SKIP
    >>> frame.groupby("document")["label"].value_counts()  # doctest: +SKIP

    Raises ``ImportError`` naming pandas when it is not installed, and ``TypeError``
    for anything but those results.
    """
    try:
        import pandas as pd
    except ImportError as error:
        raise ImportError(
            "to_dataframe needs pandas, which is not installed: pip install pandas "
            "(or pip install 'narratives[pandas]')"
        ) from error
    if isinstance(results, (str, bytes, ClassifiedParagraph, FileResult)) or not isinstance(
        results, Iterable
    ):
        raise TypeError(
            "to_dataframe expects the results of classify, classify_many or classify_files, "
            f"got {type(results).__name__}"
        )
    items = list(results)
    rows: list[dict[str, Any]]
    if all(isinstance(item, ClassifiedParagraph) for item in items):
        rows, key = [_row(p) for p in items], None
    elif all(isinstance(item, FileResult) for item in items):
        rows = [{"file": r.path, **_row(p)} for r in items for p in r.paragraphs or ()]
        key = "file"
    elif all(
        isinstance(item, list) and all(isinstance(p, ClassifiedParagraph) for p in item) for item in items
    ):
        rows = [{"document": number, **_row(p)} for number, document in enumerate(items) for p in document]
        key = "document"
    else:
        kinds = sorted({type(item).__name__ for item in items})
        raise TypeError(
            "to_dataframe expects a list of ClassifiedParagraph (classify), of lists of them "
            f"(classify_many) or of FileResult (classify_files), got items of type {', '.join(kinds)}"
        )
    columns = [*([key] if key else []), *COLUMNS]
    if any("tag" in row for row in rows):
        columns.append("tag")
    frame = pd.DataFrame(rows, columns=columns)
    frame["label"] = pd.Categorical(frame["label"], categories=[label.value for label in Label])
    return frame


def _row(paragraph: ClassifiedParagraph) -> dict[str, Any]:
    row = {
        "index": paragraph.index,
        "start": paragraph.start,
        "end": paragraph.end,
        "label": paragraph.label.value,
        "confidence": paragraph.confidence,
        **{f"p_{label.value}": p for label, p in paragraph.probabilities.items()},
        "text": paragraph.text,
    }
    if paragraph.block is not None:
        row["tag"] = paragraph.block.tag
    return row
