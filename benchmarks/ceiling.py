"""How far labelled real text would take this design: a dev-only probe that never writes a model.

    python -m benchmarks.ceiling                      # the sets in ../shared/realdev
    python -m benchmarks.ceiling --realdev DIR        # or a folder given explicitly

The real sets may not be shipped or trained into the shipped model (their licences are
research-only or non-commercial). This probe trains in memory only, to answer the
question the real-text targets depend on: if the team had labelled real coverage like
the dev sets, how high would the current design (our featuriser, logistic regression,
the context stage) go on it?

- ``mpqa``: the 59 documents in ``--folds`` groups; each group is scored (as
  ``benchmarks.quality`` scores it) by a model trained on ``labels/`` plus every other
  group's real paragraphs, beside the shipped model (trained on ``labels/`` alone).
- ``checkthat``: the plain pipeline and our stage-one pipeline trained on CheckThat's own
  ``train_en`` and ``dev_en`` sentences with the lab's labels, scored on ``dev_test_en``.

Results print as tables and go to ``benchmarks/results/ceiling.json``; nothing else is
written. Expect a few minutes (one full ``fit_model`` per group).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.pages import write_results
from benchmarks.quality import (
    DEFAULT_REALDEV,
    RESULTS,
    ROOT,
    RealSet,
    load_checkthat,
    load_mpqa,
    narratives_labeller,
    score,
)
from narratives import load_labels, load_model
from narratives.labels import Label, LabelledParagraph
from narratives.training import CVReport, baseline_pipeline, fit_model, model_pipeline


def document_groups(n_documents: int, n_groups: int) -> list[list[int]]:
    """Document indices dealt round-robin into ``n_groups`` groups (every document in exactly one)."""
    if not 2 <= n_groups <= n_documents:
        raise ValueError(f"need 2 <= groups <= documents, got {n_groups} groups for {n_documents}")
    return [list(range(group, n_documents, n_groups)) for group in range(n_groups)]


def real_paragraphs(real: RealSet, documents: Sequence[int]) -> list[LabelledParagraph]:
    """The labelled spans of some documents as training paragraphs, one training document each."""
    return [
        LabelledParagraph(
            doc=f"realdev:{real.name}:{i}",
            text=real.documents[i][start:end],
            label=Label(label),
            note=None,
            source=f"realdev:{real.name}:{i}:{start}",
        )
        for i in documents
        for start, end, label in real.spans[i]
    ]


def subset(real: RealSet, documents: Sequence[int]) -> RealSet:
    return RealSet(
        real.name,
        real.files,
        [real.documents[i] for i in documents],
        [real.spans[i] for i in documents],
        real.labels,
        real.mapping,
    )


def with_real_labels(real: RealSet, ours: Sequence[LabelledParagraph], n_groups: int) -> CVReport:
    """Each group of documents scored by a model that also trained on the other groups' labels."""
    truth: list[str] = []
    predicted: list[str] = []
    groups = document_groups(len(real.documents), n_groups)
    for held_out in groups:
        others = [i for group in groups if group is not held_out for i in group]
        model = fit_model([*ours, *real_paragraphs(real, others)])
        report, _ = score(subset(real, held_out), narratives_labeller(model), "fold")
        truth += report.truth
        predicted += report.predicted
    return CVReport(f"{real.name}: labels/ + other groups' real labels", truth, predicted, real.labels)


def in_domain(train: RealSet, test: RealSet) -> dict[str, CVReport]:
    """The plain pipeline and ours trained on one split's sentences, scored on another's."""
    texts = train.documents
    labels = [spans[0][2] for spans in train.spans]
    truth = [spans[0][2] for spans in test.spans]
    reports = {}
    for name, pipeline in (("plain", baseline_pipeline()), ("ours", model_pipeline())):
        predicted = pipeline.fit(texts, labels).predict(test.documents).tolist()
        reports[name] = CVReport(
            f"{test.name}: {name}, trained on its own labels", truth, predicted, test.labels
        )
    return reports


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ceiling", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--realdev", type=Path, default=DEFAULT_REALDEV, help="folder of the real sets")
    parser.add_argument("--folds", type=int, default=5, help="groups of MPQA documents (default 5)")
    parser.add_argument("--out", type=Path, default=RESULTS / "ceiling.json")
    args = parser.parse_args(argv)
    mpqa = load_mpqa(args.realdev) if args.realdev.is_dir() else None
    splits = [load_checkthat(args.realdev, split) for split in ("train_en", "dev_en", "dev_test_en")]
    if mpqa is None and None in splits:
        print(f"no real sets found in {args.realdev}: nothing to measure (skipped)")
        return 0
    if mpqa is not None and not 2 <= args.folds <= len(mpqa.documents):
        parser.error(
            f"--folds must be from 2 to {len(mpqa.documents)} (the MPQA documents), got {args.folds}"
        )
    results: dict[str, Any] = {"sets": {}}
    reports: list[CVReport] = []
    if mpqa is not None:
        alone, _ = score(mpqa, narratives_labeller(load_model()), "labels/ alone (the shipped model)")
        boosted = with_real_labels(mpqa, load_labels(ROOT / "labels"), args.folds)
        results["sets"]["mpqa"] = {
            "folds": args.folds,
            "labels_alone": alone.as_dict(),
            "with_real": boosted.as_dict(),
        }
        reports += [alone, boosted]
    if None not in splits:
        train, dev, test = splits
        train.documents += dev.documents
        train.spans += dev.spans
        checkthat = in_domain(train, test)
        results["sets"]["checkthat"] = {name: report.as_dict() for name, report in checkthat.items()}
        reports += checkthat.values()
    for report in reports:
        print(report.render(), end="\n\n")
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
