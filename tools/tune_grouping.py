"""Dev-only: online / resident / final figures of the grouping without the database, for quick tuning.

Usage: .venv/bin/python tools/tune_grouping.py ../shared/data/aspirasi_dev.jsonl [name=value ...]
(name=value overrides a GroupingParams field). `aspirasi eval` is the measure that counts; this mirrors it
on the in-memory index only (no suggestion filtering by hidden/own clusters, which never arise here), and gives
its figures to the third decimal on every tuning set.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from bot.app import load_embedder
from bot.settings import load_settings
from nlp.cluster import apply_proposals, compare_partitions, recluster
from nlp.evaluation import hit_at_k, pairwise_prf, singletons
from nlp.grouping import Grouper, GroupingParams, Item
from services.intake.grouping import GroupingService
from services.intake.textcheck import check_text


def stream(items: list[Item | None], truth: list[str], params: GroupingParams, choose: bool,
           forums: list[str | None] | None = None):
    """Arrival-order pass: the machine assigns, or a resident picks a shown cluster holding their group.

    As in intake, the machine joins twins only after it put a message in an existing cluster, and never two
    clusters of different home forums (`forums`: the forum of the place each message is filed under).
    """
    grouper, labels, next_id = Grouper(params), [], 0
    shown: list[list[int]] = []
    held: dict[int, set[str]] = {}
    home: dict[int, str | None] = {}
    for i, item in enumerate(items):
        if item is None:
            labels.append(-1000 - i)
            shown.append([])
            continue
        offered = [c for c, _ in grouper.suggest(item, k=3)]
        own = [c for c in offered if truth[i] in held.get(c, set())]
        cluster = (own[0] if own else None) if choose and offered else grouper.assign(item)
        opened = cluster is None
        if cluster is None:
            cluster, next_id = next_id, next_id + 1
            home[cluster] = forums[i] if forums else None
        grouper.add(i, cluster, item)
        while not choose and not opened and (twin := next((c for c, _ in grouper.twins(cluster, item)
                                                           if home[c] == home[cluster]), None)) is not None:
            keep, gone = sorted((cluster, twin))  # the machine joins twins (services/intake/twins.py)
            for j in [j for j in range(i + 1) if j in grouper and grouper.cluster_of(j) == gone]:
                grouper.add(j, keep, grouper.item(j))
                if j < len(labels):
                    labels[j] = keep
            cluster = keep
        held.setdefault(cluster, set()).add(truth[i])
        labels.append(cluster)
        shown.append(offered)
    return labels, shown


def final_of(items: list[Item | None], labels: list[int], params: GroupingParams) -> list[int]:
    """The resident clusters with every merge proposal accepted."""
    idx = [i for i, it in enumerate(items) if it is not None]
    current = [labels[i] for i in idx]
    proposed = recluster([items[i] for i in idx], params, start=current)  # type: ignore[misc]
    accepted = apply_proposals(current, compare_partitions(current, proposed.tolist(), item_ids=idx), item_ids=idx)
    out = dict(zip(idx, accepted, strict=True))
    return [out.get(i, labels[i]) for i in range(len(items))]


def figures(items: list[Item | None], truth: list[str], params: GroupingParams, forums: list[str | None]) -> str:
    """One line: online, resident and final F1 and hit@3."""
    online, _ = stream(items, truth, params, choose=False, forums=forums)
    resident, shown = stream(items, truth, params, choose=True)
    final = final_of(items, resident, params)
    return (f"online {pairwise_prf(truth, online)[2]:.3f} resident {pairwise_prf(truth, resident)[2]:.3f}"
            f" final {pairwise_prf(truth, final)[2]:.3f} hit3 {hit_at_k(truth, resident, shown, 3):.3f}")


def main() -> None:
    """Print the figures for the given parameters."""
    settings = load_settings()
    rows = [json.loads(x) for x in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines() if x.strip()]
    overrides = {k: type(getattr(GroupingParams(), k))(v) for k, v in (a.split("=") for a in sys.argv[2:])}
    params = dataclasses.replace(GroupingParams(), **overrides)
    grouping = GroupingService(settings.config, load_embedder(settings), params)
    limits = settings.config.limits
    items: list[Item | None] = []
    forums: list[str | None] = []
    for r in rows:
        if check_text(r["text"], max_chars=limits.max_text_chars, min_chars=limits.min_text_chars):
            items.append(None)
            forums.append(None)
            continue
        p = grouping.prepare(r["text"])
        place = p.kelurahan[0] if p.kelurahan else r.get("kelurahan")  # filed under, as intake does
        items.append(grouping.item(p.clean, p.vector, p.streets, place))  # type: ignore[arg-type]
        forums.append(grouping.forum_of_place(place))
    truth = singletons([str(r["group"]) for r in rows])
    grid = json.loads(Path("tools/grid.json").read_text()) if Path("tools/grid.json").exists() else None
    if grid:
        import itertools
        for values in itertools.product(*grid.values()):
            trial = dataclasses.replace(params, **dict(zip(grid, values, strict=True)))
            print(dict(zip(grid, values, strict=True)), figures(items, truth, trial, forums))
        return
    online, _ = stream(items, truth, params, choose=False, forums=forums)
    resident, shown = stream(items, truth, params, choose=True)
    final = final_of(items, resident, params)
    for name, labels in (("online", online), ("resident", resident), ("final", final)):
        precision, recall, f1 = pairwise_prf(truth, labels)
        print(f"{name:<8} P {precision:.3f} R {recall:.3f} F1 {f1:.3f}")
    print(f"hit1 {hit_at_k(truth, resident, shown, 1):.3f} hit3 {hit_at_k(truth, resident, shown, 3):.3f}"
          f" shown-per-msg {sum(map(len, shown)) / len(shown):.2f}")


if __name__ == "__main__":
    main()
