"""Figures for people: the confusion matrix of a cross-validation report (matplotlib, optional)."""

from __future__ import annotations

from pathlib import Path

from narratives.output import atomic_output
from narratives.training import CVReport

__all__ = ["plot_confusion"]


def plot_confusion(report: CVReport, path: str | Path) -> Path:
    """Draw ``report``'s confusion matrix (rows true, columns predicted) as a PNG, atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    matrix = np.asarray(report.confusion())
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    figure, axes = plt.subplots(figsize=(6, 5), dpi=120)
    axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ticks = range(len(report.labels))
    axes.set_xticks(ticks, report.labels, rotation=30, ha="right")
    axes.set_yticks(ticks, report.labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true (hand label)")
    axes.set_title(f"{report.name}: grouped CV, macro-F1 {report.macro_f1:.3f}", fontsize=10)
    for i in ticks:
        for j in ticks:
            colour = "white" if shares[i, j] > 0.5 else "black"
            axes.text(
                j,
                i,
                f"{matrix[i, j]}\n{shares[i, j]:.0%}",
                ha="center",
                va="center",
                color=colour,
                fontsize=8,
            )
    figure.tight_layout()
    path = Path(path)
    with atomic_output(path, binary=True) as file:
        figure.savefig(file, format="png")
    plt.close(figure)
    return path
