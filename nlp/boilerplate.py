"""Texts that share a long span: compare what is distinctive in each, not the boilerplate they share.

A resident who sends ten requests wrapped in one sentence ("Usulan nomor 3: mohon segera ditangani masalah air
PDAM keruh di Satimpo. Kami sudah menyampaikan hal ini berkali-kali ...") writes ten texts whose embeddings and
words are mostly that sentence. Two such texts ask for the same thing only when the words outside the spans they
share do; a copy of the same text (nothing outside the shared spans) stays as alike as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from nlp.features import TermStats, overlap_array, terms

if TYPE_CHECKING:
    from nlp.scoring import Item

SPAN = 10  # words in a row that two texts must share to count as shared boilerplate
SHORT = 4  # once they do, every run of this many words they share is boilerplate too ("usulan nomor 3: mohon")
MIN_DISTINCT = 3  # content terms each text needs outside the shared spans for them to decide
MAX_SHARERS = 200  # a span in more texts than this is not looked at (cost), as for common terms


def spans(item: Item, size: int = SPAN) -> frozenset[tuple[str, ...]]:
    """Every run of `size` words of an item (computed once per item and size)."""
    key = f"_spans{size}"
    cached = item.__dict__.get(key)
    if cached is None:
        words = item.words
        cached = frozenset(words[i : i + size] for i in range(len(words) - size + 1))
        object.__setattr__(item, key, cached)
    return cached


def _outside(item: Item, shared: frozenset[tuple[str, ...]]) -> tuple[str, ...]:
    """An item's content terms from the words not covered by any shared run of SHORT words."""
    words = item.words
    covered = [False] * len(words)
    for i in range(len(words) - SHORT + 1):
        if words[i : i + SHORT] in shared:
            covered[i : i + SHORT] = [True] * SHORT
    rest = " ".join(w for w, c in zip(words, covered, strict=True) if not c)
    own = set(item.terms)
    return tuple(t for t in terms(rest) if t in own)  # places and request words stay out, as in item.terms


def distinctive(a: Item, b: Item) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The content terms of each text outside the spans they share, or None when they share no span or either
    has too little outside it to decide (a copy of the same text)."""
    if spans(a).isdisjoint(spans(b)):
        return None
    shared = spans(a, SHORT) & spans(b, SHORT)
    rest_a, rest_b = _outside(a, shared), _outside(b, shared)
    if len(rest_a) < MIN_DISTINCT or len(rest_b) < MIN_DISTINCT:
        return None
    return rest_a, rest_b


def sharing_pairs(items: Sequence[Item]) -> set[tuple[int, int]]:
    """Pairs (i < j) of items that share a span."""
    holders: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        for span in spans(item):
            holders[span].append(i)
    return {(x, y) for rows in holders.values() if 1 < len(rows) <= MAX_SHARERS
            for n, x in enumerate(rows) for y in rows[n + 1 :]}


def compare_distinctive(item: Item, others: Sequence[Item], lex: np.ndarray, dots: np.ndarray, stats: TermStats,
                        concept_weight: float, center: float) -> None:
    """For the others that share boilerplate with `item`, put the term overlap of the distinctive parts in `lex`
    and cap the embedding's dot product at `center` (the shared sentence makes it high whatever is asked), in
    place."""
    mine = spans(item)
    if not mine:
        return
    for k, other in enumerate(others):
        if mine.isdisjoint(spans(other)) or (parts := distinctive(item, other)) is None:
            continue
        lex[k] = overlap_array(parts[0], [parts[1]], stats, concept_weight)[0]
        dots[k] = min(float(dots[k]), center)
