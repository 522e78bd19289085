"""Online grouping: the in-memory index of current clusters, suggestions and assignment on arrival."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from nlp.ann import CoarseIndex
from nlp.features import TermStats
from nlp.scoring import GroupingParams, Item, make_item, pair_scores, place_sets, places_conflict

__all__ = ["NO_VECTOR", "Grouper", "GroupingParams", "Item", "make_item", "spare_rows"]

NO_VECTOR = np.zeros(0, dtype=np.float32)  # a stored item's vector lives in the grouper's matrix, not in the item


def spare_rows(n: int) -> int:
    """Room left in a matrix made for n rows, so that new items are added without growing it at once."""
    return n // 8 + 1024


class Grouper:
    """In-memory state of the current clusters; rebuilt at start from the stored items.

    Each vector is kept once, in the float32 matrix; the stored items hold NO_VECTOR (`item` gives one back
    with its vector)."""

    def __init__(self, params: GroupingParams | None = None, dim: int = 384) -> None:
        """Start with no items."""
        self.params = params or GroupingParams()
        self.stats = TermStats()
        self._matrix = np.zeros((1024, dim), dtype=np.float32)
        self._items: list[Item | None] = []
        self._row_of: dict[int, int] = {}
        self._id_of: list[int] = []
        self._cluster_of: list[int] = []
        self._members: dict[int, set[int]] = defaultdict(set)
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._coarse: CoarseIndex | None = None  # built when the index outgrows exact search

    def __len__(self) -> int:
        """Number of stored items."""
        return len(self._row_of)

    def __contains__(self, item_id: object) -> bool:
        """Whether an item is stored."""
        return item_id in self._row_of

    def ids(self) -> list[int]:
        """Ids of the stored items."""
        return list(self._row_of)

    def item(self, item_id: int) -> Item:
        """The stored item with this id, with its vector."""
        row = self._row_of[item_id]
        item = self._items[row]
        assert item is not None
        return replace(item, vector=self._matrix[row].copy())

    def stored(self, item_id: int) -> Item:
        """The stored item with this id, without its vector (NO_VECTOR)."""
        item = self._items[self._row_of[item_id]]
        assert item is not None
        return item

    def vectors(self, item_ids: Sequence[int]) -> np.ndarray:
        """The vectors of these items, one row each (a view, not a copy, when they are the first rows in order)."""
        rows = np.fromiter((self._row_of[i] for i in item_ids), np.int64, len(item_ids))
        if np.array_equal(rows, np.arange(len(rows))):
            return self._matrix[: len(rows)]
        return self._matrix[rows]

    def load(self, item_ids: Sequence[int], cluster_ids: Sequence[int], items: Sequence[Item], matrix: np.ndarray
             ) -> None:
        """Fill an empty grouper at once, as `add` would one by one in this order: `matrix` (float32, kept, not
        copied) holds the items' vectors in its first rows and spare room after them; the items hold NO_VECTOR."""
        if self._items:
            raise ValueError("load fills an empty grouper")
        n = len(items)
        if not len(item_ids) == len(cluster_ids) == n <= len(matrix) or matrix.dtype != np.float32:
            raise ValueError("ids, clusters, items and matrix rows do not match")
        self._matrix = matrix if len(matrix) > n else np.concatenate([matrix, np.zeros((1024, matrix.shape[1]),
                                                                                       np.float32)])
        self._items = list(items)
        self._id_of = list(item_ids)
        self._cluster_of = list(cluster_ids)
        self._row_of = dict(zip(self._id_of, range(n), strict=True))
        if len(self._row_of) != n:
            raise ValueError("an id appears twice")
        members, postings = self._members, self._postings
        for row, (cluster_id, item) in enumerate(zip(self._cluster_of, items, strict=True)):
            members[cluster_id].add(row)
            for term in item.terms:
                postings[term].append(row)
        self.stats.add_many(item.terms for item in items)

    def cluster_of(self, item_id: int) -> int:
        """The cluster an item is in."""
        return self._cluster_of[self._row_of[item_id]]

    def add(self, item_id: int, cluster_id: int, item: Item) -> None:
        """Store an item as a member of a cluster (moving it if already stored)."""
        if item_id in self._row_of:
            self.remove(item_id)
        row = len(self._items)
        if row >= len(self._matrix):
            grown = np.zeros((2 * len(self._matrix), self._matrix.shape[1]), dtype=np.float32)
            grown[:row] = self._matrix[:row]
            self._matrix = grown
        self._matrix[row] = item.vector
        self._items.append(item if item.vector is NO_VECTOR else replace(item, vector=NO_VECTOR))
        self._id_of.append(item_id)
        self._cluster_of.append(cluster_id)
        self._row_of[item_id] = row
        self._members[cluster_id].add(row)
        self.stats.add(item.terms)
        for term in item.terms:
            self._postings[term].append(row)

    def _member(self, row: int) -> Item:
        """The item of a cluster member's row (members are never tombstones: remove() discards them)."""
        item = self._items[row]
        assert item is not None
        return item

    def remove(self, item_id: int) -> None:
        """Forget an item (its row stays as a tombstone)."""
        row = self._row_of.pop(item_id)
        item = self._items[row]
        assert item is not None
        self.stats.remove(item.terms)
        self._items[row] = None
        self._matrix[row] = 0.0
        members = self._members[self._cluster_of[row]]
        members.discard(row)
        if not members:
            del self._members[self._cluster_of[row]]

    def _nearest(self, vector: np.ndarray, k: int) -> list[int]:
        """The k rows nearest by embedding: an exact scan, or the coarse index above exact_search_limit."""
        n = len(self._items)
        if n <= self.params.exact_search_limit:
            dots = np.einsum("ij,j->i", self._matrix[:n], vector)  # one thread: BLAS's two lose on a busy CPU
            exact: list[int] = np.argpartition(-dots, k - 1)[:k].tolist()
            return exact
        if self._coarse is None:
            self._coarse = CoarseIndex(self._matrix.shape[1])
        rows = self._coarse.search(self._matrix, n, vector, 2 * k)
        dots = self._matrix[rows] @ vector
        nearest: list[int] = rows[np.argsort(-dots)[:k]].tolist()
        return nearest

    def _candidates(self, item: Item) -> np.ndarray:
        """Rows worth scoring: nearest by embedding plus those sharing the rarest terms."""
        k = min(self.params.n_vector, len(self._items))
        rows = set(self._nearest(item.vector, k)) if k else set()
        budget = self.params.n_lexical
        for term in sorted(item.terms, key=lambda t: self.stats.df.get(t, 0)):
            posting = self._postings.get(term, [])
            rows.update(posting[-budget:])
            budget -= len(posting)
            if budget <= 0:
                break
        return np.fromiter((r for r in rows if self._items[r] is not None), dtype=np.int64)

    def cluster_scores(self, item: Item) -> dict[int, float]:
        """Score of every cluster that has a candidate member: the mean of its best `top_m` member scores."""
        return {c: mean for c, (mean, _) in self._scored(item).items()}

    def _scored(self, item: Item) -> dict[int, tuple[float, float]]:
        """Per cluster with a candidate member: the mean of its best `top_m` member scores, and its best one."""
        rows = self._candidates(item)
        if len(rows) == 0:
            return {}
        others = [self._items[r] for r in rows]
        scores = pair_scores(item, others, self.stats, self.params, dots=self._matrix[rows] @ item.vector)
        clusters = np.fromiter((self._cluster_of[r] for r in rows.tolist()), np.int64, len(rows))
        ids, group = np.unique(clusters, return_inverse=True)
        order = np.lexsort((-scores, group))  # by cluster, best first: sums run as cluster_score's do
        group, ranked = group[order], scores[order].astype(np.float64)
        first = np.searchsorted(group, group, side="left")
        rank = np.arange(len(order)) - first
        m = np.array([max(1, min(self.params.top_m, len(self._members[c]))) for c in ids.tolist()])
        sums = np.bincount(group, np.where(rank < m[group], ranked, 0.0), len(ids))
        best = ranked[np.unique(first)]
        return dict(zip(ids.tolist(), zip((sums / m).tolist(), best.tolist(), strict=True), strict=True))

    def suggest(self, item: Item, k: int = 3) -> list[tuple[int, float]]:
        """Up to k clusters that ask for the same thing, best first, with their scores.

        A local need in a kelurahan the text names is never offered a cluster filed only in other kecamatan:
        "jalan di belimbing banyak yg rusak" is not the pothole cluster of Jl. Ahmad Yani in Bontang Utara.
        """
        return self._ranked(item, self.cluster_scores(item))[:k]

    def _ranked(self, item: Item, scores: dict[int, float]) -> list[tuple[int, float]]:
        """Clusters by score, best first, from the suggestion threshold up, without those filed elsewhere."""
        ranked = sorted(scores.items(), key=lambda cs: (-cs[1], cs[0]))
        found = [(c, s) for c, s in ranked if s >= self.params.suggest_threshold]
        if item.local and item.area_named:
            found = [(c, s) for c, s in found if not self._elsewhere(item.area, c)]
        return found

    def _elsewhere(self, area: str | None, cluster_id: int) -> bool:
        """Whether every member of a cluster is filed under a known kecamatan, and none under `area`."""
        areas = {self._member(r).area for r in self._members.get(cluster_id, ())}
        return bool(areas) and None not in areas and area not in areas

    def _places(self, cluster_id: int) -> frozenset[str]:
        """The places the local members of a cluster name."""
        return frozenset().union(*(place_sets(m) for r in self._members.get(cluster_id, ())
                                   if (m := self._member(r)).local))

    def _other_place(self, item: Item, cluster_id: int) -> bool:
        """Whether a local need names places of a kind the cluster's local members name, and none of theirs:
        another kelurahan or street is another request, whatever the words."""
        return bool(item.local) and places_conflict(place_sets(item), self._places(cluster_id))

    def linkage(self, a: int, b: int, cap: int = 50) -> float:
        """Average linkage of two clusters: the mean score over pairs of their (latest `cap`) members."""
        rows_a, rows_b = sorted(self._members[a])[-cap:], sorted(self._members[b])[-cap:]
        if not rows_a or not rows_b:
            return 0.0
        others = [self._member(r) for r in rows_b]
        total = sum(float(pair_scores(self._member(r), others, self.stats, self.params,
                                      dots=self._matrix[rows_b] @ self._matrix[r]).sum()) for r in rows_a)
        return total / (len(rows_a) * len(rows_b))

    def twins(self, cluster_id: int, item: Item, k: int = 5) -> list[tuple[int, float]]:
        """Clusters near `item` (just added to `cluster_id`) whose average linkage with that cluster reaches
        `twin_threshold`: by then they ask for the same thing as it. Best first."""
        mine = self._places(cluster_id)
        found = [(c, self.linkage(cluster_id, c)) for c, _ in self.suggest(item, k=k)
                 if c != cluster_id and not places_conflict(mine, self._places(c))]
        return sorted(((c, s) for c, s in found if s >= self.params.twin_threshold), key=lambda cs: (-cs[1], cs[0]))

    def assign(self, item: Item) -> int | None:
        """The cluster to join automatically, or None for a new cluster: the best one that reaches the threshold
        and names no other place for a local need; failing that, the cluster of a member the item all but
        repeats.

        A cluster's score is the mean over its members, so a message that retells one member of a cluster
        whose others say the same thing in other words (formal and chat, another language) may score below the
        threshold: it joins through that member when their pair score reaches `member_threshold` and the
        cluster's own score `member_floor`.
        """
        scored = self._scored(item)
        ranked = self._ranked(item, {c: mean for c, (mean, _) in scored.items()})
        for cluster_id, score in ranked:
            if score < self.params.assign_threshold:
                break
            if not self._other_place(item, cluster_id):
                return cluster_id
        by_member = sorted(((scored[c][1], c) for c, score in ranked if score >= self.params.member_floor),
                           key=lambda bc: (-bc[0], bc[1]))
        for best, cluster_id in by_member:
            if best < self.params.member_threshold:
                break
            if not self._other_place(item, cluster_id):
                return cluster_id
        return None
