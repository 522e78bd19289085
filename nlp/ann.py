"""A coarse vector index for very large grouper indexes: faiss IVF with 8-bit codes, built on first use.

Below `GroupingParams.exact_search_limit` items the grouper scans every vector exactly; above it a full scan
reads the whole float32 matrix per query (1.5 GB at a million items), so candidates come from here instead and
are then scored exactly. Rows are faiss ids (rows only grow; removed rows are filtered by the caller).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import faiss

TRAIN_PER_LIST = 40  # training sample per inverted list (faiss warns below ~39)


class CoarseIndex:
    """Approximate inner-product search over the first n rows of a growing matrix."""

    def __init__(self, dim: int, nlist: int = 1024, nprobe: int = 32) -> None:
        """Nothing is trained until the first search."""
        self.dim, self.nlist, self.nprobe = dim, nlist, nprobe
        self._index: faiss.IndexIVFScalarQuantizer | None = None
        self._added = 0

    def _train(self, vectors: np.ndarray) -> faiss.IndexIVFScalarQuantizer:
        """Learn the coarse centroids and codes from a sample of the rows."""
        import faiss

        nlist = max(1, min(self.nlist, len(vectors) // TRAIN_PER_LIST))
        rng = np.random.default_rng(0)
        sample = vectors[rng.choice(len(vectors), size=min(len(vectors), TRAIN_PER_LIST * nlist),
                                    replace=False)]
        quantizer = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFScalarQuantizer(quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        index.nprobe = self.nprobe
        self._index = index
        return index

    def search(self, matrix: np.ndarray, n: int, query: np.ndarray, k: int) -> np.ndarray:
        """Rows (of the first n) with about the k highest dot products with query."""
        import faiss

        index = self._index if self._index is not None else self._train(matrix[:n])
        if self._added < n:
            index.add(np.ascontiguousarray(matrix[self._added : n], dtype=np.float32))
            self._added = n
        faiss.omp_set_num_threads(1)  # one query: threads cost more than they save
        _, ids = index.search(query.reshape(1, -1).astype(np.float32), k)
        found: np.ndarray = ids[0]
        return found[found >= 0]
