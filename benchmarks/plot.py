"""Throughput against size for every contender, as a PNG (matplotlib, from the bench extra)."""

from __future__ import annotations

from pathlib import Path


def plot_throughput(sizes: dict[int, dict[str, dict[str, float]]], path: Path) -> str:
    """Draw paragraphs/s against paragraphs for each contender; returns what happened."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "skipped: install the bench extra (pip install -e '.[bench]') for the plot"
    names = list(next(iter(sizes.values())))
    figure, axes = plt.subplots(figsize=(11, 5.5), dpi=110)
    ordered = sorted(sizes)
    palette = plt.get_cmap("tab20").colors
    for number, name in enumerate(names):
        ours = name.startswith("narratives")
        axes.plot(
            ordered,
            [sizes[n][name]["paragraphs_per_s"] for n in ordered],
            marker="o" if ours else "s",
            linestyle="-" if ours else "--",
            color=palette[(2 * number) % 20 + (2 * number) // 20],
            linewidth=2.4 if name.startswith("narratives: classify_many") else 1.3,
            label=name,
        )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("paragraphs in the workload")
    axes.set_ylabel("paragraphs per second (median)")
    axes.set_title("narratives throughput beside the floor and the usual tools")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    figure.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    figure.savefig(tmp)
    plt.close(figure)
    tmp.replace(path)
    return f"wrote {path}"
