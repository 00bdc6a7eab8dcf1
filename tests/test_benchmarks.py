"""The benchmark harness runs end to end in its quick mode and reports every contender.

Only the harness's shape is checked here; its timings are its own business (no timed tests).
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_writes_a_complete_report(tmp_path):
    out = tmp_path / "quick.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["sizes"]) == {"1000", "5000"}
    contenders = set(report["sizes"]["1000"])
    expected = {
        "floor: lower-case + token regex",
        "narratives: split documents",
        "narratives: featurise",
        "narratives: predict on features",
        "narratives: classify_many, n_jobs=1",
        "narratives: classify_many, n_jobs=2",
        "plain: TfidfVectorizer(1,2) + LR",
        "hashing: HashingVectorizer(1,2) + LR",
    }
    assert expected <= contenders
    assert ("fastText supervised: predict" in contenders) != (
        "fastText supervised: predict" in report["skipped"]
    )
    for rows in report["sizes"].values():
        for row in rows.values():
            assert row["paragraphs_per_s"] > 0 and row["vs_floor"] > 0 and row["vs_plain"] > 0
        assert rows["floor: lower-case + token regex"]["vs_floor"] == 1.0
    assert set(report["loglog_slope"]) == contenders
    assert (
        report["latency_10_paragraph_article"]["p99_ms"]
        >= report["latency_10_paragraph_article"]["p50_ms"]
        > 0
    )
    assert report["machine"]["cores"] and report["machine"]["versions"]["scikit-learn"]
    startup = report["startup_seconds"]
    assert {"import", "load_model", "first_classify", "classify_cli"} <= set(startup)
    assert all(startup[k] > 0 for k in ("import", "load_model", "first_classify", "classify_cli"))
    assert set(report["peak_rss_mb"]) == contenders | {"paragraphs"}
    assert "floor" in done.stdout and "x plain" in done.stdout
    plot = out.with_suffix(".png")
    assert report["plot"].startswith("skipped") or plot.read_bytes()[:4] == b"\x89PNG"


def test_a_quick_run_never_replaces_the_published_results():
    from benchmarks.run import RESULTS, results_path

    assert results_path(None, quick=False) == RESULTS / "latest.json"
    assert results_path(None, quick=True) == RESULTS / "quick.json"
    assert results_path(Path("x.json"), quick=True) == Path("x.json")
