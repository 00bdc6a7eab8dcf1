"""Quality on real text nobody on the team wrote, the shipped model beside a plain baseline.

    python -m benchmarks.quality                      # every set found in ../shared/realdev
    python -m benchmarks.quality --realdev DIR        # or a folder given explicitly
    python -m benchmarks.quality --model DIR          # another model directory

The real sets are read where they are and never copied into the project (their licences
are research-only or non-commercial). Each is scored the way a user meets it: whole
documents go through :func:`narratives.classify_many`, and every labelled span is
scored by the predicted paragraph that overlaps it most, so splitting errors count.

- ``mpqa``: 59 whole news and commentary documents, our four labels on every paragraph.
- ``checkthat``: CheckThat! 2025 subjectivity, one sentence per document; reported_fact
  and boilerplate map to ``OBJ``, opinion and speculation to ``SUBJ``.
- ``l3s``: L3S-GN1 news pages as text blocks joined with blank lines; headline and full
  text are content, everything else but comments is boilerplate. Also reported: the
  share of pages whose own headline comes out as content (our rule 3).
- ``l3s_html``: the same pages as crawled HTML, read by narratives' HTML reader, scored
  by the words kept as content beside jusText and trafilatura (:mod:`benchmarks.pages`).

The baseline is ``TfidfVectorizer(1, 2) + LogisticRegression`` trained on ``labels/``
and fed the same paragraphs. Results print as tables with confusion matrices and go to
``benchmarks/results/quality.json`` with a digest of each data file.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.pages import evaluate_pages, load_pages, write_results
from benchmarks.pages import render as render_pages
from narratives import classify_many, load_labels, split_paragraphs
from narratives.labels import Label
from narratives.model import Model, load_model
from narratives.training import CVReport, baseline_pipeline

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_REALDEV = ROOT.parent / "shared" / "realdev"

#: A labelled span of a document: start, end (character offsets) and the true label.
Span = tuple[int, int, str]
#: Labels a labeller gives documents: per document, its paragraphs as (start, end, label).
Labeller = Callable[[Sequence[str]], list[list[Span]]]

FOUR = tuple(label.value for label in Label)
TO_SUBJECTIVITY = {"reported_fact": "OBJ", "boilerplate": "OBJ", "opinion": "SUBJ", "speculation": "SUBJ"}
TO_CONTENT = {
    "reported_fact": "content",
    "speculation": "content",
    "opinion": "content",
    "boilerplate": "boilerplate",
}
L3S_CONTENT = {"headline": "content", "fulltext": "content"}
L3S_BOILERPLATE = {"not_content", "related", "supplemental"}


@dataclass
class RealSet:
    """Documents with labelled spans, and how our four labels map onto the set's own."""

    name: str
    files: list[Path]
    documents: list[str]
    spans: list[list[Span]]
    labels: tuple[str, ...]
    mapping: dict[str, str] | None = None  # our label -> the set's label (None: the same)
    headline_spans: list[list[int]] = field(default_factory=list)  # per document, indices into spans

    def digest(self) -> str:
        sha = hashlib.sha256()
        for path in self.files:
            sha.update(path.read_bytes())
        return sha.hexdigest()


# -- the real sets ---------------------------------------------------------------------


def load_mpqa(realdev: Path) -> RealSet | None:
    path = realdev / "mpqa_coup_dev.jsonl"
    if not path.is_file():
        return None
    documents, spans = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        documents.append(record["text"])
        spans.append([(p["start"], p["end"], p["label"]) for p in record["paragraphs"]])
    return RealSet("mpqa", [path], documents, spans, FOUR)


def load_checkthat(realdev: Path, split: str = "dev_test_en") -> RealSet | None:
    path = realdev / "checkthat2025_en" / f"{split}.tsv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    documents = [row["sentence"] for row in rows]
    spans = [[(0, len(row["sentence"]), row["label"])] for row in rows]
    return RealSet("checkthat", [path], documents, spans, ("OBJ", "SUBJ"), TO_SUBJECTIVITY)


def load_l3s(realdev: Path) -> RealSet | None:
    path = realdev / "l3s_gn1_dev.jsonl"
    if not path.is_file():
        return None
    documents, spans, headlines = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        page = json.loads(line)
        parts: list[str] = []
        page_spans: list[Span] = []
        page_headlines: list[int] = []
        offset = 0
        for block in page["blocks"]:
            text = block["text"]
            if block["label"] == "comments" or not text.strip():
                continue
            truth = L3S_CONTENT.get(block["label"], "boilerplate")
            if block["label"] == "headline":
                page_headlines.append(len(page_spans))
            page_spans.append((offset, offset + len(text), truth))
            parts.append(text)
            offset += len(text) + 2
        documents.append("\n\n".join(parts))
        spans.append(page_spans)
        headlines.append(page_headlines)
    return RealSet("l3s", [path], documents, spans, ("content", "boilerplate"), TO_CONTENT, headlines)


LOADERS: dict[str, Callable[[Path], RealSet | None]] = {
    "mpqa": load_mpqa,
    "checkthat": load_checkthat,
    "l3s": load_l3s,
}


# -- labellers -------------------------------------------------------------------------


def narratives_labeller(model: Model) -> Labeller:
    """Whole documents through ``classify_many``, as a user calls it."""

    def label(documents: Sequence[str]) -> list[list[Span]]:
        return [
            [(p.start, p.end, p.label.value) for p in paragraphs]
            for paragraphs in classify_many(documents, model=model)
        ]

    return label


def baseline_labeller(labels_dir: Path = ROOT / "labels") -> Labeller:
    """The plain pipeline trained on our labels, fed the same paragraphs as narratives."""
    examples = load_labels(labels_dir)
    pipeline = baseline_pipeline().fit([e.text for e in examples], [e.label.value for e in examples])

    def label(documents: Sequence[str]) -> list[list[Span]]:
        split = [split_paragraphs(document) for document in documents]
        texts = [p.text for paragraphs in split for p in paragraphs]
        predicted = iter(pipeline.predict(texts).tolist() if texts else [])
        return [[(p.start, p.end, next(predicted)) for p in paragraphs] for paragraphs in split]

    return label


# -- scoring ---------------------------------------------------------------------------


def best_overlap(predicted: Sequence[Span], start: int, end: int) -> str:
    """The label of the predicted paragraph overlapping ``[start, end)`` most (boilerplate if none).

    ``predicted`` is in document order and does not overlap itself, so only the
    paragraphs from the one containing ``start`` onwards need looking at.
    """
    ends = [span[1] for span in predicted]
    best, best_overlap_chars = Label.BOILERPLATE.value, 0
    for p_start, p_end, label in predicted[bisect.bisect_right(ends, start) :]:
        if p_start >= end:
            break
        overlap = min(end, p_end) - max(start, p_start)
        if overlap > best_overlap_chars:
            best, best_overlap_chars = label, overlap
    return best


def score(real: RealSet, labeller: Labeller, name: str) -> tuple[CVReport, list[list[str]]]:
    """Per labelled span, the true label and the predicted one (mapped to the set's labels)."""
    predicted_documents = labeller(real.documents)
    truth, predicted, per_document = [], [], []
    for spans, found in zip(real.spans, predicted_documents):
        labels = []
        for start, end, label in spans:
            ours = best_overlap(found, start, end)
            labels.append(real.mapping[ours] if real.mapping else ours)
            truth.append(label)
        predicted.extend(labels)
        per_document.append(labels)
    return CVReport(f"{real.name}: {name}", truth, predicted, real.labels), per_document


def headline_share(real: RealSet, per_document: list[list[str]]) -> float | None:
    """Share of pages with a labelled own headline whose first headline block comes out as content."""
    pages = [(spans, labels) for spans, labels in zip(real.headline_spans, per_document) if spans]
    if not pages:
        return None
    return sum(labels[spans[0]] == "content" for spans, labels in pages) / len(pages)


def evaluate(real: RealSet, labellers: dict[str, Labeller]) -> dict[str, Any]:
    """Every labeller on one set: metrics, confusion, and the headline share where it applies."""
    result: dict[str, Any] = {"documents": len(real.documents), "sha256": real.digest()}
    for name, labeller in labellers.items():
        report, per_document = score(real, labeller, name)
        entry = report.as_dict()
        share = headline_share(real, per_document)
        if share is not None:
            entry["own_headline_content_share"] = round(share, 4)
        entry["report"] = report.render()
        result[name] = entry
    return result


def available_sets(realdev: Path, names: Sequence[str] = tuple(LOADERS)) -> Iterator[RealSet]:
    for name in names:
        real = LOADERS[name](realdev)
        if real is not None:
            yield real


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.quality", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--realdev", type=Path, default=DEFAULT_REALDEV, help="folder of the real sets")
    parser.add_argument("--model", type=Path, help="model directory (default: the shipped model)")
    known = [*LOADERS, "l3s_html"]
    parser.add_argument("--sets", default=",".join(known), help=f"comma-separated, of {known}")
    parser.add_argument("--no-baseline", action="store_true", help="score narratives only")
    parser.add_argument("--out", type=Path, default=RESULTS / "quality.json")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = set(names) - set(known)
    if unknown:
        parser.error(f"unknown sets {sorted(unknown)}; known: {known}")
    sets = (
        list(available_sets(args.realdev, [n for n in names if n in LOADERS]))
        if args.realdev.is_dir()
        else []
    )
    pages = load_pages(args.realdev) if "l3s_html" in names and args.realdev.is_dir() else None
    if not sets and not pages:
        print(f"no real sets found in {args.realdev}: nothing to measure (skipped)")
        return 0
    model = load_model(args.model)
    labellers = {"narratives": narratives_labeller(model)}
    if not args.no_baseline:
        labellers["baseline"] = baseline_labeller()
    results: dict[str, Any] = {
        "model": str(args.model or "shipped"),
        # What the model was trained from: ``narratives train`` quotes these figures in the
        # model card only when they match the model it writes (training is deterministic).
        "model_files_sha256": model.manifest.get("files", {}),
        "training_data_sha256": model.manifest.get("training_data", {}).get("sha256"),
        "sets": {},
    }
    for real in sets:
        results["sets"][real.name] = evaluate(real, labellers)
        for name in labellers:
            entry = results["sets"][real.name][name]
            print(entry["report"])
            if "own_headline_content_share" in entry:
                print(
                    f"  own headline labelled content on {entry['own_headline_content_share']:.0%} of pages"
                )
        print()
    if pages:
        results["sets"]["l3s_html"] = evaluate_pages(pages, model)
        print(render_pages(results["sets"]["l3s_html"]))
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
