"""HTML renderings of labelled documents: what the structure stage learns from.

``labels/html/<name>.html`` is the team's page ``labels/corpus/<name>.txt`` marked up
by hand as the site it imitates would serve it. Its blocks must be that document's
labelled paragraphs, one to one and in order, so the labels carry over unchanged and
the rendering adds only markup, never text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import numpy as np

from narratives.errors import TrainingDataError
from narratives.labels import LabelledParagraph
from narratives.safe_io import read_regular

__all__ = ["Rendering", "find_renderings", "load_renderings"]

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rendering:
    """One labelled document's rendering: which examples it covers and their structural facts."""

    doc: str
    rows: np.ndarray  # indices of the document's examples, in page order
    facts: np.ndarray  # structure_facts of its blocks, one row per example


def find_renderings(labels_dir: str | Path) -> list[Path]:
    """The ``*.html`` files of ``<labels_dir>/html/``, sorted by name (none: ``[]``)."""
    folder = Path(labels_dir) / "html"
    return sorted(folder.glob("*.html")) if folder.is_dir() else []


def load_renderings(labels_dir: str | Path, examples: Sequence[LabelledParagraph]) -> list[Rendering]:
    """Read and check every rendering against the labelled paragraphs of its document.

    Raises :class:`TrainingDataError` naming the file and the first block that differs,
    or a rendering whose document has no labels.
    """
    from narratives.html import read_html
    from narratives.structure import structure_facts

    paths = find_renderings(labels_dir)
    if not paths:
        return []
    rows_of: dict[str, list[int]] = {}
    start = 0
    for doc, run in groupby(e.doc for e in examples):
        size = len(list(run))
        rows_of.setdefault(doc, []).extend(range(start, start + size))
        start += size
    renderings, problems = [], []
    for path in paths:
        doc = path.stem + ".txt"
        if doc not in rows_of:
            problems.append(f"{path}: no labelled document {doc} to take the labels from")
            continue
        page = read_html(bytes(read_regular(path)))
        rows = rows_of[doc]
        blocks = page.blocks
        expected = [_SPACE.sub(" ", examples[i].text).strip() for i in rows]
        mismatch = next(
            (i for i, (block, text) in enumerate(zip(blocks, expected)) if block.text != text),
            None if len(blocks) == len(expected) else min(len(blocks), len(expected)),
        )
        if mismatch is not None:
            found = blocks[mismatch].text[:80] if mismatch < len(blocks) else "no block"
            wanted = expected[mismatch][:80] if mismatch < len(expected) else "no paragraph"
            problems.append(
                f"{path}: block {mismatch} is {found!r} but paragraph {mismatch} of {doc} is {wanted!r} "
                f"({len(blocks)} blocks, {len(expected)} paragraphs)"
            )
            continue
        renderings.append(Rendering(doc, np.asarray(rows), structure_facts(blocks, page.title)))
    if problems:
        raise TrainingDataError(
            "HTML renderings must hold their document's paragraphs, one block each, in order:\n  "
            + "\n  ".join(problems)
        )
    return renderings
