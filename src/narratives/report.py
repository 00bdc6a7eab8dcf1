"""One self-contained HTML page for a run: every article, its paragraphs coloured by label.

No scripts, fonts or images are fetched: the page is plain HTML with inline CSS, so it
opens offline and can be mailed as one file. Confidence shows on hover (``title``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape

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
h2 { font-size: 1.05rem; margin: 2rem 0 .3rem; word-break: break-all; }
.legend span, .counts span { display: inline-block; margin: .15rem .6rem .15rem 0; padding: .05rem .5rem;
  border-radius: .25rem; font-size: .85rem; }
p.paragraph { margin: .35rem 0; padding: .35rem .6rem; border-left-width: .3rem; border-left-style: solid; border-radius: .2rem;
  white-space: pre-wrap; }
p.uncertain { outline: 1px dashed #999; }
.meta { color: #666; font-size: .75rem; margin-right: .4rem; font-variant-numeric: tabular-nums; }
nav ol { font-size: .85rem; columns: 2; }
.failed { color: #b00020; }
.page-headline { font-weight: 600; font-size: 1.1rem; margin: .2rem 0 .4rem; }
.hint { color: #555; font-size: .8rem; }
"""


def render_report(
    articles: Sequence[tuple[str, Sequence[ClassifiedParagraph]]],
    *,
    failures: Sequence[tuple[str, str]] = (),
    min_confidence: float | None = None,
    title: str = "narratives report",
    headlines: Mapping[str, str] | None = None,
) -> str:
    """The HTML page for ``articles`` (name, paragraphs) and the inputs that failed (name, reason).

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
        f'<div class="counts" id="totals">{len(articles)} articles: {_counts(totals)}</div>',
        "</header>",
        _contents(articles),
    ]
    if failures:
        parts.append('<section id="failures"><h2>Inputs that could not be classified</h2><ul>')
        parts.extend(f'<li class="failed">{escape(name)}: {escape(reason)}</li>' for name, reason in failures)
        parts.append("</ul></section>")
    for number, (name, paragraphs) in enumerate(articles):
        headline = (headlines or {}).get(name)
        parts.append(_article(number, name, paragraphs, min_confidence, headline))
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
        "Hover a paragraph for its confidence and all four probabilities.",
    ]
    if min_confidence is not None:
        parts.append(f"A dashed outline marks confidence below {min_confidence:.2f}.")
    return " ".join(parts)


def _counts(counts: Counter[Label]) -> str:
    return "".join(f'<span class="{label.value}">{label.value}: {counts[label]}</span>' for label in Label)


def _contents(articles: Sequence[tuple[str, Sequence[ClassifiedParagraph]]]) -> str:
    items = "".join(
        f'<li><a href="#article-{number}">{escape(name)}</a> ({len(paragraphs)})</li>'
        for number, (name, paragraphs) in enumerate(articles)
    )
    return f"<nav><ol>{items}</ol></nav>"


def _article(
    number: int,
    name: str,
    paragraphs: Sequence[ClassifiedParagraph],
    min_confidence: float | None,
    headline: str | None = None,
) -> str:
    counts = Counter(p.label for p in paragraphs)
    lines = [
        f'<article id="article-{number}" data-file="{escape(name)}">',
        f"<h2>{escape(name)}</h2>",
        *([f'<p class="page-headline">{escape(headline)}</p>'] if headline else []),
        f'<div class="counts">{_counts(counts)}</div>',
    ]
    for p in paragraphs:
        uncertain = min_confidence is not None and p.confidence < min_confidence
        hover = f"{p.label.value} {p.confidence:.2f} | " + ", ".join(
            f"{label.value} {probability:.2f}" for label, probability in p.probabilities.items()
        )
        classes = f"paragraph {p.label.value}" + (" uncertain" if uncertain else "")
        lines.append(
            f'<p class="{classes}" data-label="{p.label.value}" data-confidence="{p.confidence:.4f}" '
            f'title="{escape(hover)}"><span class="meta">{p.index}</span>{escape(p.text)}</p>'
        )
    lines.append("</article>")
    return "\n".join(lines)
