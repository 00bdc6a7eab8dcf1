"""narratives: label each paragraph of coup and instability coverage as reported fact,
speculation, opinion or boilerplate.

>>> from narratives import classify
>>> [p.label for p in classify("Soldiers seized the palace.\n\nIt may not last.")]  # doctest: +SKIP
[<Label.REPORTED_FACT: 'reported_fact'>, <Label.SPECULATION: 'speculation'>]
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported on first use (PEP 562): ``import narratives`` loads no numpy or scipy
    from narratives.api import (
        ClassifiedParagraph,
        FileResult,
        classify,
        classify_files,
        classify_html,
        classify_many,
        iter_classify,
    )
    from narratives.errors import (
        LabelFileError,
        ModelError,
        NarrativesError,
        OutputError,
        TrainingDataError,
        UsageError,
    )
    from narratives.frames import to_dataframe
    from narratives.labels import Label, LabelledParagraph, load_labels
    from narratives.model import Model, load_model
    from narratives.paragraphs import Paragraph, split_paragraphs

#: Where each public name lives.
_HOMES = {
    **dict.fromkeys(
        (
            "ClassifiedParagraph",
            "FileResult",
            "classify",
            "classify_files",
            "classify_html",
            "classify_many",
            "iter_classify",
        ),
        "narratives.api",
    ),
    **dict.fromkeys(
        ("LabelFileError", "ModelError", "NarrativesError", "OutputError", "TrainingDataError", "UsageError"),
        "narratives.errors",
    ),
    "to_dataframe": "narratives.frames",
    **dict.fromkeys(("Label", "LabelledParagraph", "load_labels"), "narratives.labels"),
    **dict.fromkeys(("Model", "load_model"), "narratives.model"),
    **dict.fromkeys(("Paragraph", "split_paragraphs"), "narratives.paragraphs"),
}

__all__ = [
    "ClassifiedParagraph",
    "FileResult",
    "Label",
    "LabelFileError",
    "LabelledParagraph",
    "Model",
    "ModelError",
    "NarrativesError",
    "OutputError",
    "Paragraph",
    "TrainingDataError",
    "UsageError",
    "classify",
    "classify_files",
    "classify_html",
    "classify_many",
    "iter_classify",
    "load_labels",
    "load_model",
    "split_paragraphs",
    "to_dataframe",
]

__version__ = "0.2.0"


def __getattr__(name: str) -> object:
    """Import a public name's module on first use, so that ``import narratives`` stays instant."""
    if name in _HOMES:
        value = getattr(import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'narratives' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
