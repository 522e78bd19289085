"""The planner web page at city scale: the Kelompok list, the Ringkasan and a filtered export, timed on a
database of many aspirations in many clusters (each query filtered, sorted, counted and paged in SQL)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from sqlmodel import Session

from bench.corpus import aspirations
from bench.nlp_figures import Result, percentiles
from bench.seed import fresh_engine, seed
from models.db import refresh_statistics
from models.types import utcnow
from services.core.config import AppConfig
from services.core.texts import status_label
from services.reports.exports import CLUSTER_COLUMNS, build_tables, csv_bytes
from web.figures import summarise
from web.queries import Filters, chosen_ids, list_page, load_rows

REPEATS = 10
LIST_VIEWS = (Filters(), Filters(urut="pertumbuhan", hal=40), Filters(status="baru", periode=30, urut="terbaru"),
              Filters(kelurahan="Lok Tuan", arti="pendukung"))  # as planners page, sort and filter
EXPORT_FILTER = Filters(status="baru", periode=30, q="drainase")


def _timed(repeats: int, fn: Callable[[], object]) -> list[float]:
    """Seconds of each of `repeats` calls."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return times


def web_times(config: AppConfig, url: str, n: int, clusters: int, quick: bool) -> Result:
    """Seed n aspirations in `clusters` clusters, then p95 (ms) of the list (several views), the Ringkasan and
    a filtered CSV export, and once the old way's cost: every cluster's row loaded in Python."""
    engine = fresh_engine(url)
    corpus = [replace(a, group=i if i < clusters else (a.group * 7919 + i % 3) % clusters)
              for i, a in enumerate(aspirations(n, seed=21))]
    began = time.perf_counter()
    made = seed(engine, corpus)
    refresh_statistics(engine)  # as the web server's start does (models.db.upgrade)
    out: Result = {"seed_s": time.perf_counter() - began, "clusters": float(made)}
    repeats = 3 if quick else REPEATS
    try:
        with Session(engine) as session:
            now = utcnow()
            lists = [t for view in LIST_VIEWS
                     for t in _timed(repeats, partial(list_page, session, config, None, view, now))]
            out["list_p95"] = percentiles(lists)["p95"]
            out["summary_p95"] = percentiles(_timed(repeats, lambda: summarise(session, config, None, now=now)))["p95"]
            out["export_p95"] = percentiles(_timed(repeats, lambda: csv_bytes(CLUSTER_COLUMNS, build_tables(
                session=session, config=config, status_label=status_label, now=now,
                cluster_ids=set(chosen_ids(session, config, None, EXPORT_FILTER, now))).clusters)))["p95"]
            out["all_rows_p50"] = percentiles(_timed(1, lambda: load_rows(
                session=session, config=config, forums=None, now=now)))["p50"]
    finally:
        engine.dispose()
    return out
