"""The four labels, and reading and validating hand-labelled paragraphs.

Label files are JSONL: one object per paragraph with ``doc`` (the document's file
name), ``text`` (the paragraph exactly as :func:`split_paragraphs` yields it),
``label`` and an optional ``note``; ``index``, ``start`` and ``end`` (where the
paragraph sits in its document, as ``narratives labels suggest`` writes them) may be
kept. When a document's raw text is found in one of the text directories, its labels
must cover its paragraphs exactly.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from narratives.documents import describe_read_error, read_document
from narratives.errors import LabelFileError
from narratives.paragraphs import split_paragraphs
from narratives.safe_io import read_regular

__all__ = ["Label", "LabelledParagraph", "default_text_dirs", "load_labels"]


class Label(StrEnum):
    """What a paragraph does for a reader who wants to know what happened."""

    REPORTED_FACT = "reported_fact"
    SPECULATION = "speculation"
    OPINION = "opinion"
    BOILERPLATE = "boilerplate"


@dataclass(frozen=True, slots=True)
class LabelledParagraph:
    """One hand-labelled paragraph; ``source`` is ``"file:line"`` of its record."""

    doc: str
    text: str
    label: Label
    note: str | None
    source: str


_KNOWN_KEYS = {"doc", "text", "label", "note"}
#: Where a suggested paragraph sits in its document (paragraph number, character offsets):
#: informative only, so a reviewed suggestion needs no editing beyond its label.
_POSITION_KEYS = ("index", "start", "end")
#: A label file larger than this is not hand labels (the project's largest is under 1 MB).
MAX_LABEL_FILE_BYTES = 256 * 1024 * 1024


def default_text_dirs(labels_dir: Path) -> list[Path]:
    """Where raw documents live: ``<labels>/corpus/`` and ``seeds/`` beside ``<labels>``."""
    return [labels_dir / "corpus", labels_dir.parent / "seeds"]


def load_labels(
    labels_dir: str | Path = "labels", *, text_dirs: Iterable[str | Path] | None = None
) -> list[LabelledParagraph]:
    """Read and validate every ``*.jsonl`` file in ``labels_dir`` (sorted by name).

    Raises :class:`LabelFileError` listing every problem with its file and line:
    malformed JSON, missing or unknown fields, an unknown label, empty text, the
    same text labelled differently twice, and, for documents whose raw text is in
    ``text_dirs`` (default :func:`default_text_dirs`), a label that matches no
    paragraph of its document or a paragraph left unlabelled.

    >>> examples = load_labels("labels")  # doctest: +SKIP
    """
    labels_dir = Path(labels_dir)
    files = sorted(labels_dir.glob("*.jsonl"))
    if not files:
        raise LabelFileError([f"{labels_dir}: no *.jsonl label files found"])
    problems: list[str] = []
    examples: list[LabelledParagraph] = []
    for path in files:
        examples.extend(_read_file(path, problems))
    problems.extend(_conflicting_labels(examples))
    dirs = default_text_dirs(labels_dir) if text_dirs is None else [Path(d) for d in text_dirs]
    problems.extend(_coverage_problems(examples, dirs))
    if problems:
        raise LabelFileError(problems)
    return examples


def _read_file(path: Path, problems: list[str]) -> list[LabelledParagraph]:
    """The valid records of one label file; a FIFO, device or huge file is a problem, never a hang."""
    try:
        data = read_regular(path, limit=MAX_LABEL_FILE_BYTES)
    except OSError as error:
        problems.append(f"{path}: cannot read: {describe_read_error(error)}")
        return []
    examples = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        where = f"{path}:{number}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(f"{where}: not valid UTF-8 ({error.reason} at byte {error.start} of the line)")
            continue
        if not line.strip():
            continue
        example = _parse_record(line, where, problems)
        if example is not None:
            examples.append(example)
    return examples


def _is_plain_name(doc: str) -> bool:
    """A file name with no folder part: label files must not make us read other paths."""
    return doc == Path(doc).name and doc not in (".", "..") and not any(c in doc for c in "/\\\x00")


def _parse_record(line: str, where: str, problems: list[str]) -> LabelledParagraph | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        problems.append(f"{where}: malformed JSON ({error.msg})")
        return None
    except RecursionError:
        problems.append(f"{where}: JSON nested too deeply to be a label record")
        return None
    if not isinstance(record, dict):
        problems.append(f"{where}: expected a JSON object, got {type(record).__name__}")
        return None
    if "confidence" in record:
        problems.append(
            f"{where}: still a model suggestion ('confidence' present): read the paragraph, "
            "set 'label' by labels/GUIDELINES.md, then delete 'confidence'"
        )
        return None
    unknown = set(record) - _KNOWN_KEYS - set(_POSITION_KEYS)
    if unknown:
        allowed = sorted(_KNOWN_KEYS | set(_POSITION_KEYS))
        problems.append(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {allowed}")
    for key in _POSITION_KEYS:
        value = record.get(key)
        if key in record and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problems.append(f"{where}: {key!r} must be a whole number of at least 0 when present")
            return None
    doc, text, label, note = (record.get(key) for key in ("doc", "text", "label", "note"))
    if not isinstance(doc, str) or not doc.strip():
        problems.append(f"{where}: 'doc' must be a non-empty string (the document's file name)")
        return None
    if not _is_plain_name(doc):
        problems.append(f"{where}: 'doc' must be a plain file name, without folders or '..'; got {doc!r:.80}")
        return None
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: 'text' must be a non-empty string")
        return None
    if not isinstance(label, str) or label not in Label._value2member_map_:
        problems.append(f"{where}: unknown label {label!r:.80}; expected one of {[m.value for m in Label]}")
        return None
    if note is not None and not isinstance(note, str):
        problems.append(f"{where}: 'note' must be a string when present")
        return None
    return LabelledParagraph(doc, text, Label(label), note, where)


def _conflicting_labels(examples: list[LabelledParagraph]) -> list[str]:
    first_seen: dict[str, LabelledParagraph] = {}
    problems = []
    for example in examples:
        earlier = first_seen.setdefault(example.text, example)
        if earlier.label != example.label:
            problems.append(
                f"{example.source}: text labelled {example.label.value!r} here "
                f"but {earlier.label.value!r} at {earlier.source}"
            )
    return problems


def _coverage_problems(examples: list[LabelledParagraph], text_dirs: list[Path]) -> list[str]:
    """Labels of documents whose raw text we have must match its paragraphs one to one."""
    by_doc: dict[str, list[LabelledParagraph]] = {}
    for example in examples:
        by_doc.setdefault(example.doc, []).append(example)
    problems = []
    for doc, labelled in by_doc.items():
        path = next((d / doc for d in text_dirs if (d / doc).is_file()), None)
        if path is None:
            continue
        try:
            paragraphs = split_paragraphs(read_document(path))
        except (OSError, ValueError) as error:
            problems.append(f"{path}: cannot read: {describe_read_error(error)}")
            continue
        missing = Counter(p.text for p in paragraphs)
        missing.subtract(example.text for example in labelled)
        for example in labelled:
            if missing[example.text] < 0:
                problems.append(f"{example.source}: text matches no paragraph of {path}")
                missing[example.text] += 1
        for paragraph in paragraphs:
            if missing[paragraph.text] > 0:
                problems.append(f"{path}: paragraph {paragraph.index} is unlabelled: {paragraph.text[:60]!r}")
                missing[paragraph.text] -= 1
    return problems
