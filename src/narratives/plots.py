"""Figures for people: the confusion matrix of a cross-validation report (matplotlib, optional)."""

from __future__ import annotations

from pathlib import Path

from narratives.output import atomic_output
from narratives.training import CVReport

__all__ = ["plot_confusion"]


def plot_confusion(report: CVReport, path: str | Path) -> Path:
    """Draw ``report``'s confusion matrix as a PNG, atomically, with scikit-learn's ``ConfusionMatrixDisplay``.

    Each row is a true label and shows the share of its paragraphs given each label
    (rows sum to 100%), so a rare label reads as clearly as a common one; the counts
    are in the text report beside it.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    figure, axes = plt.subplots(figsize=(6, 5), dpi=120)
    ConfusionMatrixDisplay.from_predictions(
        report.truth,
        report.predicted,
        labels=list(report.labels),
        normalize="true",
        values_format=".0%",
        cmap="Blues",
        colorbar=False,
        xticks_rotation=30,
        ax=axes,
    )
    axes.set_xlabel("predicted")
    axes.set_ylabel("true (hand label)")
    axes.set_title(f"{report.name}: grouped CV, macro-F1 {report.macro_f1:.3f}", fontsize=10)
    figure.tight_layout()
    path = Path(path)
    with atomic_output(path, binary=True) as file:
        figure.savefig(file, format="png")
    plt.close(figure)
    return path
