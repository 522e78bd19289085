"""Start-up of the grouping index with many stored aspirations: rebuilt from the database, and from the saved
index (each size in its own process, on a SQLite file, with synthetic vectors under the model's identity)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.corpus import aspirations, unit_vectors
from bench.nlp_figures import Result, peak_rss_mb
from bench.seed import fresh_engine, seed
from bot.settings import Settings
from models.db import session_scope
from services.grouping import GroupingService
from services.index import fill_index, snapshot_key

MODEL = "bench-synthetic"


class _Identity:
    """A stand-in encoder identity for stored synthetic vectors (nothing is embedded: none is stale)."""

    identity, dim = MODEL, 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Never called at start when every stored vector carries this identity."""
        raise RuntimeError("start-up must not embed")

    encode_memo = encode


def startup(settings: Settings, n: int) -> Result:
    """Seconds to fill the index of n stored aspirations without, then with, the saved index."""
    with tempfile.TemporaryDirectory(prefix="aspirasi-start-") as workdir:
        engine = fresh_engine(f"sqlite:///{workdir}/start.db")
        began = time.perf_counter()
        seed(engine, aspirations(n, seed=13), vectors=unit_vectors(n, seed=13), model=MODEL)
        seeded = time.perf_counter() - began
        snapshot = Path(workdir) / "index"
        times = {}
        for label in ("rebuild_s", "snapshot_s"):
            grouping = GroupingService(settings.config, _Identity())
            key = snapshot_key(grouping, {})
            began = time.perf_counter()
            with session_scope(engine) as session:
                loaded = fill_index(session=session, grouping=grouping, snapshot=snapshot, key=key)
            times[label] = time.perf_counter() - began
            times[label.replace("_s", "_read")] = float(loaded.read)
            del grouping
        engine.dispose()
    return {**times, "seed_s": seeded, "peak_mb": peak_rss_mb()}
