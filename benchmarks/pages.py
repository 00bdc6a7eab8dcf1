"""Web pages in: the words narratives keeps as content, beside jusText and trafilatura.

    python -m benchmarks.pages                 # L3S-GN1 pages in ../shared/realdev/l3s_gn1_html
    python -m benchmarks.pages --realdev DIR   # or a folder given explicitly

The field's usual word-level measure on L3S-GN1 (Kohlschuetter et al., 2010): for each
page, the words a system keeps as content against the words the assessors marked as
headline or full text (a multiset of lower-cased ``\\w+`` tokens, so a word kept twice
counts twice), precision, recall and F1 per page, averaged over pages. For narratives,
"kept" is every paragraph labelled anything but boilerplate. Also the share of pages
whose own headline is kept: its words, in order, appear in the kept text.

Systems, all in one run on the same original pages:
- ``narratives (HTML)``: the page through ``classify_many(..., input_format="html")``;
- ``narratives (HTML, no structure stage)``: the same, revised by page context only (the
  stage plain text gets), to show what the learned use of the markup adds;
- ``narratives (text nodes)``: the assessors' text nodes fed as plain paragraphs (no markup);
- ``jusText`` and ``trafilatura`` (the ``bench`` extra), with their default settings,
  skipped with a note when not installed.

The pages are read where they are and never copied (research-use licence). Results are
part of ``python -m benchmarks.quality`` (set ``l3s_html``) and are also written alone to
``benchmarks/results/pages.json`` by this module's command.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_REALDEV = ROOT.parent / "shared" / "realdev"

_WORD = re.compile(r"\w+")
_ANNOTATION = re.compile(r"x-nc-sel(\d)")
#: The assessors' classes: 1 headline and 2 full text are content.
HEADLINE, FULLTEXT, COMMENTS = 1, 2, 5


@dataclass
class Page:
    name: str
    html: bytes  # the page as crawled
    content: Counter[str]  # words of the headline and full text
    comments: Counter[str]  # words of reader comments, left out of the measure
    headline: list[str]  # the headline's words in order ([] when the page has none)
    text_nodes: list[str]  # the assessors' text nodes in page order


def words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def load_pages(realdev: Path) -> list[Page] | None:
    """The L3S-GN1 dev pages with their gold words, or None when the folder is absent."""
    folder = realdev / "l3s_gn1_html"
    if not (folder / "annotated").is_dir():
        return None
    import lxml.html

    pages = []
    for annotated in sorted((folder / "annotated").glob("*.html")):
        root = lxml.html.fromstring(annotated.read_bytes())
        content: Counter[str] = Counter()
        comments: Counter[str] = Counter()
        headline: list[str] = []
        nodes: list[str] = []
        for element in root.iter("span"):
            found = _ANNOTATION.search(element.get("class") or "")
            text = element.text or ""
            if not found or not text.strip():
                continue
            kind = int(found.group(1))
            if kind in (HEADLINE, FULLTEXT):
                content.update(words(text))
            if kind == HEADLINE and not headline:
                headline = words(text)
            if kind == COMMENTS:
                comments.update(words(text))
            nodes.append(" ".join(text.split()))
        original = folder / "original" / annotated.name
        pages.append(Page(annotated.name, original.read_bytes(), content, comments, headline, nodes))
    return pages


# -- systems: each maps the pages to the text it keeps per page ------------------------

System = Callable[[Sequence[Page]], list[str]]


def narratives_html(model: Any = None) -> System:
    from narratives import classify_many

    def keep(pages: Sequence[Page]) -> list[str]:
        results = classify_many([page.html for page in pages], model=model, input_format="html")
        return ["\n".join(p.text for p in result if p.label.value != "boilerplate") for result in results]

    return keep


def narratives_text_nodes(model: Any = None) -> System:
    from narratives import classify_many

    def keep(pages: Sequence[Page]) -> list[str]:
        texts = ["\n\n".join(page.text_nodes) for page in pages]
        results = classify_many(texts, model=model)
        return ["\n".join(p.text for p in result if p.label.value != "boilerplate") for result in results]

    return keep


def justext_system() -> System | None:
    try:
        import justext
    except ImportError:
        return None
    stoplist = justext.get_stoplist("English")

    def keep(pages: Sequence[Page]) -> list[str]:
        return [
            "\n".join(p.text for p in justext.justext(page.html, stoplist) if not p.is_boilerplate)
            for page in pages
        ]

    return keep


def trafilatura_system() -> System | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def keep(pages: Sequence[Page]) -> list[str]:
        return [trafilatura.extract(page.html) or "" for page in pages]

    return keep


# -- measuring -------------------------------------------------------------------------


def word_scores(kept: str, page: Page) -> tuple[float, float, float]:
    """Precision, recall and F1 of the kept words against the page's content words.

    Reader comments are left out of the measure (as in the L3S block labels): kept words
    beyond the content are forgiven up to the comments' words, so keeping or dropping
    comments neither helps nor hurts.
    """
    found = Counter(words(kept))
    overlap = sum((found & page.content).values())
    extra = sum(((found - page.content) - page.comments).values())
    precision = overlap / max(1, overlap + extra)
    recall = overlap / max(1, sum(page.content.values()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def headline_kept(kept: str, page: Page) -> bool:
    """The own headline's words appear, in order and together, in the kept text."""
    return f" {' '.join(page.headline)} " in f" {' '.join(words(kept))} "


def measure(system: System, pages: Sequence[Page]) -> dict[str, Any]:
    started = time.perf_counter()
    kept = system(pages)
    seconds = time.perf_counter() - started
    scores = [word_scores(text, page) for text, page in zip(kept, pages)]
    with_headline = [(text, page) for text, page in zip(kept, pages) if page.headline]
    return {
        "precision": round(mean(s[0] for s in scores), 4),
        "recall": round(mean(s[1] for s in scores), 4),
        "f1": round(mean(s[2] for s in scores), 4),
        "own_headline_kept_share": round(
            sum(headline_kept(text, page) for text, page in with_headline) / max(1, len(with_headline)), 4
        ),
        "pages_with_headline": len(with_headline),
        "seconds": round(seconds, 2),
        "pages_per_second": round(len(pages) / seconds, 1) if seconds else None,
    }


def evaluate_pages(pages: Sequence[Page], model: Any = None) -> dict[str, Any]:
    """Every system on the same pages; a peer that is not installed is reported as skipped."""
    import copy

    from narratives import load_model

    model = model or load_model()
    plain = copy.deepcopy(model)
    plain.structure = None  # the same model with page context only: what the markup adds
    systems: dict[str, System | None] = {
        "narratives (HTML)": narratives_html(model),
        "narratives (HTML, no structure stage)": narratives_html(plain),
        "narratives (text nodes)": narratives_text_nodes(model),
        "jusText": justext_system(),
        "trafilatura": trafilatura_system(),
    }
    digest = hashlib.sha256(b"".join(page.html for page in pages)).hexdigest()
    result: dict[str, Any] = {"pages": len(pages), "sha256_original": digest, "systems": {}}
    for name, system in systems.items():
        result["systems"][name] = (
            measure(system, pages) if system else {"skipped": "not installed (pip install '.[bench]')"}
        )
    return result


def render(result: dict[str, Any]) -> str:
    lines = [
        f"L3S-GN1 HTML, {result['pages']} pages: words kept as content (mean per page)",
        f"{'system':38} {'precision':>9} {'recall':>7} {'F1':>6} {'own headline':>13} {'pages/s':>8}",
    ]
    for name, entry in result["systems"].items():
        if "skipped" in entry:
            lines.append(f"{name:38} skipped: {entry['skipped']}")
            continue
        lines.append(
            f"{name:38} {entry['precision']:9.3f} {entry['recall']:7.3f} {entry['f1']:6.3f} "
            f"{entry['own_headline_kept_share']:13.0%} {entry['pages_per_second']:8.1f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--realdev", type=Path, default=DEFAULT_REALDEV, help="folder of the real sets")
    parser.add_argument("--model", type=Path, help="model directory (default: the shipped model)")
    parser.add_argument("--out", type=Path, default=RESULTS / "pages.json")
    args = parser.parse_args(argv)
    pages = load_pages(args.realdev) if args.realdev.is_dir() else None
    if not pages:
        print(f"no L3S-GN1 HTML pages in {args.realdev}: nothing to measure (skipped)")
        return 0
    from narratives import load_model

    result = evaluate_pages(pages, load_model(args.model))
    print(render(result))
    write_results(args.out, result)
    return 0


def write_results(path: Path, results: dict[str, Any]) -> None:
    """Write a harness's results as indented JSON, atomically, and say where."""
    from narratives.safe_io import atomic_output

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as handle:
        handle.write(json.dumps(results, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
