"""How the harness measures: median wall time after a warm-up, and peak RSS of a stage."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

_STATM = Path("/proc/self/statm")
_PAGE = 4096
_LIBC_NAME = ctypes.util.find_library("c")
_LIBC = ctypes.CDLL(_LIBC_NAME) if _LIBC_NAME else None


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` runs of ``work`` after one untimed warm-up run."""
    return interleaved_medians({"work": work}, repeats)["work"]


def interleaved_medians(works: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time of each of ``works``, timed round-robin after one warm-up each.

    Taking turns (a, b, c, a, b, c, ...) rather than all of a's repeats and then all of
    b's keeps slow drifts of a shared machine from favouring whoever ran in a quiet spell.
    The cyclic garbage collector is paused while timing, as ``timeit`` does: its passes
    scale with every object the harness holds, which would charge contenders that
    allocate many small objects for the harness's own memory.
    """
    for work in works.values():
        work()
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeats):
        for name, work in works.items():
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                work()
                times[name].append(time.perf_counter() - start)
            finally:
                gc.enable()
    return {name: statistics.median(samples) for name, samples in times.items()}


def rss_bytes() -> int | None:
    """Resident set size of this process now (Linux), or None where it cannot be read."""
    try:
        return int(_STATM.read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None


def release_free_memory() -> None:
    """Collect garbage and hand freed heap back to the OS (glibc), so RSS starts low.

    Without this, memory a previous stage freed stays resident and hides the next
    stage's growth.
    """
    gc.collect()
    if _LIBC is not None and hasattr(_LIBC, "malloc_trim"):
        _LIBC.malloc_trim(0)


def peak_rss_increase(work: Callable[[], object], interval: float = 0.002) -> int | None:
    """Peak RSS above the (trimmed) starting RSS while ``work`` runs, sampled every ``interval`` s.

    ``ru_maxrss`` only ever grows over a process's life, so it cannot tell one stage
    from the next; sampling the current RSS can. Memory held by worker processes is
    not included.
    """
    release_free_memory()
    baseline = rss_bytes()
    if baseline is None:
        return None
    peak = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_bytes() or 0)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        work()
    finally:
        done.set()
        sampler.join()
    peak = max(peak, rss_bytes() or 0)
    return peak - baseline


def loglog_slope(sizes: list[int], seconds: list[float]) -> float:
    """Exponent b of ``seconds ~ size**b`` by least squares: 1.0 means linear."""
    if len(sizes) < 2:
        return float("nan")
    slope, _ = np.polyfit(np.log(sizes), np.log(seconds), 1)
    return float(slope)
