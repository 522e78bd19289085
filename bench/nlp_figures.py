"""Benchmarks of the pure NLP parts: embedding, similar search, re-clustering (each size in its own process)."""

from __future__ import annotations

import multiprocessing
import resource
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import psutil

from bench.corpus import aspirations, synthetic_items
from nlp.ann import TRAIN_THREAD
from nlp.cluster import recluster
from nlp.grouping import Grouper, GroupingParams, Item

if TYPE_CHECKING:
    from nlp.embed import Embedder

Result = dict[str, float]
T = TypeVar("T")


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


def in_child(fn: Callable[..., T], *args: Any) -> T:
    """Run fn(*args) in a fresh process, so its memory figures are its own."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(fn, args)


def embedding(model: str, cache_dir: Path, quick: bool, batch_size: int, backend: str = "torch"
              ) -> tuple[Result, Embedder]:
    """Load the embedder on a backend (as the bot does); its load time, single-text latency and batch
    throughput."""
    from nlp.embed import Embedder

    Embedder(model, cache_dir, batch_size=batch_size, backend=backend)  # converted and exported once, untimed
    started = time.perf_counter()
    embedder = Embedder(model, cache_dir, batch_size=batch_size, backend=backend)
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
    """Load n synthetic items into a Grouper (with the bot's parameters), then time `queries` suggestions;
    memory of the index; the same queries by a brute-force NumPy scan and a faiss flat index."""
    from services.intake.grouping import service_params

    items = synthetic_items(n + queries, seed=n % 1000)
    before = rss_mb()
    grouper = Grouper(service_params())
    began = time.perf_counter()
    for i, item in enumerate(items[:n]):
        grouper.add(i, i // 4, item)
    load = time.perf_counter() - began
    began = time.perf_counter()
    grouper.suggest(items[n])  # the first query after loading starts training the coarse index, if any
    for thread in threading.enumerate():
        if thread.name == TRAIN_THREAD:
            thread.join()
    first = time.perf_counter() - began
    times, found = [], []
    for item in items[n:]:
        began = time.perf_counter()
        found.append(grouper.suggest(item, k=3))
        times.append(time.perf_counter() - began)
    index_mb = rss_mb() - before
    peers = _peers(np.stack([it.vector for it in items[:n]]), np.stack([it.vector for it in items[n:]]))
    return {**percentiles(times), "load_s": load, "first_s": first, "index_mb": index_mb,
            "agreement": _agreement(grouper, items[n:], found), "overlap": _overlap(grouper, items[n:], found),
            "peak_mb": peak_rss_mb(), **peers}


def _peers(matrix: np.ndarray, queries: np.ndarray, k: int = 100) -> Result:
    """p95 of the same nearest-neighbour queries (the k the grouper asks for) by a brute-force NumPy scan and
    by a faiss exact flat index (both one thread, as the bot searches)."""
    import faiss

    faiss.omp_set_num_threads(1)
    flat = faiss.IndexFlatIP(matrix.shape[1])
    flat.add(np.ascontiguousarray(matrix, dtype=np.float32))
    numpy_times, faiss_times = [], []
    for q in queries:
        began = time.perf_counter()
        dots = np.einsum("ij,j->i", matrix, q)
        np.argpartition(-dots, k - 1)[:k]
        numpy_times.append(time.perf_counter() - began)
        began = time.perf_counter()
        flat.search(q.reshape(1, -1), k)
        faiss_times.append(time.perf_counter() - began)
    return {"numpy_p95": percentiles(numpy_times)["p95"], "faiss_p95": percentiles(faiss_times)["p95"]}


def _overlap(grouper: Grouper, queries: Sequence[Item], found: Sequence[list[tuple[int, float]]]) -> float:
    """Mean share of an exact scan's top-3 clusters that the grouper's own search also returned."""
    fast = grouper.params
    grouper.params = replace(fast, exact_search_limit=len(grouper) + 1)
    shares = []
    for q, f in zip(queries, found, strict=True):
        exact = {c for c, _ in grouper.suggest(q, k=3)}
        shares.append(len(exact & {c for c, _ in f}) / len(exact) if exact else 1.0)
    grouper.params = fast
    return float(np.mean(shares)) if shares else 1.0


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
