"""Revise per-paragraph probabilities with page context, by a small learned second stage.

The model judges each paragraph alone, and a headline reads the same whether it is
the article's own (content, rule 3) or one of a list of *other* articles
(boilerplate). The page tells them apart: other headlines come in long runs of short,
unpunctuated lines, while the own headline sits just above the body, past the site
name, byline and dateline. :class:`ContextStage` turns each paragraph's probabilities
plus those two facts into revised probabilities; it is fitted in training on
out-of-fold predictions of whole documents, so it learns how far to trust them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from narratives.cues import BYLINE_OPENINGS, LEXICONS, TOKEN_PATTERN, lexicon_hits
from narratives.labels import Label

__all__ = [
    "CONTEXT_FEATURES",
    "MIN_HEADLINE_RUN",
    "ContextStage",
    "context_features",
    "headline_as_content",
    "headline_boilerplate_share",
    "headline_runs",
    "is_headline_like",
    "own_headlines",
    "softmax",
]

#: A page's own headline, standfirst, byline and date rarely make six headline-shaped
#: lines in a row; related-headline lists usually do (seed 004 has a run of 40).
MIN_HEADLINE_RUN = 6
#: Longest line still shaped like a headline, in words.
MAX_HEADLINE_WORDS = 25

_SENTENCE_ENDS = ".!?…:;"
_CLOSERS = "\"'”’)]"
_LIST_MARKER = re.compile(r"(?:[-*+•▪●]|\d{1,3}[.)])\s")


def is_headline_shaped(text: str) -> bool:
    """Short, capitalised, no list marker, and not ending like a sentence (cheapest tests first)."""
    return text[:1].isupper() and _shaped_after_opening(text)


def _shaped_after_opening(text: str) -> bool:
    """The tests of :func:`is_headline_shaped` other than its capital opening."""
    return (
        not _ends_like_sentence(text)
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


# -- the learned context stage ---------------------------------------------------------

#: How far above the first paragraph of body prose the article's own headline may sit
#: (bylines, datelines, captions and share lines come in between on real pages).
OWN_HEADLINE_WINDOW = 10
#: A paragraph of at least this many words is body prose whatever its shape; from
#: ``MIN_PROSE_WORDS`` up it is prose when it does not look like a headline.
LONG_PROSE_WORDS = 30
MIN_PROSE_WORDS = 12
#: Lexicons whose words mark a dateline, byline, credit or page furniture, not a headline.
_NOT_HEADLINE_LEXICONS = frozenset(
    i for i, name in enumerate(LEXICONS) if name in ("date", "clock", "byline", "furniture", "credit")
)
_NOT_HEADLINE_MARKS = "|·›»/@"
_OPENING_QUOTES = "'\"‘“"
_NUMBER = re.compile(r"\d[\d,.:]*")
#: Names of the context features, in column order (recorded in the model manifest).
CONTEXT_FEATURES = (
    *(f"log_p_{label.value}" for label in Label),
    "in_headline_run",
    "own_headline",
)


def _is_prose(text: str) -> bool:
    words = len(text.split())
    return words >= LONG_PROSE_WORDS or (words >= MIN_PROSE_WORDS and not is_headline_shaped(text))


def is_headline_like(text: str) -> bool:
    """Shaped like a headline and not a dateline, byline, credit or site name.

    Unlike :func:`is_headline_shaped`, a final ``?`` or ``!`` is allowed, and so is an
    opening quote or number ("'Surge' makes the list", "10,000 sites infected").
    """
    body = text[:-1] if text.endswith(("?", "!")) else text
    opening = body.lstrip(_OPENING_QUOTES)[:1]
    if not (opening.isupper() or opening.isdigit()) or not _shaped_after_opening(body):
        return False
    if any(mark in body for mark in _NOT_HEADLINE_MARKS):
        return False
    tokens = TOKEN_PATTERN.findall(body.lower())
    if len(tokens) < 4 or body.lower().startswith(BYLINE_OPENINGS):
        return False
    if len(_NUMBER.findall(body)) > 1:  # dates, times, scores
        return False
    return not any(_NOT_HEADLINE_LEXICONS.intersection(lexicon_hits(token)) for token in tokens)


def own_headlines(
    texts: Sequence[str], document_sizes: Sequence[int] | None = None, runs: np.ndarray | None = None
) -> np.ndarray:
    """Boolean mask: each document's likely own headline (rule 3 of the guidelines).

    That is the headline-like paragraph nearest above the document's first paragraph
    of body prose, at most ``OWN_HEADLINE_WINDOW`` paragraphs above it and not inside a
    run of other headlines. Site names, sections, bylines and datelines above the body
    are passed over by :func:`is_headline_like`.
    """
    runs = headline_runs(texts, document_sizes) if runs is None else runs
    mask = np.zeros(len(texts), dtype=bool)
    start = 0
    for size in document_sizes if document_sizes is not None else [len(texts)]:
        body = next((i for i in range(start, start + size) if _is_prose(texts[i])), None)
        if body is not None:
            for i in range(body - 1, max(start, body - OWN_HEADLINE_WINDOW) - 1, -1):
                if not runs[i] and is_headline_like(texts[i]):
                    mask[i] = True
                    break
        start += size
    return mask


def context_features(
    probabilities: np.ndarray, texts: Sequence[str], document_sizes: Sequence[int] | None = None
) -> np.ndarray:
    """``(n, len(CONTEXT_FEATURES))``: the paragraph's own log-probabilities and its place on the page.

    ``probabilities`` have one column per label, in the model's ``classes_`` order.
    """
    runs = headline_runs(texts, document_sizes)
    return np.column_stack(
        [
            np.log(np.clip(probabilities, 1e-6, 1.0)),
            runs.astype(np.float64),
            own_headlines(texts, document_sizes, runs).astype(np.float64),
        ]
    )


@dataclass(frozen=True)
class ContextStage:
    """Multinomial logistic regression over :func:`context_features`, fitted on out-of-fold predictions.

    Only features that carried to real pages are used: the paragraph's own
    probabilities, whether it sits in a run of other headlines, and whether it is the
    page's own headline. Neighbours' probabilities, position and length fitted the
    team's page layouts and lowered every real-text figure (README, "How good it is").

    The own headline gets one more step (:func:`headline_as_content`): rule 3 makes it
    content whatever its words say, and the words are what mislead the model (a short
    headline on a topic the corpus never covers reads like a link to another article).
    Its boilerplate probability is at most ``headline_boilerplate``, learned as the
    share of paragraphs :func:`own_headlines` picks in the training documents that were
    boilerplate after all; ``None`` (older models) skips the step.
    """

    coef: np.ndarray  # (n_classes, len(CONTEXT_FEATURES))
    intercept: np.ndarray  # (n_classes,)
    headline_boilerplate: float | None = None
    boilerplate: int = -1  # column of the boilerplate label

    def revise(
        self, probabilities: np.ndarray, texts: Sequence[str], document_sizes: Sequence[int] | None = None
    ) -> np.ndarray:
        """Revised probabilities, same shape and column order; the input is not changed."""
        if not len(texts):
            return probabilities
        return self.revise_features(context_features(probabilities, texts, document_sizes))

    def revise_features(self, features: np.ndarray) -> np.ndarray:
        """Revised probabilities from :func:`context_features` already computed."""
        # Row by row, not a matrix product: BLAS kernels vary with the batch's shape, and a
        # paragraph must get the same probabilities in any batch.
        scores = (features[:, None, :] * self.coef[None, :, :]).sum(axis=2) + self.intercept
        revised = softmax(scores)
        if self.headline_boilerplate is None:
            return revised
        headlines = features[:, CONTEXT_FEATURES.index("own_headline")] == 1.0
        return headline_as_content(revised, headlines, self.headline_boilerplate, self.boilerplate)

    def reordered(self, order: Sequence[int]) -> ContextStage:
        """The same stage for labels (and probability inputs) taken in ``order``."""
        order = list(order)
        columns = [*order, *range(len(order), self.coef.shape[1])]
        boilerplate = order.index(self.boilerplate % len(order))
        return ContextStage(
            self.coef[order][:, columns], self.intercept[order], self.headline_boilerplate, boilerplate
        )


def headline_as_content(
    probabilities: np.ndarray, headlines: np.ndarray, share: float, boilerplate: int
) -> np.ndarray:
    """Rows of ``headlines`` get a boilerplate probability of at most ``share``, the content labels
    sharing the rest in the proportions they had; other rows are unchanged (a new array is returned
    when any row changes).
    """
    capped = headlines & (probabilities[:, boilerplate] > share)
    if not capped.any():
        return probabilities
    revised = probabilities.copy()
    rows = revised[capped]
    rows[:, boilerplate] = 0.0
    rows *= (1.0 - share) / rows.sum(axis=1, keepdims=True)
    rows[:, boilerplate] = share
    revised[capped] = rows
    return revised


def headline_boilerplate_share(headlines: np.ndarray, labels: Sequence[str]) -> float:
    """Share of picked headlines labelled boilerplate, add-one smoothed (an estimate, never 0 or 1)."""
    picked = [label for label, is_picked in zip(labels, headlines) if is_picked]
    return (sum(label == "boilerplate" for label in picked) + 1) / (len(picked) + 2)


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, as ``scipy.special.softmax(scores, axis=1)`` (without importing scipy.special)."""
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)
