"""One self-contained HTML page for a run: every article, its paragraphs coloured by label.

No scripts, fonts or images are fetched: the page is plain HTML with inline CSS, so it
opens offline and can be mailed as one file. Each paragraph carries its label and
confidence as text (not colour alone, so it reads in greyscale, in print and on touch
screens); all four probabilities show on hover. With explanations, the words that
carried each label are highlighted and listed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from html import escape
from pathlib import PurePath

from narratives.api import ClassifiedParagraph
from narratives.labels import Label

__all__ = ["render_report"]

#: Background and accent colours per label (readable on white, distinct in greyscale too).
PALETTE = {
    Label.REPORTED_FACT: ("#e3f4e6", "#2e7d32"),
    Label.SPECULATION: ("#fff4d6", "#b26a00"),
    Label.OPINION: ("#f6e3f3", "#8e24aa"),
    Label.BOILERPLATE: ("#eeeeee", "#757575"),
}
DESCRIPTIONS = {
    Label.REPORTED_FACT: "what happened, stated as settled",
    Label.SPECULATION: "guesses, forecasts, unconfirmed claims",
    Label.OPINION: "judgements, arguments, prescriptions",
    Label.BOILERPLATE: "the page around the article",
}

_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 2rem; color: #222; }
header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ddd; padding: .5rem 0; }
h1 { font-size: 1.3rem; margin: .2rem 0; }
h2 { font-size: 1.05rem; margin: 2rem 0 .3rem; overflow-wrap: anywhere; }
.legend span, .counts span { display: inline-block; margin: .15rem .6rem .15rem 0; padding: .05rem .5rem;
  border-radius: .25rem; font-size: .85rem; }
.counts .hidden { background: none; border: 1px dashed #999; color: #555; }
p.paragraph { margin: .35rem 0; padding: .35rem .6rem; border-left-width: .3rem; border-left-style: solid; border-radius: .2rem;
  white-space: pre-wrap; overflow-wrap: anywhere; }
p.uncertain { outline: 2px dashed #c62828; outline-offset: 1px; }
.tag { display: inline-block; font-size: .72rem; font-weight: 600; letter-spacing: .02em; margin-right: .5rem;
  padding: 0 .35rem; border-radius: .2rem; background: #fff; border: 1px solid currentColor; white-space: nowrap; }
.uncertain .tag::after { content: " uncertain"; color: #c62828; }
.meta { color: #666; font-size: .75rem; margin-right: .4rem; font-variant-numeric: tabular-nums; }
.why { display: block; color: #555; font-size: .78rem; margin-top: .2rem; }
mark { background: #fff176; padding: 0 .1rem; }
nav ol { font-size: .85rem; columns: 2; overflow-wrap: anywhere; }
.failed { color: #b00020; overflow-wrap: anywhere; }
.page-headline { font-weight: 600; font-size: 1.1rem; margin: .2rem 0 .4rem; }
.hint { color: #555; font-size: .8rem; }
@media (max-width: 40rem) {
  body { padding: .5rem .8rem; }
  header { position: static; }
  nav ol { columns: 1; padding-left: 1.5rem; }
}
@media print { header { position: static; } p.paragraph { break-inside: avoid; } }
"""


def render_report(
    articles: Sequence[tuple[str, Sequence[ClassifiedParagraph]]],
    *,
    failures: Sequence[tuple[str, str]] = (),
    min_confidence: float | None = None,
    title: str = "narratives report",
    shown: Collection[str] | None = None,
    explanations: Mapping[tuple[int, int], Sequence[tuple[str, float]]] | None = None,
    headlines: Mapping[str, str] | None = None,
) -> str:
    """The HTML page for ``articles`` (name, paragraphs) and the inputs that failed (name, reason).

    ``shown`` names the labels that were kept (``--labels``): counts of the others say
    they were left out rather than 0. ``explanations`` maps (article number, paragraph
    index) to :meth:`~narratives.model.Model.explain_words` output, highlighted in place.
    ``headlines`` maps an article's name to its page's own headline (web pages), shown
    under the name.
    """
    totals = Counter(p.label for _, paragraphs in articles for p in paragraphs)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{_STYLE}{_label_css()}</style></head><body>",
        "<header>",
        f"<h1>{escape(title)}</h1>",
        f'<div class="legend" id="legend">{_legend()}</div>',
        f'<div class="hint">{_hint(min_confidence)}</div>',
        f'<div class="counts" id="totals">{len(articles)} articles: {_counts(totals, shown)}</div>',
        "</header>",
        _contents(articles),
    ]
    if failures:
        parts.append('<section id="failures"><h2>Inputs that could not be classified</h2><ul>')
        parts.extend(f'<li class="failed">{escape(name)}: {escape(reason)}</li>' for name, reason in failures)
        parts.append("</ul></section>")
    for number, (name, paragraphs) in enumerate(articles):
        headline = (headlines or {}).get(name)
        parts.append(_article(number, name, paragraphs, min_confidence, shown, explanations or {}, headline))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _label_css() -> str:
    return "".join(
        f".{label.value} {{ background: {background}; border-color: {accent}; }}\n"
        for label, (background, accent) in PALETTE.items()
    )


def _legend() -> str:
    return "".join(
        f'<span class="{label.value}" title="{escape(DESCRIPTIONS[label])}">{label.value}</span>'
        for label in Label
    )


def _hint(min_confidence: float | None) -> str:
    parts = [
        "; ".join(f"{label.value}: {escape(DESCRIPTIONS[label])}" for label in Label) + ".",
        "Each paragraph starts with its label and confidence; hover it for all four probabilities.",
    ]
    if min_confidence is not None:
        parts.append(
            f"A red dashed outline and the word uncertain mark confidence below {min_confidence:.2f}."
        )
    return " ".join(parts)


def _counts(counts: Counter[Label], shown: Collection[str] | None = None) -> str:
    return "".join(
        f'<span class="{label.value}">{label.value}: {counts[label]}</span>'
        if shown is None or label.value in shown
        else f'<span class="hidden" title="left out by --labels">{label.value}: not shown</span>'
        for label in Label
    )


def _title(name: str) -> str:
    """A heading's text: the file name (the full path shows on hover)."""
    return PurePath(name).name or name


def _contents(articles: Sequence[tuple[str, Sequence[ClassifiedParagraph]]]) -> str:
    items = "".join(
        f'<li><a href="#article-{number}" title="{escape(name)}">{escape(_title(name))}</a> ({len(paragraphs)})</li>'
        for number, (name, paragraphs) in enumerate(articles)
    )
    return f"<nav><ol>{items}</ol></nav>"


def _article(
    number: int,
    name: str,
    paragraphs: Sequence[ClassifiedParagraph],
    min_confidence: float | None,
    shown: Collection[str] | None = None,
    explanations: Mapping[tuple[int, int], Sequence[tuple[str, float]]] | None = None,
    headline: str | None = None,
) -> str:
    counts = Counter(p.label for p in paragraphs)
    lines = [
        f'<article id="article-{number}" data-file="{escape(name)}">',
        f'<h2 title="{escape(name)}">{escape(_title(name))}</h2>',
        *([f'<p class="page-headline">{escape(headline)}</p>'] if headline else []),
        f'<div class="counts">{_counts(counts, shown)}</div>',
    ]
    for p in paragraphs:
        uncertain = min_confidence is not None and p.confidence < min_confidence
        hover = f"{p.label.value} {p.confidence:.2f} | " + ", ".join(
            f"{label.value} {probability:.2f}" for label, probability in p.probabilities.items()
        )
        classes = f"paragraph {p.label.value}" + (" uncertain" if uncertain else "")
        why = (explanations or {}).get((number, p.index))
        tag = f'<span class="tag">{p.label.value} {p.confidence:.2f}</span>'
        body = _highlighted(p.text, why) if why else escape(p.text)
        reasons = (
            f'<span class="why">why {p.label.value}: {escape(", ".join(name for name, _ in why))}</span>'
            if why
            else ""
        )
        lines.append(
            f'<p class="{classes}" data-label="{p.label.value}" data-confidence="{p.confidence:.4f}" '
            f'title="{escape(hover)}"><span class="meta">{p.index}</span>{tag}{body}{reasons}</p>'
        )
    lines.append("</article>")
    return "\n".join(lines)


_QUOTED = re.compile(r'"([^"]+)"')


def _highlighted(text: str, why: Sequence[tuple[str, float]]) -> str:
    """``text`` escaped, with the quoted words and phrases of its explanation in ``<mark>``."""
    phrases = sorted({q for name, _ in why for q in _QUOTED.findall(name)}, key=len, reverse=True)
    if not phrases:
        return escape(text)
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(r"\W+".join(map(re.escape, p.split())) for p in phrases) + r")(?!\w)",
        re.IGNORECASE,
    )
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts += [escape(text[last : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)
