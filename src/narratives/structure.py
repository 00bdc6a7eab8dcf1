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

from narratives.context import CONTEXT_FEATURES, headline_as_content, headline_runs, own_headlines, softmax

if TYPE_CHECKING:
    from narratives.html import HtmlBlock

__all__ = [
    "STRUCTURE_FACTS",
    "STRUCTURE_FEATURES",
    "StructureStage",
    "page_headline",
    "structure_facts",
    "structure_features",
]

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
    "page_headline",
)

#: All columns of :func:`structure_features` (recorded in the model manifest).
STRUCTURE_FEATURES = (*CONTEXT_FEATURES, *STRUCTURE_FACTS)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


#: Separators between a page title's parts ("Headline | Site", "Site: Section - Headline").
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+")
#: How closely (F1 of shared words) a block must match the title, or one part of it, to be
#: taken for the page's own headline.
TITLE_MATCH = 0.6
#: Titles are cut to this many characters and parts before matching (real ones are a line).
MAX_TITLE_CHARACTERS = 300
MAX_TITLE_PARTS = 10
#: Fewer words than this make a site or section name, not a headline.
MIN_HEADLINE_WORDS = 4


def _title_match(words: list[str], title_parts: list[set[str]]) -> tuple[float, int]:
    """How well a block (of ``MIN_HEADLINE_WORDS`` or more) matches the title or a part of it.

    The best F1 of shared words over the parts, and how many words that part shares
    with the block: a site name matches its part of the title as well as the headline
    matches its own, but shares fewer words.
    """
    if len(words) < MIN_HEADLINE_WORDS:
        return 0.0, 0
    block = set(words)
    best = (0.0, 0)
    for part in title_parts:
        shared = len(part & block)
        in_title = sum(word in part for word in words) / len(words)
        in_block = shared / len(part)
        if in_title + in_block:
            best = max(best, (2 * in_title * in_block / (in_title + in_block), shared))
    return best


def _title_parts(title: str | None) -> list[set[str]]:
    """The words of the whole title and of each of its first ``MAX_TITLE_PARTS`` parts.

    A title is cut to ``MAX_TITLE_CHARACTERS`` first: real titles are a line long, and a
    page with a title of thousands of parts must not make matching quadratic.
    """
    title = (title or "")[:MAX_TITLE_CHARACTERS]
    parts = [set(_words(part)) for part in _TITLE_SEPARATORS.split(title)[:MAX_TITLE_PARTS]]
    return [part for part in [*parts, set(_words(title))] if part]


def _title_matches(blocks: Sequence[HtmlBlock], title: str | None) -> list[tuple[float, int]]:
    """:func:`_title_match` of every block (all zero without a title)."""
    parts = _title_parts(title)
    if not parts:
        return [(0.0, 0)] * len(blocks)
    return [_title_match(_words(block.text[:MAX_TITLE_CHARACTERS]), parts) for block in blocks]


def page_headline(
    blocks: Sequence[HtmlBlock], title: str | None, matches: Sequence[tuple[float, int]] | None = None
) -> int | None:
    """Index of the block that is most likely the page's own headline (rule 3), or None.

    Sites title a page with its headline ("Headline | Site name"), so the block that
    best matches the ``<title>`` or one of its parts is taken; failing that (no title,
    or nothing matches well), the first ``<h1>``. ``matches`` are :func:`_title_matches`
    when the caller has them already.
    """
    matches = _title_matches(blocks, title) if matches is None else matches
    good = [(shared, -i) for i, (f1, shared) in enumerate(matches) if f1 >= TITLE_MATCH]
    if good:
        return -max(good)[1]
    return next((i for i, block in enumerate(blocks) if block.heading_level == 1), None)


def structure_facts(blocks: Sequence[HtmlBlock], title: str | None) -> np.ndarray:
    """``(len(blocks), len(STRUCTURE_FACTS))``: what the markup says about each block."""
    matches = _title_matches(blocks, title)
    rows = []
    for block, (f1, _) in zip(blocks, matches):
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
                f1 >= TITLE_MATCH,
                False,
            ]
        )
    facts = np.asarray(rows, dtype=np.float64).reshape(len(blocks), len(STRUCTURE_FACTS))
    headline = page_headline(blocks, title, matches)
    if headline is not None:
        facts[headline, -1] = 1.0
    return facts


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
    """Multinomial logistic regression over :func:`structure_features`, fitted on out-of-fold predictions.

    The page's own headline (:func:`page_headline`) gets one more step. Rule 3 makes
    it content whatever its words say, and the words are what mislead the model: a
    short headline on a topic the corpus never covers reads like a link to another
    article. So its boilerplate probability is not the regression's but
    ``headline_boilerplate``, the share of chosen headlines that were boilerplate in
    the training renderings (a site name standing as the page title), and the content
    labels share the rest in the regression's proportions.
    """

    coef: np.ndarray  # (n_classes, n_features)
    intercept: np.ndarray  # (n_classes,)
    headline_boilerplate: float  # learned: how often the chosen headline is boilerplate after all
    boilerplate: int  # column of the boilerplate label

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
        return self.revise_features(structure_features(probabilities, texts, facts, document_sizes))

    def revise_features(self, features: np.ndarray) -> np.ndarray:
        """Revised probabilities from :func:`structure_features` already computed."""
        # Row by row, as the context stage: a block gets the same probabilities in any batch.
        scores = (features[:, None, :] * self.coef[None, :, :]).sum(axis=2) + self.intercept
        revised = softmax(scores)
        headlines = features[:, STRUCTURE_FEATURES.index("page_headline")] == 1.0
        return headline_as_content(revised, headlines, self.headline_boilerplate, self.boilerplate)

    def reordered(self, order: Sequence[int]) -> StructureStage:
        """The same stage for labels (and probability inputs) taken in ``order``."""
        order = list(order)
        columns = [*order, *range(len(order), self.coef.shape[1])]
        return StructureStage(
            self.coef[order][:, columns],
            self.intercept[order],
            self.headline_boilerplate,
            order.index(self.boilerplate),
        )
