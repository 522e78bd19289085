"""Batch re-clustering (average linkage on a sparse candidate graph) and merge/split proposals."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from nlp.boilerplate import distinctive, sharing_pairs
from nlp.features import TermStats, overlap_array, term_weight
from nlp.scoring import GroupingParams, Item, facets_conflict, place_adjustment, place_sets, topical_place


def _term_matrix(items: Sequence[Item], stats: TermStats, concept_weight: float = 1.0) -> sparse.csr_matrix:
    """Rows of L2-normalised term weights (IDF, concepts boosted) of each item's terms."""
    vocab: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    for item in items:
        for term in item.terms:
            indices.append(vocab.setdefault(term, len(vocab)))
            data.append(term_weight(term, stats, concept_weight))
        indptr.append(len(indices))
    x = sparse.csr_matrix((np.array(data, np.float32), indices, indptr), shape=(len(items), max(1, len(vocab))))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sparse.diags(1.0 / np.maximum(norms, 1e-12)).dot(x).tocsr()


def _reduce(vectors: np.ndarray, dim: int, sample: int = 5000) -> np.ndarray:
    """Project onto the top principal directions of a sample (for a cheaper neighbour search), renormalised."""
    rng = np.random.default_rng(0)
    rows = vectors[rng.choice(len(vectors), size=min(sample, len(vectors)), replace=False)]
    centred = (rows - rows.mean(axis=0)).astype(np.float64)
    _, eigvecs = np.linalg.eigh(centred.T @ centred)  # the SVD's right singular vectors, ascending
    low = vectors @ eigvecs[:, ::-1][:, :dim].astype(np.float32)
    unit: np.ndarray = low / np.maximum(np.linalg.norm(low, axis=1, keepdims=True), 1e-12)
    return unit


def _vector_neighbours(vectors: np.ndarray, k: int, reduce_above: int = 20_000, block: int = 512) -> np.ndarray:
    """For each row, the k most similar other rows by dot product (blocked, no n×n matrix)."""
    n = len(vectors)
    k = min(k, n - 1)
    if k <= 0:
        return np.zeros((n, 0), dtype=np.int64)
    if n > reduce_above:
        return _knn_reduced(_reduce(vectors, 96), k)
    out = np.zeros((n, k), dtype=np.int64)
    for start in range(0, n, block):
        sims = vectors[start : start + block] @ vectors.T
        sims[np.arange(len(sims)), np.arange(start, start + len(sims))] = -np.inf
        out[start : start + block] = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    return out


def _knn_reduced(low: np.ndarray, k: int) -> np.ndarray:
    """Exact k nearest other rows in the reduced space, with faiss (BLAS blocks and heaps, no row sorts)."""
    import faiss

    low = np.ascontiguousarray(low, dtype=np.float32)
    index = faiss.IndexFlatIP(low.shape[1])
    index.add(low)
    _, found = index.search(low, k + 1)
    own = found == np.arange(len(low))[:, None]
    drop = np.where(own.any(axis=1), own.argmax(axis=1), k)  # itself, or the last when ties pushed it out
    keep = np.ones_like(found, dtype=bool)
    keep[np.arange(len(low)), drop] = False
    neighbours: np.ndarray = found[keep].reshape(len(low), k).astype(np.int64)
    return neighbours


def _lexical_neighbours(x: sparse.csr_matrix, k: int, max_df: int, block: int = 4096) -> np.ndarray:
    """Pairs (i, j) of rows with the k highest term overlaps per row, ignoring terms in more than max_df rows."""
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    xr = x[:, np.flatnonzero(df <= max_df)].tocsr()
    xt = xr.T.tocsr()
    out: list[np.ndarray] = []
    for start in range(0, x.shape[0], block):
        sims = (xr[start : start + block] @ xt).tocoo()
        rows, cols, vals = sims.row + start, sims.col, sims.data
        keep = rows != cols
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
        order = np.lexsort((-vals, rows))
        rows, cols = rows[order], cols[order]
        first = np.searchsorted(rows, rows, side="left")
        rank = np.arange(len(rows)) - first
        out.append(np.stack([rows[rank < k], cols[rank < k]], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)


def _pair_similarities(
    x: sparse.csr_matrix, vectors: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 100_000
) -> tuple[np.ndarray, np.ndarray]:
    """Term overlap and embedding dot product of each pair (a[k], b[k]), in chunks to bound memory."""
    lex = np.empty(len(a), dtype=np.float32)
    dots = np.empty(len(a), dtype=np.float32)
    for s in range(0, len(a), chunk):
        ia, ib = a[s : s + chunk], b[s : s + chunk]
        lex[s : s + chunk] = np.asarray(x[ia].multiply(x[ib]).sum(axis=1)).ravel()
        dots[s : s + chunk] = np.einsum("ij,ij->i", vectors[ia], vectors[ib])
    return lex, dots


def _conflicts(facets: Sequence[frozenset[str] | None], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`facets_conflict` of each pair (a[k], b[k]) (1.0 or 0.0 each)."""
    pairs = zip(a.tolist(), b.tolist(), strict=True)
    return np.array([facets_conflict(facets[i], facets[j]) for i, j in pairs], dtype=np.float32)


def _distinctive_pairs(items: Sequence[Item], a: np.ndarray, b: np.ndarray, lex: np.ndarray, dots: np.ndarray,
                       stats: TermStats, params: GroupingParams) -> None:
    """Pairs that share boilerplate are compared by their distinctive parts (nlp.boilerplate), in place."""
    shared = sharing_pairs(items)
    if not shared:
        return
    at = {(i, j): k for k, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True))}
    for i, j in shared:
        k = at.get((i, j))
        if k is not None and (parts := distinctive(items[i], items[j])) is not None:
            lex[k] = overlap_array(parts[0], [parts[1]], stats, params.concept_weight)[0]
            dots[k] = min(float(dots[k]), params.embedding_center)


def candidate_edges(items: Sequence[Item], params: GroupingParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scored pairs (i < j) worth considering: embedding and lexical neighbours of every item."""
    stats = TermStats()
    for item in items:
        stats.add(item.terms)
    vectors = np.stack([it.vector for it in items]).astype(np.float32)
    x = _term_matrix(items, stats, params.concept_weight)
    vec_nb = _vector_neighbours(vectors, params.n_vector // 4)
    lex_pairs = _lexical_neighbours(x, params.n_vector // 2, max_df=params.max_df)
    n = len(items)
    i_all = np.concatenate([np.repeat(np.arange(n), vec_nb.shape[1]), lex_pairs[:, 0]])
    j_all = np.concatenate([vec_nb.ravel(), lex_pairs[:, 1]])
    lo, hi = np.minimum(i_all, j_all), np.maximum(i_all, j_all)
    keys = np.sort(lo.astype(np.int64) * n + hi)
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]  # np.unique, without its hash pass
    a, b = keys // n, keys % n
    if len(a) == 0:
        return a, b, np.zeros(0, dtype=np.float32)
    lex, dots = _pair_similarities(x, vectors, a, b)
    _distinctive_pairs(items, a, b, lex, dots, stats, params)
    places = [place_sets(it) for it in items]
    has = np.array([bool(p) for p in places])
    both = np.flatnonzero(has[a] & has[b])
    adj = np.zeros(len(a), dtype=np.float32)
    local = [bool(it.local) for it in items]
    pairs = zip(a[both].tolist(), b[both].tolist(), strict=True)
    adj[both] = [place_adjustment(places[i], places[j], params, local[i] and local[j]) for i, j in pairs]
    score = (params.w_lexical * lex + params.w_embedding * (dots - params.embedding_center) + topical_place(adj, lex)
             - params.group_conflict * _conflicts([it.groups for it in items], a, b)
             - params.need_conflict * _conflicts([it.needs for it in items], a, b)
             - params.utility_conflict * _conflicts([it.utilities for it in items], a, b))
    keep = score >= params.min_edge
    return a[keep], b[keep], score[keep].astype(np.float32)


def average_linkage(
    n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray, threshold: float, start: Sequence[int] | None = None
) -> np.ndarray:
    """Agglomerate while the best average pair score (unlisted pairs count 0) reaches the threshold.

    `start`: a group per node that agglomeration begins from (items of one group never part).
    """
    group = list(range(n)) if start is None else _roots(_first_of(start)).tolist()
    sums: list[dict[int, float]] = [dict() for _ in range(n)]
    for i, j, s in zip(a.tolist(), b.tolist(), w.tolist(), strict=True):
        gi, gj = group[i], group[j]
        if gi != gj:
            sums[gi][gj] = sums[gi].get(gj, 0.0) + s
            sums[gj][gi] = sums[gj].get(gi, 0.0) + s
    size = np.bincount(group, minlength=n).tolist()
    parent = list(range(n))
    heap = [(-s / (size[i] * size[j]), i, j) for i in range(n) for j, s in sums[i].items() if i < j]
    heapq.heapify(heap)
    while heap:
        neg, i, j = heapq.heappop(heap)
        if parent[i] != i or parent[j] != j or j not in sums[i]:
            continue
        if abs(-neg - sums[i][j] / (size[i] * size[j])) > 1e-9:
            continue  # stale entry
        if -neg < threshold:
            break
        if len(sums[i]) < len(sums[j]):
            i, j = j, i
        parent[j], size[i] = i, size[i] + size[j]
        for k, s in sums[j].items():
            if k == i:
                continue
            del sums[k][j]
            sums[i][k] = sums[i].get(k, 0.0) + s
            sums[k][i] = sums[i][k]
        del sums[i][j]
        sums[j] = {}
        for k, s in sums[i].items():
            heapq.heappush(heap, (-s / (size[i] * size[k]), min(i, k), max(i, k)))
    return _roots(parent)[group]


def _first_of(labels: Sequence[int]) -> list[int]:
    """A parent list that points every node at the first node with the same label."""
    first: dict[int, int] = {}
    return [first.setdefault(label, i) for i, label in enumerate(labels)]


def _roots(parent: list[int]) -> np.ndarray:
    """Label each node by its root, numbered 0.. in order of first appearance."""

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    ids: dict[int, int] = {}
    return np.array([ids.setdefault(find(x), len(ids)) for x in range(len(parent))], dtype=np.int64)


def recluster(
    items: Sequence[Item], params: GroupingParams | None = None, start: Sequence[int] | None = None
) -> np.ndarray:
    """A cluster label per item (the batch re-clustering run before each digest).

    With `start` (the current cluster of each item) the current clusters are kept whole and only merged:
    who joined which cluster was decided by residents (or moderators), so a re-clustering proposes merges only.
    """
    params = params or GroupingParams()
    if len(items) < 2:
        return np.zeros(len(items), dtype=np.int64)
    a, b, w = candidate_edges(items, params)
    return average_linkage(len(items), a, b, w, params.merge_threshold, start)


@dataclass(frozen=True)
class Merge:
    """Proposal: merge these current clusters; the first keeps its code."""

    clusters: tuple[int, ...]


@dataclass(frozen=True)
class Split:
    """Proposal: these items leave `cluster` and join `into`, or a new cluster (one per `new_group`)."""

    cluster: int
    items: tuple[int, ...]
    into: int | None
    new_group: int


def compare_partitions(
    current: Sequence[int], proposed: Sequence[int], item_ids: Sequence[int] | None = None
) -> list[Merge | Split]:
    """Turn the disagreements of a proposed partition with the current clusters into merges and splits."""
    ids = list(item_ids) if item_ids is not None else list(range(len(current)))
    overlap: dict[int, Counter[int]] = defaultdict(Counter)
    for c, p in zip(current, proposed, strict=True):
        overlap[c][p] += 1
    main = {c: min(cnt.items(), key=lambda kv: (-kv[1], kv[0]))[0] for c, cnt in overlap.items()}
    size = {c: sum(cnt.values()) for c, cnt in overlap.items()}
    home: dict[int, list[int]] = defaultdict(list)
    for c in sorted(main, key=lambda c: (-size[c], c)):
        home[main[c]].append(c)
    out: list[Merge | Split] = [Merge(tuple(cs)) for _, cs in sorted(home.items()) if len(cs) > 1]
    leaving: dict[tuple[int, int], list[int]] = defaultdict(list)
    for item, c, p in zip(ids, current, proposed, strict=True):
        if p != main[c]:
            leaving[(c, p)].append(item)
    for (c, p), items in sorted(leaving.items()):
        into = home[p][0] if home.get(p) else None
        out.append(Split(cluster=c, items=tuple(items), into=into, new_group=int(p)))
    return out


def apply_proposals(
    current: Sequence[int], proposals: Sequence[Merge | Split], item_ids: Sequence[int] | None = None
) -> list[int]:
    """The cluster of each item after every proposal is accepted (new clusters get fresh negative ids)."""
    ids = list(item_ids) if item_ids is not None else list(range(len(current)))
    labels = dict(zip(ids, current, strict=True))
    target = {c: c for c in set(current)}
    for prop in proposals:
        if isinstance(prop, Merge):
            for c in prop.clusters[1:]:
                target[c] = prop.clusters[0]
    for prop in proposals:
        if isinstance(prop, Split):
            dest = target.get(prop.into, prop.into) if prop.into is not None else -1 - prop.new_group
            for item in prop.items:
                labels[item] = dest
    return [target.get(labels[i], labels[i]) for i in ids]
