"""Benchmarks of the pure NLP parts: embedding, similar search, re-clustering (each size in its own process)."""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import psutil

from bench.corpus import aspirations, synthetic_items
from nlp.cluster import recluster
from nlp.grouping import Grouper, GroupingParams, Item

if TYPE_CHECKING:
    from nlp.embed import Embedder

Result = dict[str, float]


def percentiles(seconds: Sequence[float]) -> Result:
    """p50/p95/p99 in milliseconds."""
    ms = np.asarray(seconds) * 1000.0
    return {"p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
            "p99": float(np.percentile(ms, 99))}


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (VmHWM: unlike ru_maxrss, not inherited over exec)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(fn: Callable[..., Result], *args: Any) -> Result:
    """Run fn(*args) in a fresh process, so its memory figures are its own."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(fn, args)


def embedding(model_dir: Path, quick: bool, batch_size: int) -> tuple[Result, Embedder]:
    """Load the configured embedder; its load time, single-text latency and batch throughput."""
    from nlp.embed import Embedder

    started = time.perf_counter()
    embedder = Embedder(str(model_dir), model_dir.parent, batch_size=batch_size)
    load = time.perf_counter() - started
    texts = [a.text for a in aspirations(128 if quick else 512, seed=11)]
    embedder.encode(texts[:4])
    singles = []
    for text in texts[: 20 if quick else 60]:
        began = time.perf_counter()
        embedder.encode([text])
        singles.append(time.perf_counter() - began)
    began = time.perf_counter()
    embedder.encode(texts)
    batch = len(texts) / (time.perf_counter() - began)
    single = percentiles(singles)
    return {"load_s": load, "single_p50_ms": single["p50"], "single_p95_ms": single["p95"],
            "single_per_s": 1000.0 / single["p50"], "batch_per_s": batch}, embedder


def search(n: int, queries: int) -> Result:
    """Load n synthetic items into a Grouper, then time `queries` suggestions; memory of the index."""
    items = synthetic_items(n + queries, seed=n % 1000)
    before = rss_mb()
    grouper = Grouper(GroupingParams())
    began = time.perf_counter()
    for i, item in enumerate(items[:n]):
        grouper.add(i, i // 4, item)
    load = time.perf_counter() - began
    began = time.perf_counter()
    grouper.suggest(items[n])  # the first query after loading builds the coarse index, if any
    first = time.perf_counter() - began
    times, found = [], []
    for item in items[n:]:
        began = time.perf_counter()
        found.append(grouper.suggest(item, k=3))
        times.append(time.perf_counter() - began)
    index_mb = rss_mb() - before
    return {**percentiles(times), "load_s": load, "first_s": first, "index_mb": index_mb,
            "agreement": _agreement(grouper, items[n:], found), "peak_mb": peak_rss_mb()}


def _agreement(grouper: Grouper, queries: Sequence[Item], found: Sequence[list[tuple[int, float]]]) -> float:
    """Share of queries whose top-3 clusters equal an exact scan's (1.0 when the scan was exact)."""
    if len(grouper) <= grouper.params.exact_search_limit:
        return 1.0
    fast = grouper.params
    grouper.params = replace(fast, exact_search_limit=len(grouper) + 1)
    same = sum([c for c, _ in grouper.suggest(q, k=3)] == [c for c, _ in f] for q, f in zip(queries, found,
                                                                                           strict=True))
    grouper.params = fast
    return same / len(queries)


def recluster_time(n: int) -> Result:
    """Batch re-clustering of n synthetic items: seconds and peak memory."""
    items = synthetic_items(n, seed=1)
    base = peak_rss_mb()
    began = time.perf_counter()
    labels = recluster(items, GroupingParams())
    return {"seconds": time.perf_counter() - began, "clusters": float(labels.max() + 1),
            "peak_mb": peak_rss_mb(), "base_mb": base}
