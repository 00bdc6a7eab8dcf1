"""Writing classified paragraphs: table, JSONL and CSV records, and files written atomically."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from narratives.api import ClassifiedParagraph
from narratives.labels import Label

__all__ = ["FORMATS", "RecordWriter", "atomic_output", "paragraph_record"]

FORMATS = ("table", "jsonl", "csv")
TEXT_WIDTH = 72
#: ANSI colours per label for the table on a terminal.
COLOURS = {
    Label.REPORTED_FACT: "\033[32m",  # green
    Label.SPECULATION: "\033[33m",  # yellow
    Label.OPINION: "\033[35m",  # magenta
    Label.BOILERPLATE: "\033[90m",  # grey
}
_RESET = "\033[0m"
CSV_COLUMNS = (
    "file",
    "index",
    "start",
    "end",
    "label",
    "confidence",
    "uncertain",
    *(f"p_{label.value}" for label in Label),
    "explanation",
    "text",
)


def paragraph_record(
    file: str,
    paragraph: ClassifiedParagraph,
    *,
    min_confidence: float | None = None,
    explanation: Sequence[tuple[str, float]] | None = None,
) -> dict[str, Any]:
    """One output record: the paragraph's dict plus its file, and optional flags."""
    record: dict[str, Any] = {"file": file, **paragraph.to_dict()}
    if min_confidence is not None:
        record["uncertain"] = paragraph.confidence < min_confidence
    if explanation is not None:
        record["explanation"] = [[feature, round(push, 4)] for feature, push in explanation]
    return record


class RecordWriter:
    """Streams records to ``out`` in one of :data:`FORMATS`."""

    def __init__(self, out: TextIO, form: str, *, colour: bool = False) -> None:
        if form not in FORMATS:
            raise ValueError(f"unknown format {form!r}; expected one of {FORMATS}")
        self.out, self.form, self.colour = out, form, colour
        self._csv = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore") if form == "csv" else None
        if self._csv is not None:
            self._csv.writeheader()

    def file_header(self, file: str, count: int) -> None:
        if self.form == "table":
            self.out.write(f"== {file} ({count} paragraphs)\n")

    def write(self, record: dict[str, Any]) -> None:
        if self.form == "jsonl":
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif self._csv is not None:
            flat = {**record, **{f"p_{k}": v for k, v in record.get("probabilities", {}).items()}}
            if "explanation" in record:
                flat["explanation"] = "; ".join(f"{f} {p:+.3f}" for f, p in record["explanation"])
            self._csv.writerow(flat)
        else:
            self.out.write(self._table_row(record))

    def _table_row(self, record: dict[str, Any]) -> str:
        text = " ".join(record["text"].split())
        short = text if len(text) <= TEXT_WIDTH else text[: TEXT_WIDTH - 1] + "…"
        if "label" not in record:  # a paragraph from `narratives split`
            return f"{record['index']:>4}  {record['start']:>7}-{record['end']:<7} {short}\n"
        mark = "?" if record.get("uncertain") else " "
        label = f"{record['label']:<14}"
        if self.colour:
            label = f"{COLOURS[Label(record['label'])]}{label}{_RESET}"
        row = f"{record['index']:>4}  {label}{record['confidence']:5.2f}{mark} {short}\n"
        if "explanation" in record:
            row += "      why: " + ", ".join(f"{f} {p:+.2f}" for f, p in record["explanation"]) + "\n"
        return row


@contextlib.contextmanager
def atomic_output(path: str | Path, *, binary: bool = False) -> Iterator[Any]:
    """Open a temporary file beside ``path``; it replaces ``path`` only if the block finishes.

    An error or Ctrl-C inside the block leaves any earlier ``path`` untouched and no
    half-written file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        mode = "wb" if binary else "w"
        with os.fdopen(descriptor, mode, **({} if binary else {"encoding": "utf-8", "newline": ""})) as file:
            yield file
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a plain ``open`` would give a new file."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
