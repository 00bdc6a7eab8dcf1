"""Throughput of narratives beside the floor and the plain scikit-learn pipeline, in one run.

    python -m benchmarks.run            # 1k, 10k and 100k paragraphs
    python -m benchmarks.run --quick    # 1k and 10k, fewer repeats (CI smoke)

The workload is the project's own labelled paragraphs, resampled with a fixed seed and
grouped into 10-paragraph documents. Every figure is the median of several timed
repeats after one warm-up. Results go to stdout and ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sklearn

from narratives import classify, classify_many, load_labels, load_model, split_paragraphs
from narratives.model import DEFAULT_MODEL_DIR
from narratives.training import baseline_pipeline

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PARAGRAPHS_PER_DOCUMENT = 10
SEED = 0
_FLOOR_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` runs after one warm-up run."""
    work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def workload(n_paragraphs: int, pool: list[str]) -> list[str]:
    rng = random.Random(SEED)
    return [rng.choice(pool) for _ in range(n_paragraphs)]


def as_documents(paragraphs: list[str]) -> list[str]:
    step = PARAGRAPHS_PER_DOCUMENT
    return ["\n\n".join(paragraphs[i : i + step]) for i in range(0, len(paragraphs), step)]


def floor(texts: list[str]) -> int:
    """Lower-casing plus the token regex: the least any bag-of-words classifier must do."""
    return sum(len(_FLOOR_TOKEN.findall(text.lower())) for text in texts)


def bench_size(n: int, pool: list[str], model, plain, repeats: int) -> dict[str, float]:
    paragraphs = workload(n, pool)
    documents = as_documents(paragraphs)
    megabytes = sum(len(p.encode()) for p in paragraphs) / 1e6
    features = model.transform(paragraphs)
    plain_features = plain[0].transform(paragraphs)
    timings = {
        "floor": median_seconds(lambda: floor(paragraphs), repeats),
        "split": median_seconds(lambda: [split_paragraphs(d) for d in documents], repeats),
        "featurise": median_seconds(lambda: model.transform(paragraphs), repeats),
        "predict_on_features": median_seconds(lambda: model.predict_proba_features(features), repeats),
        "featurise+predict": median_seconds(lambda: model.predict_proba(paragraphs), repeats),
        "classify_many (end to end)": median_seconds(lambda: classify_many(documents, model=model), repeats),
        "plain: featurise": median_seconds(lambda: plain[0].transform(paragraphs), repeats),
        "plain: predict_on_features": median_seconds(
            lambda: plain[-1].predict_proba(plain_features), repeats
        ),
        "plain: featurise+predict": median_seconds(lambda: plain.predict_proba(paragraphs), repeats),
    }
    rows = {}
    for name, seconds in timings.items():
        rows[name] = {
            "seconds": seconds,
            "paragraphs_per_s": n / seconds,
            "mb_per_s": megabytes / seconds,
            "vs_floor": timings["floor"] / seconds,
            "vs_plain": timings["plain: featurise+predict"] / seconds,
        }
    return rows


def latency(model, repeats: int) -> dict[str, float]:
    """Single-article classify() latency for a 10-paragraph article, in milliseconds."""
    article = as_documents(workload(PARAGRAPHS_PER_DOCUMENT, _pool()))[0]
    classify(article, model=model)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        classify(article, model=model)
        samples.append((time.perf_counter() - start) * 1e3)
    return {"p50_ms": float(np.percentile(samples, 50)), "p99_ms": float(np.percentile(samples, 99))}


def splitter_scaling(repeats: int) -> dict[str, float]:
    """Seconds per MB for a 10 MB text without newlines and for 100,000 short paragraphs."""
    one_line = "word " * 2_000_000
    many = "A short paragraph, as pages have them.\n\n" * 100_000
    out = {}
    for name, text in (("10 MB, no newline", one_line), ("100k paragraphs", many)):
        seconds = median_seconds(lambda text=text: split_paragraphs(text), max(1, repeats // 2))
        out[name] = seconds / (len(text.encode()) / 1e6)
    return out


_POOL: list[str] = []


def _pool() -> list[str]:
    if not _POOL:
        _POOL.extend(e.text for e in load_labels(ROOT / "labels"))
    return _POOL


def machine() -> dict[str, object]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "platform": platform.platform(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats (under 30 s)")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json", help="JSON results file")
    args = parser.parse_args(argv)
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    repeats = 3 if args.quick else 5

    start = time.perf_counter()
    import narratives.model as model_module

    model_module._default_model = None
    load_start = time.perf_counter()
    model = load_model()
    load_seconds = time.perf_counter() - load_start
    pool = _pool()
    labels = [e.label.value for e in load_labels(ROOT / "labels")]
    plain = baseline_pipeline().fit(pool, labels)

    results: dict[str, object] = {"machine": machine(), "model": str(DEFAULT_MODEL_DIR), "sizes": {}}
    results["model_load_seconds"] = load_seconds
    print(f"model load: {load_seconds * 1e3:.0f} ms")
    for n in sizes:
        rows = bench_size(n, pool, model, plain, repeats)
        results["sizes"][n] = rows
        print(f"\n{n:,} paragraphs")
        print(f"  {'stage':<30}{'para/s':>12}{'MB/s':>9}{'x floor':>9}{'x plain':>9}")
        for name, row in rows.items():
            print(
                f"  {name:<30}{row['paragraphs_per_s']:>12,.0f}{row['mb_per_s']:>9.2f}"
                f"{row['vs_floor']:>9.2f}{row['vs_plain']:>9.2f}"
            )
    results["latency_10_paragraph_article"] = latency(model, 200 if args.quick else 1000)
    results["splitter_seconds_per_mb"] = splitter_scaling(repeats)
    print(f"\nclassify() latency, 10-paragraph article: {results['latency_10_paragraph_article']}")
    print(f"splitter seconds per MB: {results['splitter_seconds_per_mb']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"\nwrote {args.out} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
