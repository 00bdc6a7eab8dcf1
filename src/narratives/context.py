"""Revise per-paragraph probabilities with one piece of page context: headline lists.

The model judges each paragraph alone, and a headline of *another* article ("Russia
moves units from Avdiivka") reads exactly like reported fact. On a page, though, such
headlines come in long runs of short, unpunctuated lines, while an article's own
headline, standfirst and byline make at most a handful. Inside a long run, the odds
of boilerplate are multiplied by a fixed likelihood ratio and the row renormalised,
so labels, confidences and probabilities stay one consistent distribution.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from narratives.labels import Label

__all__ = ["HEADLINE_RUN_ODDS", "MIN_HEADLINE_RUN", "headline_runs", "revise_with_context"]

#: A page's own headline, standfirst, byline and date rarely make six headline-shaped
#: lines in a row; related-headline lists usually do (seed 004 has a run of 40).
MIN_HEADLINE_RUN = 6
#: In the labelled corpus, paragraphs in such runs are boilerplate at about ten times
#: the odds of paragraphs in general: 33 of 39 against 960 of 2739 when this was set,
#: 245 of 274 against 1414 of 3630 (odds ratio 13) after batches i and j; kept at 10.
HEADLINE_RUN_ODDS = 10.0
#: Longest line still shaped like a headline, in words.
MAX_HEADLINE_WORDS = 25

_SENTENCE_ENDS = ".!?…:;"
_CLOSERS = "\"'”’)]"
_LIST_MARKER = re.compile(r"(?:[-*+•▪●]|\d{1,3}[.)])\s")


def is_headline_shaped(text: str) -> bool:
    """Short, capitalised, no list marker, and not ending like a sentence (cheapest tests first)."""
    return (
        text[:1].isupper()
        and not _ends_like_sentence(text)
        and not _LIST_MARKER.match(text)
        and 2 <= len(text.split()) <= MAX_HEADLINE_WORDS
    )


def _ends_like_sentence(text: str) -> bool:
    """A stop (``. ! ? … : ;``) followed only by closing quotes or brackets, at the very end."""
    body = text[:-1] if text.endswith("\n") else text  # as a regex ``$`` would allow
    tail = body.rstrip(_CLOSERS)[-1:]
    return bool(tail) and tail in _SENTENCE_ENDS


def headline_runs(texts: Sequence[str], document_sizes: Sequence[int] | None = None) -> np.ndarray:
    """Boolean mask: paragraphs inside a run of at least ``MIN_HEADLINE_RUN`` headline-shaped ones.

    ``texts`` are one document's paragraphs in order, or several documents' one after
    another with ``document_sizes`` giving how many belong to each; runs never cross
    from one document into the next.
    """
    shaped = np.fromiter(map(is_headline_shaped, texts), dtype=bool, count=len(texts))
    breaks = ~shaped  # a run ends at a paragraph of another shape ...
    if document_sizes is not None:
        if sum(document_sizes) != len(texts):
            raise ValueError(f"document_sizes add up to {sum(document_sizes)}, not {len(texts)} texts")
        starts = np.cumsum([0, *document_sizes])[:-1]
        breaks[starts[starts < len(texts)]] = True  # ... and at the start of every document
    segment = np.cumsum(breaks)  # consecutive paragraphs with no break in between share a number
    run_length = np.bincount(segment, weights=shaped)
    return shaped & (run_length[segment] >= MIN_HEADLINE_RUN)


def revise_with_context(
    probabilities: np.ndarray,
    texts: Sequence[str],
    classes: Sequence[Label],
    document_sizes: Sequence[int] | None = None,
) -> np.ndarray:
    """Probabilities of the paragraphs, in order, revised by :func:`headline_runs`.

    ``texts`` and ``document_sizes`` are as for :func:`headline_runs`; the input array is
    not changed.
    """
    runs = headline_runs(texts, document_sizes)
    if not runs.any():
        return probabilities
    revised = probabilities.copy()
    revised[runs, list(classes).index(Label.BOILERPLATE)] *= HEADLINE_RUN_ODDS
    revised[runs] /= revised[runs].sum(axis=1, keepdims=True)
    return revised
