"""Retrain the model from hand labels: ``narratives train`` or ``python -m narratives.train``.

Loads and validates every label file, reports grouped cross-validation for our model
and for a plain TF-IDF + logistic-regression baseline side by side, optionally runs
the cue-group ablation, then fits on all labels and writes the model directory and
its model card. With no ``--out`` it replaces the model shipped in the package.
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sklearn

from narratives.cues import CUE_GROUPS
from narratives.labels import LabelledParagraph, load_labels
from narratives.model import DEFAULT_MODEL_DIR
from narratives.training import (
    FEATURE_CONFIG,
    N_FOLDS,
    C,
    CVReport,
    baseline_pipeline,
    cross_validate,
    data_digest,
    fit_model,
    model_pipeline,
)


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="narratives train", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--labels", type=Path, default=Path("labels"), help="label directory (default: labels)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="model directory to write (default: the model shipped in the package)",
    )
    parser.add_argument(
        "--ablation", action="store_true", help="also cross-validate with each cue group left out"
    )
    return parser


def run(labels_dir: Path, out: Path | None, ablation: bool, echo: Any = print) -> Path:
    """Validate, evaluate, fit and write; returns the model directory written."""
    from narratives import __version__

    examples = load_labels(labels_dir)
    docs = {e.doc for e in examples}
    echo(f"{len(examples)} labelled paragraphs from {len(docs)} documents in {labels_dir}")
    ours = cross_validate("narratives (TF-IDF + cues, logistic regression)", model_pipeline, examples)
    baseline = cross_validate(
        "baseline (TfidfVectorizer(1,2) + LogisticRegression)", baseline_pipeline, examples
    )
    echo(ours.render())
    echo(baseline.render())
    ablations = _ablation(examples, ours.macro_f1, echo) if ablation else None
    model = fit_model(examples)
    out = out or DEFAULT_MODEL_DIR
    metrics = {
        "folds": N_FOLDS,
        "grouped_by": "document",
        "model": ours.as_dict(),
        "baseline": baseline.as_dict(),
    }
    manifest_extra = {
        "narratives_version": __version__,
        "sklearn_version": sklearn.__version__,
        "training_data": {
            "sha256": data_digest(examples),
            "paragraphs": len(examples),
            "documents": len(docs),
            "per_label": dict(sorted(Counter(e.label.value for e in examples).items())),
        },
        "classifier": {"type": "multinomial logistic regression", "C": C, "class_weight": "balanced"},
        "cv_metrics": metrics,
    }
    card = model_card(examples, ours, baseline, ablations)
    model.save(out, manifest_extra=manifest_extra, card=card)
    echo(f"wrote {out}")
    return out


def _ablation(examples: Sequence[LabelledParagraph], full: float, echo: Any) -> dict[str, float]:
    """Macro-F1 with each cue group left out, and with no cues at all."""
    results: dict[str, float] = {}
    variants = {f"without {g}": tuple(x for x in FEATURE_CONFIG["cue_groups"] if x != g) for g in CUE_GROUPS}
    variants["no cue features"] = ()
    for name, groups in variants.items():
        report = cross_validate(name, lambda groups=groups: model_pipeline(cue_groups=groups), examples)
        results[name] = report.macro_f1
        echo(f"ablation: {name:<28} macro-F1 {report.macro_f1:.3f} ({report.macro_f1 - full:+.3f})")
    return results


def model_card(
    examples: Sequence[LabelledParagraph],
    ours: CVReport,
    baseline: CVReport,
    ablations: dict[str, float] | None,
) -> str:
    """Markdown model card: data, grouped-CV metrics beside the baseline, limits."""
    counts = Counter(e.label.value for e in examples)
    docs = {e.doc for e in examples}
    lines = [
        "# narratives default model",
        "",
        "Multinomial logistic regression (class-weighted) over TF-IDF word 1-2 grams plus hand-written cue",
        f"features (groups: {', '.join(FEATURE_CONFIG['cue_groups'])}). Trained by `narratives train` from `labels/`.",
        "",
        "## Data",
        "",
        f"{len(examples)} hand-labelled paragraphs from {len(docs)} documents: "
        + ", ".join(f"{label} {n}" for label, n in sorted(counts.items()))
        + ".",
        "",
        f"## Grouped cross-validation ({N_FOLDS} folds, grouped by document)",
        "",
        "| label | precision | recall | F1 | baseline F1 | support |",
        "|---|---|---|---|---|---|",
    ]
    base = baseline.per_label()
    for label, m in ours.per_label().items():
        lines.append(
            f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
            f"{base[label]['f1']:.3f} | {m['support']} |"
        )
    lines += [
        f"| **macro** | | | **{ours.macro_f1:.3f}** | {baseline.macro_f1:.3f} | {len(examples)} |",
        "",
        "Baseline: `TfidfVectorizer(ngram_range=(1, 2))` + `LogisticRegression()`, same folds, same run.",
        "",
        "Confusion matrix (rows true, columns predicted; " + ", ".join(ours.labels) + "):",
        "",
        "```",
        *(
            f"{label:<14}" + "".join(f"{n:6d}" for n in row)
            for label, row in zip(ours.labels, ours.confusion())
        ),
        "```",
    ]
    if ablations:
        lines += [
            "",
            "## Cue-group ablation (grouped CV macro-F1)",
            "",
            "| variant | macro-F1 | change |",
            "|---|---|---|",
        ]
        lines.append(f"| all groups | {ours.macro_f1:.3f} | |")
        lines += [f"| {name} | {f1:.3f} | {f1 - ours.macro_f1:+.3f} |" for name, f1 in ablations.items()]
    lines += [
        "",
        "## Limits",
        "",
        "- English only; trained on coverage of coups, mutinies and political instability. Other topics and",
        "  registers will score lower than the figures above.",
        "- Cross-validation folds share writers and outlets' styles with the training folds, so these figures",
        "  are likely higher than on articles from unseen sources. Treat them as an upper bound.",
        "- Each paragraph is judged alone; context (the headline, the previous paragraph) is not used.",
        "- Labels are about a paragraph's function, not its truth: a false claim stated as settled is",
        "  `reported_fact`.",
        "",
        f"Trained with Python {platform.python_version()}, scikit-learn {sklearn.__version__}.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run(args.labels, args.out, args.ablation)
    return 0


if __name__ == "__main__":
    sys.exit(main())
