"""narratives: label each paragraph of coup and instability coverage as reported fact,
speculation, opinion or boilerplate.

>>> from narratives import classify
>>> [p.label for p in classify("Soldiers seized the palace.\n\nIt may not last.")]  # doctest: +SKIP
[<Label.REPORTED_FACT: 'reported_fact'>, <Label.SPECULATION: 'speculation'>]
"""

from narratives.api import (
    ClassifiedParagraph,
    FileResult,
    classify,
    classify_files,
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
from narratives.labels import Label, LabelledParagraph, load_labels
from narratives.model import Model, load_model
from narratives.paragraphs import Paragraph, split_paragraphs

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
    "classify_many",
    "iter_classify",
    "load_labels",
    "load_model",
    "split_paragraphs",
]

__version__ = "0.1.0"
