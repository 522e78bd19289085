"""Re-clustering before each digest: compare a fresh batch clustering with the current clusters and
store the disagreements as merge/split suggestions for moderators. Nothing moves by itself."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlmodel import Session

from models.suggestions import RegroupSuggestion, SuggestionKind, SuggestionState, open_suggestions
from nlp.cluster import Merge, Split, compare_partitions, recluster
from services.core.config import AppConfig
from services.intake.grouping import GroupingService
from services.intake.index import visible_submitted
from services.intake.labelling import relabel_all


@dataclass(frozen=True)
class RegroupResult:
    """What one re-clustering run found."""

    proposal_ids: list[int]
    current: list[int]
    proposals: list[Merge | Split]


def compute_regroup(*, session: Session, grouping: GroupingService) -> RegroupResult:
    """Cluster all visible submitted proposals afresh and list the merges and splits that differ."""
    rows = [(p.id, p.cluster_id, p.text_clean, p.embedding, p.streets, p.kelurahan)
            for p in visible_submitted(session)
            if p.id is not None and p.cluster_id is not None and p.embedding is not None]
    items = [grouping.item(text, np.frombuffer(vector, dtype=np.float32), [x for x in streets.split("|") if x], home)
             for _, _, text, vector, streets, home in rows]
    ids = [proposal_id for proposal_id, *_ in rows]
    current = [cluster_id for _, cluster_id, *_ in rows]
    labels = recluster(items, grouping.params, start=current)  # residents' choices stay: merges only
    return RegroupResult(ids, current, compare_partitions(current, labels.tolist(), item_ids=ids))


Signature = tuple[str, tuple[int, ...], tuple[int, ...]]


def _signature(kind: str, cluster_ids: list[int], proposal_ids: list[int]) -> Signature:
    """Identity of a suggestion, to avoid storing the same one twice."""
    return kind, tuple(cluster_ids), tuple(sorted(proposal_ids))


def store_suggestions(*, session: Session, result: RegroupResult) -> list[RegroupSuggestion]:
    """Save new merge/split suggestions (an identical open one is not repeated)."""
    existing = {_signature(s.kind, s.cluster_ids, s.proposal_ids) for s in open_suggestions(session=session)}
    created = []
    for prop in result.proposals:
        if isinstance(prop, Merge):
            kind, clusters, items = SuggestionKind.MERGE, list(prop.clusters), []
        else:
            clusters = [prop.cluster] + ([prop.into] if prop.into is not None else [])
            kind, items = SuggestionKind.SPLIT, list(prop.items)
        if _signature(kind, clusters, items) in existing:
            continue
        row = RegroupSuggestion(kind=kind, cluster_ids=clusters, proposal_ids=items, state=SuggestionState.OPEN)
        session.add(row)
        created.append(row)
    session.flush()
    return created


def regroup(*, session: Session, grouping: GroupingService) -> list[RegroupSuggestion]:
    """Run the re-clustering and store its suggestions for moderators."""
    return store_suggestions(session=session, result=compute_regroup(session=session, grouping=grouping))


def refresh_clusters(*, session: Session, grouping: GroupingService, config: AppConfig) -> tuple[int, int]:
    """Before a digest: store new merge/split suggestions and relabel every cluster; return both counts."""
    created = regroup(session=session, grouping=grouping)
    relabelled = relabel_all(session=session, grouping=grouping, city_words=config.city.name.lower().split())
    return len(created), relabelled
