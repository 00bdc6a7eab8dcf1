"""Writing classified paragraphs: table, JSONL and CSV records (files are written by :mod:`narratives.safe_io`)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import Any, TextIO

from narratives.api import ClassifiedParagraph
from narratives.labels import Label
from narratives.safe_io import atomic_output

__all__ = ["FORMATS", "RecordWriter", "atomic_output", "csv_cell", "paragraph_record"]

FORMATS = ("table", "jsonl", "json", "csv", "tsv")
#: Characters of text per table row when the width is unknown (not a terminal).
TEXT_WIDTH = 72
#: Characters before the text in a table row: index, label, confidence and spacing.
_ROW_PREFIX = 28
#: ANSI colours per label for the table on a terminal.
COLOURS = {
    Label.REPORTED_FACT: "\033[32m",  # green
    Label.SPECULATION: "\033[33m",  # yellow
    Label.OPINION: "\033[35m",  # magenta
    Label.BOILERPLATE: "\033[90m",  # grey
}
_RESET = "\033[0m"
#: A CSV cell starting with one of these runs as a formula in spreadsheets (CSV injection);
#: such cells get a leading apostrophe, which spreadsheets show as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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
SPLIT_COLUMNS = ("file", "index", "start", "end", "text")


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
    """Streams records to ``out`` in one of :data:`FORMATS`; call :meth:`close` after the last.

    ``json`` is one JSON array of the records (written as they come), ``tsv`` is CSV
    with tabs; ``width`` is the terminal's width for the table (text is cut to fit).
    """

    def __init__(
        self,
        out: TextIO,
        form: str,
        *,
        colour: bool = False,
        width: int | None = None,
        columns: Sequence[str] = CSV_COLUMNS,
    ) -> None:
        if form not in FORMATS:
            raise ValueError(f"unknown format {form!r}; expected one of {FORMATS}")
        self.out, self.form, self.colour = out, form, colour
        self.text_width = TEXT_WIDTH if width is None else max(20, width - _ROW_PREFIX)
        self._csv = None
        if form in ("csv", "tsv"):
            self._csv = csv.DictWriter(
                out, columns, extrasaction="ignore", delimiter="," if form == "csv" else "\t"
            )
            self._csv.writeheader()
        self._written = 0
        if form == "json":
            out.write("[")

    def close(self) -> None:
        """End the output (the closing bracket of a JSON array)."""
        if self.form == "json":
            self.out.write("\n]\n" if self._written else "]\n")

    def file_header(self, file: str, count: int) -> None:
        if self.form == "table":
            self.out.write(f"== {file} ({count} paragraphs)\n")

    def write(self, record: dict[str, Any]) -> None:
        if self.form in ("jsonl", "json"):
            if self.form == "json":
                self.out.write(",\n" if self._written else "\n")
            self.out.write(json.dumps(record, ensure_ascii=False))
            if self.form == "jsonl":
                self.out.write("\n")  # not concatenated: one copy of a huge paragraph's record is enough
            self._written += 1
        elif self._csv is not None:
            flat = {**record, **{f"p_{k}": v for k, v in record.get("probabilities", {}).items()}}
            if "explanation" in record:
                flat["explanation"] = "; ".join(f"{f} {p:+.3f}" for f, p in record["explanation"])
            self._csv.writerow({key: csv_cell(value) for key, value in flat.items()})
        else:
            self.out.write(self._table_row(record))

    def _table_row(self, record: dict[str, Any]) -> str:
        text = " ".join(record["text"].split())
        width = self.text_width
        short = text if len(text) <= width else text[: width - 1] + "…"
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


def csv_cell(value: Any) -> Any:
    """``value`` made safe to open in a spreadsheet: text starting like a formula gets a leading ``'``.

    >>> csv_cell("=HYPERLINK(...)"), csv_cell("-3 dead"), csv_cell(0.5)
    ("'=HYPERLINK(...)", "'-3 dead", 0.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
