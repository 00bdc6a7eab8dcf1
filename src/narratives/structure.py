"""Revise the probabilities of an HTML page's blocks with what the markup says about them.

Plain text hides where a line sits on the page; HTML says it outright: ``<h1>`` is
usually the article's own headline, ``<nav>``, ``<aside>`` and ``<footer>`` hold page
furniture, a list item that is all link is a link to another article, ``<figcaption>``
is a caption. :class:`StructureStage` is the HTML counterpart of
:class:`narratives.context.ContextStage`: a multinomial logistic regression over each
block's own probabilities, the text-shape facts the context stage uses, and the
block's structural facts (:data:`STRUCTURE_FEATURES`). It is fitted in training on
out-of-fold probabilities of the team's pages rendered as HTML (``labels/html/``), so
the weights are learned, not set by hand, and plain-text input never reaches it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import softmax

from narratives.context import CONTEXT_FEATURES, headline_runs, own_headlines

if TYPE_CHECKING:
    from narratives.html import HtmlBlock

__all__ = ["STRUCTURE_FACTS", "STRUCTURE_FEATURES", "StructureStage", "structure_facts", "structure_features"]

#: Block tags grouped by what they usually hold.
_TAG_GROUPS = {
    "tag_h1": frozenset({"h1"}),
    "tag_subheading": frozenset({"h2", "h3", "h4", "h5", "h6"}),
    "tag_list_item": frozenset({"li", "dt", "dd"}),
    "tag_table_cell": frozenset({"td", "th"}),
    "tag_caption": frozenset({"figcaption", "caption"}),
    "tag_quote": frozenset({"blockquote", "pre"}),
    "tag_paragraph": frozenset({"p"}),
}
_ZONES = ("nav", "aside", "footer", "header", "figure", "form")
#: Class and id words that name page furniture, the article itself, or a headline.
_FURNITURE_HINTS = frozenset(
    {
        "nav", "menu", "footer", "sidebar", "related", "share", "social", "comment", "breadcrumb",
        "promo", "ad", "newsletter", "cookie", "tags", "widget", "caption", "byline", "author", "date",
    }
)  # fmt: skip
_ARTICLE_HINTS = frozenset({"article", "story", "content", "body", "entry", "post", "text"})
_HEADLINE_HINTS = frozenset({"headline", "title"})
_WORD = re.compile(r"\w+")

#: Names of the structural facts, in column order after the context features.
STRUCTURE_FACTS = (
    *_TAG_GROUPS,
    "link_density",
    *(f"in_{zone}" for zone in _ZONES),
    "in_article",
    "hint_furniture",
    "hint_article",
    "hint_headline",
    "title_match",
)

#: All columns of :func:`structure_features` (recorded in the model manifest).
STRUCTURE_FEATURES = (*CONTEXT_FEATURES, *STRUCTURE_FACTS)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _matches_title(words: list[str], title_words: set[str]) -> bool:
    """Most of a block's (at least three) words are words of the page's ``<title>``.

    Sites title a page "Headline | Site name", so the own headline's words are nearly
    all in the title; a related headline or a byline shares few of them.
    """
    if len(words) < 3 or not title_words:
        return False
    return sum(word in title_words for word in words) >= 0.8 * len(words)


def structure_facts(blocks: Sequence[HtmlBlock], title: str | None) -> np.ndarray:
    """``(len(blocks), len(STRUCTURE_FACTS))``: what the markup says about each block."""
    title_words = set(_words(title or ""))
    rows = []
    for block in blocks:
        hints = block.hints
        rows.append(
            [
                *(block.tag in tags for tags in _TAG_GROUPS.values()),
                block.link_density,
                *(zone in block.zones for zone in _ZONES),
                "article" in block.zones or "main" in block.zones,
                bool(hints & _FURNITURE_HINTS),
                bool(hints & _ARTICLE_HINTS),
                bool(hints & _HEADLINE_HINTS),
                _matches_title(_words(block.text), title_words),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(blocks), len(STRUCTURE_FACTS))


def structure_features(
    probabilities: np.ndarray, texts: Sequence[str], facts: np.ndarray, document_sizes: Sequence[int]
) -> np.ndarray:
    """Each block's log-probabilities, its page-shape facts (as the context stage's) and its structure."""
    runs = headline_runs(texts, document_sizes)
    return np.column_stack(
        [
            np.log(np.clip(probabilities, 1e-6, 1.0)),
            runs.astype(np.float64),
            own_headlines(texts, document_sizes, runs).astype(np.float64),
            facts,
        ]
    )


@dataclass(frozen=True)
class StructureStage:
    """Multinomial logistic regression over :func:`structure_features`, fitted on out-of-fold predictions."""

    coef: np.ndarray  # (n_classes, n_features)
    intercept: np.ndarray  # (n_classes,)

    def revise(
        self,
        probabilities: np.ndarray,
        texts: Sequence[str],
        facts: np.ndarray,
        document_sizes: Sequence[int],
    ) -> np.ndarray:
        """Revised probabilities, same shape and column order; the input is not changed."""
        if not len(texts):
            return probabilities
        features = structure_features(probabilities, texts, facts, document_sizes)
        # Row by row, as the context stage: a block gets the same probabilities in any batch.
        scores = (features[:, None, :] * self.coef[None, :, :]).sum(axis=2) + self.intercept
        return softmax(scores, axis=1)
