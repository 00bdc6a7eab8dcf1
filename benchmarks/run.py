"""Throughput of narratives beside the floor and the usual tools, measured in one run.

    python -m benchmarks.run            # 1k, 10k and 100k paragraphs
    python -m benchmarks.run --full     # also 1M paragraphs
    python -m benchmarks.run --quick    # 1k and 5k paragraphs: a smoke run for CI (to quick.json)

The workload is the project's own labelled paragraphs, resampled with a fixed seed and
joined into 10-paragraph documents. Every time is the median of several repeats after a
warm-up, with contenders taking turns so that drift on a shared machine hits them alike.
Ratios: ``x floor`` is the floor's time over the contender's (1.0 = as fast as
lower-casing plus the token regex alone), ``x plain`` is the plain scikit-learn
pipeline's time over the contender's (above 1.0 = faster than it). Results go to stdout,
a JSON file with machine facts, and a PNG plot when matplotlib is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from benchmarks.contenders import END_TO_END, FLOOR, PLAIN, Workload, build_contenders
from benchmarks.measure import interleaved_medians, loglog_slope, median_seconds, peak_rss_increase
from benchmarks.plot import plot_throughput
from benchmarks.startup import startup_seconds
from narratives import classify, load_labels, split_paragraphs
from narratives.model import DEFAULT_MODEL_DIR, _load, load_model
from narratives.safe_io import atomic_output

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def bench_size(n: int, pool: list[str], contenders: dict, repeats: int) -> dict[str, dict[str, float]]:
    """Time every contender on the same ``n`` paragraphs."""
    workload = Workload.build(n, pool)
    seconds = interleaved_medians({name: prepare(workload) for name, prepare in contenders.items()}, repeats)
    return {
        name: {
            "seconds": s,
            "paragraphs_per_s": n / s,
            "mb_per_s": workload.megabytes / s,
            "vs_floor": seconds[FLOOR] / s,
            "vs_plain": seconds[PLAIN] / s,
        }
        for name, s in seconds.items()
    }


def peak_memory(n: int, pool: list[str], contenders: dict) -> dict[str, float | None]:
    """Peak RSS growth (MB) of each contender's stage on ``n`` paragraphs, one untimed run each."""
    workload = Workload.build(n, pool)
    peaks = {}
    for name, prepare in contenders.items():
        work = prepare(workload)
        work()  # warm: caches, worker pools
        grown = peak_rss_increase(work)
        peaks[name] = None if grown is None else grown / 1e6
    return peaks


def latency(model, pool: list[str], calls: int) -> dict[str, float]:
    """``classify()`` wall time for one 10-paragraph article, in milliseconds."""
    article = Workload.build(10, pool).documents[0]
    classify(article, model=model)
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        classify(article, model=model)
        samples.append((time.perf_counter() - start) * 1e3)
    return {"p50_ms": float(np.percentile(samples, 50)), "p99_ms": float(np.percentile(samples, 99))}


def splitter_seconds_per_mb(repeats: int, scale: int = 10) -> dict[str, float]:
    """The splitter on two extremes: ``scale`` MB without a newline, and ``scale`` x 10k short paragraphs."""
    one_line = "word " * (200_000 * scale)
    many = "A short paragraph, as pages have them.\n\n" * (10_000 * scale)
    return {
        name: median_seconds(lambda text=text: split_paragraphs(text), repeats) / (len(text.encode()) / 1e6)
        for name, text in (
            (f"{scale} MB, no newline", one_line),
            (f"{10 * scale}k short paragraphs", many),
        )
    }


def machine() -> dict[str, object]:
    """Facts a reader needs to compare these numbers with theirs."""
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in (
        "narratives",
        "numpy",
        "scipy",
        "scikit-learn",
        "joblib",
        "nltk",
        "fasttext-wheel",
        "matplotlib",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def print_table(n: int, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{n:,} paragraphs")
    print(f"  {'contender':<40}{'para/s':>11}{'MB/s':>8}{'x floor':>9}{'x plain':>9}")
    for name, row in rows.items():
        print(
            f"  {name:<40}{row['paragraphs_per_s']:>11,.0f}{row['mb_per_s']:>8.2f}"
            f"{row['vs_floor']:>9.2f}{row['vs_plain']:>9.2f}"
        )


def results_path(out: Path | None, *, quick: bool) -> Path:
    """Where results go: ``out`` if given; a quick smoke run never replaces the published full run."""
    return out or RESULTS / ("quick.json" if quick else "latest.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--quick", action="store_true", help="1k and 5k paragraphs, 2 repeats, memory at 1k (under 30 s)"
    )
    size.add_argument("--full", action="store_true", help="also 1M paragraphs")
    parser.add_argument(
        "--out",
        type=Path,
        help="JSON results file, plot beside it (default: results/latest.json; quick.json with --quick)",
    )
    args = parser.parse_args(argv)
    args.out = results_path(args.out, quick=args.quick)
    sizes = [1_000, 5_000] if args.quick else [1_000, 10_000, 100_000] + ([1_000_000] if args.full else [])
    repeats = 2 if args.quick else 5
    began = time.perf_counter()

    load_times = [median_seconds(lambda: _load(DEFAULT_MODEL_DIR), 1) for _ in range(3)]
    model = load_model()
    pool = [e.text for e in load_labels(ROOT / "labels")]
    contenders, skipped = build_contenders(model, ROOT, n_jobs=(1, 2))
    results: dict[str, object] = {
        "machine": machine(),
        "config": {"sizes": sizes, "repeats": repeats, "paragraphs_per_document": 10, "pool": len(pool)},
        "model_load_ms": 1e3 * float(np.median(load_times)),
        "skipped": skipped,
    }
    print(f"model load: {results['model_load_ms']:.0f} ms")
    # Fresh interpreters: what a user waits for before the first label (benchmarks/startup.py).
    results["startup_seconds"] = startup_seconds(repeats=2 if args.quick else 5)
    print(
        "startup (fresh interpreter, median): "
        + ", ".join(f"{k} {v:.3f} s" for k, v in results["startup_seconds"].items() if k != "repeats")
    )
    for name, why in skipped.items():
        print(f"{name}: {why}")

    by_size: dict[int, dict[str, dict[str, float]]] = {}
    for n in sizes:
        by_size[n] = bench_size(n, pool, contenders, repeats)
        print_table(n, by_size[n])
    results["sizes"] = {str(n): rows for n, rows in by_size.items()}
    # Fitted on the two largest sizes: fixed per-call costs dominate the small ones.
    slopes = {
        name: loglog_slope(sizes[-2:], [by_size[n][name]["seconds"] for n in sizes[-2:]])
        for name in contenders
    }
    results["loglog_slope"] = slopes
    largest = sizes[-1]
    one, two = END_TO_END.format(1), END_TO_END.format(2)
    results["parallel_speedup"] = by_size[largest][one]["seconds"] / by_size[largest][two]["seconds"]
    memory_size = sizes[0] if args.quick else largest
    results["peak_rss_mb"] = {"paragraphs": memory_size, **peak_memory(memory_size, pool, contenders)}
    results["latency_10_paragraph_article"] = latency(model, pool, 200 if args.quick else 2000)
    results["splitter_seconds_per_mb"] = (
        splitter_seconds_per_mb(1, scale=1) if args.quick else splitter_seconds_per_mb(3)
    )

    print(f"\nslope of log(time) on log(size), 1.0 = linear ({sizes[-2]:,} to {largest:,} paragraphs):")
    for name, slope in slopes.items():
        print(f"  {name:<40}{slope:>6.2f}")
    print(f"\npeak RSS growth per stage at {memory_size:,} paragraphs (this process; MB):")
    for name, megabytes in results["peak_rss_mb"].items():
        if name != "paragraphs":
            print(f"  {name:<40}{'n/a' if megabytes is None else f'{megabytes:>6.1f}'}")
    print(
        f"\nclassify_many n_jobs=2 over n_jobs=1 at {largest:,} paragraphs: {results['parallel_speedup']:.2f}x"
    )
    latency_ms = results["latency_10_paragraph_article"]
    print(
        f"classify() on a 10-paragraph article: p50 {latency_ms['p50_ms']:.2f} ms, p99 {latency_ms['p99_ms']:.2f} ms"
    )
    print("splitter seconds per MB:", {k: round(v, 4) for k, v in results["splitter_seconds_per_mb"].items()})

    args.out.parent.mkdir(parents=True, exist_ok=True)
    results["plot"] = plot_throughput(by_size, args.out.with_suffix(".png"))
    results["wall_seconds"] = time.perf_counter() - began
    with atomic_output(args.out) as handle:
        handle.write(json.dumps(results, indent=2) + "\n")
    print(f"{results['plot']}\nwrote {args.out} in {results['wall_seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
