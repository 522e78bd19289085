"""A coarse vector index for large grouper indexes: faiss IVF with 8-bit codes, trained in the background.

Below `GroupingParams.exact_search_limit` items the grouper scans every vector exactly; above it a full scan
reads the whole float32 matrix per query (150 MB at 100k items), so candidates come from here instead and
are then scored exactly. Rows are faiss ids (rows only grow; removed rows are filtered by the caller).

Training (k-means over a sample) and adding the rows present then take seconds at 100k and more at 1M, so they
run on a thread of their own, started by the first search; until the index is ready, searches scan exactly,
as below the limit. Nothing waits for it: not the start, not a resident's reply.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import faiss

TRAIN_PER_LIST = 40  # training sample per inverted list (faiss warns below ~39)
TRAIN_THREAD = "coarse-index"  # the training thread's name (the benchmark waits for it)
ADD_CHUNK = 20_000  # rows added to the index per call (bounded copies)


def list_count(n: int, most: int) -> int:
    """Inverted lists for n rows: about 2·sqrt(n) (training cost grows with the square), at most `most`."""
    return max(1, min(most, int(2 * np.sqrt(n)), n // TRAIN_PER_LIST))


class CoarseIndex:
    """Approximate inner-product search over the first n rows of a growing matrix."""

    def __init__(self, dim: int, nlist: int = 1024, nprobe: int = 32) -> None:
        """Nothing is trained until the first search."""
        self.dim, self.nlist, self.nprobe = dim, nlist, nprobe
        self._index: faiss.IndexIVFScalarQuantizer | None = None
        self._added = 0
        self._training: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        """Whether searches use the index (else they scan exactly)."""
        return self._index is not None

    def _train(self, rows: np.ndarray) -> None:
        """Learn the coarse centroids and codes from a sample of `rows`, add them all, then publish the index."""
        import faiss

        nlist = list_count(len(rows), self.nlist)
        rng = np.random.default_rng(0)
        sample = rows[np.sort(rng.choice(len(rows), size=min(len(rows), TRAIN_PER_LIST * nlist), replace=False))]
        quantizer = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFScalarQuantizer(quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        index.nprobe = min(self.nprobe, nlist)
        for start in range(0, len(rows), ADD_CHUNK):
            index.add(np.ascontiguousarray(rows[start : start + ADD_CHUNK], dtype=np.float32))
        self._added = len(rows)
        self._index = index  # published last: searches see a finished index or none

    def start_training(self, matrix: np.ndarray, n: int) -> None:
        """Train on the first n rows on a background thread (once)."""
        if self._training is None:
            self._training = threading.Thread(target=self._train, args=(matrix[:n],), name=TRAIN_THREAD,
                                              daemon=True)
            self._training.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the training thread (the benchmark does); whether the index is ready."""
        if self._training is not None:
            self._training.join(timeout)
        return self.ready

    def search(self, matrix: np.ndarray, n: int, query: np.ndarray, k: int) -> np.ndarray:
        """Rows (of the first n) with about the k highest dot products with query (exactly, until trained)."""
        import faiss

        index = self._index
        if index is None:
            self.start_training(matrix, n)
            dots = np.einsum("ij,j->i", matrix[:n], query)
            exact: np.ndarray = np.argpartition(-dots, min(k, n) - 1)[:k]
            return exact
        if self._added < n:
            index.add(np.ascontiguousarray(matrix[self._added : n], dtype=np.float32))
            self._added = n
        faiss.omp_set_num_threads(1)  # one query: threads cost more than they save
        _, ids = index.search(query.reshape(1, -1).astype(np.float32), k)
        found: np.ndarray = ids[0]
        return found[found >= 0]
