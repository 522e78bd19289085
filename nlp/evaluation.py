"""Scores against labelled data: a grouping's pairwise precision/recall/F1, ARI and suggestion hit@k, and a
reading's precision/recall per label (messages that may carry several labels each)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass

from sklearn.metrics import adjusted_rand_score

NOT_A_PROPOSAL = "not-a-proposal"


def singletons(groups: Sequence[str], marker: str = NOT_A_PROPOSAL) -> list[str]:
    """The labels with every `marker` line turned into its own group."""
    return [f"{marker}#{i}" if g == marker else g for i, g in enumerate(groups)]


def _pairs(labels: Sequence[Hashable]) -> int:
    """Number of unordered pairs that share a label."""
    return sum(c * (c - 1) // 2 for c in Counter(labels).values())


def pairwise_prf(true: Sequence[Hashable], pred: Sequence[Hashable], only: Sequence[bool] | None = None
                 ) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of a predicted partition (1.0 when there is nothing to find).

    `only`: count just the pairs with at least one of these messages (how well they find their group).
    """
    if len(true) != len(pred):
        raise ValueError("true and pred differ in length")
    both = _pairs(list(zip(true, pred, strict=True)))
    n_pred, n_true = _pairs(pred), _pairs(true)
    if only is not None:  # all pairs less the pairs among the other messages
        rest = [i for i, keep in enumerate(only) if not keep]
        both -= _pairs([(true[i], pred[i]) for i in rest])
        n_pred -= _pairs([pred[i] for i in rest])
        n_true -= _pairs([true[i] for i in rest])
    precision = both / n_pred if n_pred else 1.0
    recall = both / n_true if n_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def ari(true: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Adjusted Rand index of two partitions."""
    return float(adjusted_rand_score([str(t) for t in true], [str(p) for p in pred]))


def hit_at_k(
    true: Sequence[Hashable], cluster_at_arrival: Sequence[int], shown: Sequence[Sequence[int]], k: int,
    only: Sequence[bool] | None = None,
) -> float:
    """Share of messages, among those whose group already had a message, shown a cluster holding one of them.

    `cluster_at_arrival[j]` is the cluster message j was put in when it arrived; `shown[i]` the clusters
    suggested to message i, best first. Messages are in arrival order. `only`: count just these messages
    (their earlier group members may be any message).
    """
    hits = total = 0
    for i, group in enumerate(true):
        earlier = {cluster_at_arrival[j] for j in range(i) if true[j] == group}
        if not earlier or (only is not None and not only[i]):
            continue
        total += 1
        hits += any(c in earlier for c in list(shown[i])[:k])
    return hits / total if total else 1.0


def merge_precision(true: Sequence[Hashable], labels: Sequence[int], merges: Sequence[Sequence[int]]) -> float:
    """Share of proposed merges that join members of the same request (1.0 when nothing is proposed).

    `labels[i]`: the cluster of message i before the merges; each merge lists clusters, the first keeps its
    code. A merge counts once per cluster it absorbs, and is right when that cluster's commonest request is the
    keeper's commonest request.
    """
    members: dict[int, Counter[Hashable]] = {}
    for group, label in zip(true, labels, strict=True):
        members.setdefault(label, Counter())[group] += 1
    request = {c: min(cnt.items(), key=lambda kv: (-kv[1], str(kv[0])))[0] for c, cnt in members.items()}
    pairs = [(m[0], other) for m in merges for other in m[1:] if m[0] in request and other in request]
    if not pairs:
        return 1.0
    return sum(request[keep] == request[other] for keep, other in pairs) / len(pairs)


@dataclass(frozen=True)
class LabelScore:
    """How one label was read: messages carrying it by hand (support), read with it, and both."""

    label: str
    support: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float | None:
        """Share of the messages read with the label that carry it (None when none was read with it)."""
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        """Share of the messages carrying the label that were read with it (None when none carries it)."""
        return self.correct / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall (None when either is undefined)."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


def label_scores(truth: Sequence[Collection[str]], predicted: Sequence[Collection[str]], labels: Sequence[str]
                 ) -> list[LabelScore]:
    """Per label, in the given order: how many messages carry it, were read with it, and both."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted differ in length")
    return [LabelScore(label, sum(label in t for t in truth), sum(label in p for p in predicted),
                       sum(label in t and label in p for t, p in zip(truth, predicted, strict=True)))
            for label in labels]
