"""Dev-only: how much weight the e5 cosine deserves next to the term overlap, fitted on labelled message pairs.

Usage: .venv/bin/python tools/pair_weights.py SET.jsonl SET.jsonl [SET.jsonl ...]   (tuning sets only, never dev2)

For every pair of messages in a set: the features `pair_scores` adds up (term overlap, e5 cosine, shared place,
place conflict, beneficiary, need and utility conflicts) and whether the two share a gold group. A logistic
regression is fitted on all sets but one and scored on the one left out; the coefficients are printed relative
to the term overlap's, which `GroupingParams.w_lexical` fixes at 1.0; the pair AUC of the current score
is printed beside it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from bot.app import load_embedder
from bot.settings import load_settings
from nlp.evaluation import NOT_A_PROPOSAL
from nlp.features import TermStats, overlap_array
from nlp.grouping import GroupingParams, Item
from nlp.scoring import facets_conflict, pair_scores, place_adjustment, place_sets
from services.intake.grouping import GroupingService
from services.intake.textcheck import check_text

FEATURES = ("overlap", "cosine", "same place", "place conflict", "group conflict", "need conflict",
            "utility conflict")


def pairs(path: Path, grouping: GroupingService) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, same-group truth and current score of every pair of proposals in one labelled set."""
    limits = load_settings().config.limits
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = [r for r in rows if r["group"] != NOT_A_PROPOSAL
            and not check_text(r["text"], max_chars=limits.max_text_chars, min_chars=limits.min_text_chars)]
    items: list[Item] = []
    for row in rows:
        prepared = grouping.prepare(row["text"])
        assert prepared.vector is not None
        items.append(grouping.item(prepared.clean, prepared.vector, prepared.streets))
    stats = TermStats()
    for item in items:
        stats.add(item.terms)
    params = grouping.params
    features, truth, current = [], [], []
    for i, a in enumerate(items[:-1]):
        others = items[i + 1:]
        lex = overlap_array(a.terms, [o.terms for o in others], stats, params.concept_weight)
        current.extend(pair_scores(a, others, stats, params).tolist())
        for j, (b, overlap) in enumerate(zip(others, lex, strict=True), i + 1):
            place = place_adjustment(place_sets(a), place_sets(b), params, bool(a.local and b.local))
            features.append([overlap, float(a.vector @ b.vector), place > 0, place < 0,
                             facets_conflict(a.groups, b.groups), facets_conflict(a.needs, b.needs),
                             facets_conflict(a.utilities, b.utilities)])
            truth.append(rows[i]["group"] == rows[j]["group"])
    return np.array(features, dtype=float), np.array(truth), np.array(current)


def main() -> None:
    """Fit on all sets but one, score on that one, for each set in turn."""
    settings = load_settings()
    grouping = GroupingService(settings.config, load_embedder(settings), GroupingParams())
    sets = {Path(p).name: pairs(Path(p), grouping) for p in sys.argv[1:]}
    for held_out, (x_test, y_test, current) in sets.items():
        x_train = np.vstack([x for name, (x, _, _) in sets.items() if name != held_out])
        y_train = np.concatenate([y for name, (_, y, _) in sets.items() if name != held_out])
        model = LogisticRegression(C=10, max_iter=2000, class_weight="balanced").fit(x_train, y_train)
        relative = model.coef_[0] / model.coef_[0][0]
        weights = ", ".join(f"{name} {w:+.2f}" for name, w in zip(FEATURES, relative, strict=True))
        print(f"{held_out}: AUC fitted {roc_auc_score(y_test, model.decision_function(x_test)):.3f}"
              f" (current score {roc_auc_score(y_test, current):.3f}); weights relative to overlap: {weights}")


if __name__ == "__main__":
    main()
