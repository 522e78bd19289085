"""Start-up of the grouping index with many stored aspirations: rebuilt from the database, and from the saved
index (each size in its own process, on a SQLite file, with synthetic vectors under the model's identity)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.corpus import Aspiration, aspirations, synthetic_items, unit_vectors
from bench.nlp_figures import Result, peak_rss_mb
from bench.seed import fresh_engine, seed
from bot.settings import Settings
from models.db import session_scope
from services.intake import index_store
from services.intake.grouping import GroupingService
from services.intake.index import fill_index, snapshot_key
from services.intake.index_store import Entry

MODEL = "bench-synthetic"


class _Identity:
    """A stand-in encoder for stored synthetic vectors (no stored vector is stale, so no aspiration is
    embedded; only the category descriptions are, here as fixed random vectors)."""

    identity, dim = MODEL, 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one per text."""
        return unit_vectors(len(texts), seed=len(texts))

    encode_memo = encode


def startup(settings: Settings, n: int, rebuild: bool = True) -> Result:
    """Seconds to fill the index of n stored aspirations without, then with, the saved index.

    Without `rebuild` (1M: a rebuild would stem a million texts, ~0.15 ms each on an idle machine), the saved
    index is written from synthetic items (terms given, as the search benchmark's) for the same proposal ids
    and clusters, and only the start from it is timed."""
    with tempfile.TemporaryDirectory(prefix="aspirasi-start-") as workdir:
        engine = fresh_engine(f"sqlite:///{workdir}/start.db")
        began = time.perf_counter()
        corpus = aspirations(n, seed=13)
        seed(engine, corpus, vectors=unit_vectors(n, seed=13), model=MODEL)
        seeded = time.perf_counter() - began
        snapshot = Path(workdir) / "index"
        key = snapshot_key(GroupingService(settings.config, _Identity()), {})
        if not rebuild:
            _synthetic_snapshot(snapshot, corpus, key)
        times = {}
        for label in ("rebuild_s", "snapshot_s") if rebuild else ("snapshot_s",):
            grouping = GroupingService(settings.config, _Identity())
            began = time.perf_counter()
            with session_scope(engine) as session:
                loaded = fill_index(session=session, grouping=grouping, snapshot=snapshot, key=key)
            times[label] = time.perf_counter() - began
            times[label.replace("_s", "_read")] = float(loaded.read)
            del grouping
        engine.dispose()
    return {**times, "seed_s": seeded, "peak_mb": peak_rss_mb()}


def _synthetic_snapshot(snapshot: Path, corpus: Sequence[Aspiration], key: str) -> None:
    """A saved index of the seeded proposals (ids 1..n, the seed's clusters) with synthetic items."""
    items = synthetic_items(len(corpus), seed=13)
    cluster_of = {g: i + 1 for i, g in enumerate(sorted({a.group for a in corpus}))}
    entries = [Entry(i, cluster_of[a.group], item) for i, (a, item) in enumerate(zip(corpus, items, strict=True), 1)]
    index_store.save(snapshot, entries, model=MODEL, key=key, dim=384)
