"""Moderators decide on the merges and splits that re-clustering suggests; accepting one applies it."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.audit import record
from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
from models.suggestions import RegroupSuggestion, SuggestionKind, SuggestionState, open_suggestions
from models.types import utcnow
from services.intake.grouping import GroupingService
from services.moderation.merge_split import (
    Actor,
    ModerationError,
    Moved,
    cluster_forums,
    merge_clusters,
    move_proposals,
)


@dataclass(frozen=True)
class SuggestionView:
    """An open suggestion as a moderator reads it."""

    id: int
    kind: SuggestionKind
    clusters: tuple[tuple[str, str], ...]  # (code, title)
    proposals: tuple[tuple[str, str], ...]  # (code, redacted text)
    score: float


def clusters_of(session: Session, suggestion: RegroupSuggestion) -> list[Cluster]:
    """The suggestion's clusters that still exist, in its order."""
    found = [session.get(Cluster, cid) for cid in suggestion.cluster_ids]
    return [c for c in found if c is not None]


def _mine(session: Session, actor: Actor, suggestion: RegroupSuggestion) -> bool:
    """Tell whether every cluster of a suggestion belongs to one of the actor's forums."""
    clusters = clusters_of(session, suggestion)
    return bool(clusters) and all(
        c.id is not None and cluster_forums(session=session, cluster_id=c.id) & actor.forums for c in clusters)


def open_for(*, session: Session, actor: Actor, limit: int = 10) -> list[SuggestionView]:
    """The open suggestions about the actor's clusters, oldest first."""
    views = []
    for s in open_suggestions(session=session):
        if s.id is None or not _mine(session, actor, s):
            continue
        clusters = tuple((c.code or "", c.title) for c in clusters_of(session, s))
        proposals = session.exec(select(Proposal).where(col(Proposal.id).in_(s.proposal_ids))).all()
        views.append(SuggestionView(s.id, s.kind, clusters, tuple((p.code or "", p.text_redacted) for p in proposals),
                                    s.score))
        if len(views) >= limit:
            break
    return views


def _stale(session: Session, suggestion: RegroupSuggestion) -> bool:
    """Tell whether the clusters changed since the suggestion was made."""
    clusters = clusters_of(session, suggestion)
    if len(clusters) != len(suggestion.cluster_ids) or any(c.merged_into_id or c.hidden for c in clusters):
        return True
    if suggestion.kind != SuggestionKind.SPLIT:
        return False
    rows = session.exec(select(Proposal).where(col(Proposal.id).in_(suggestion.proposal_ids))).all()
    return len(rows) != len(suggestion.proposal_ids) or any(
        p.cluster_id != suggestion.cluster_ids[0] or p.state != ProposalState.SUBMITTED for p in rows)


def _apply(session: Session, grouping: GroupingService, actor: Actor, suggestion: RegroupSuggestion) -> list[Moved]:
    """Carry out an accepted suggestion."""
    clusters = clusters_of(session, suggestion)
    if suggestion.kind == SuggestionKind.MERGE:
        return [merge_clusters(session=session, grouping=grouping, actor=actor.name, keep=clusters[0], absorb=other)
                for other in clusters[1:]]
    proposals = list(session.exec(
        select(Proposal).where(col(Proposal.id).in_(suggestion.proposal_ids)).order_by(col(Proposal.id))).all())
    target = clusters[1] if len(clusters) > 1 else None
    return [move_proposals(session=session, grouping=grouping, actor=actor.name, proposals=proposals,
                           source=clusters[0], target=target)]


@dataclass(frozen=True)
class Decision:
    """The state a suggestion ended in, and what moved."""

    state: SuggestionState
    kind: SuggestionKind
    moved: tuple[Moved, ...]


def open_suggestion(*, session: Session, actor: Actor, suggestion_id: int) -> RegroupSuggestion:
    """An open suggestion about the actor's clusters, or ModerationError."""
    suggestion = session.get(RegroupSuggestion, suggestion_id)
    if suggestion is None or not _mine(session, actor, suggestion):
        raise ModerationError("mod_suggestion_unknown", id=suggestion_id)
    if suggestion.state != SuggestionState.OPEN:
        raise ModerationError("mod_suggestion_decided", id=suggestion_id)
    return suggestion


def decide(
    *, session: Session, grouping: GroupingService, actor: Actor, suggestion_id: int, accept: bool
) -> Decision:
    """Accept (and apply) or reject a suggestion; a suggestion overtaken by changes becomes stale."""
    suggestion = open_suggestion(session=session, actor=actor, suggestion_id=suggestion_id)
    moved: list[Moved] = []
    if accept and _stale(session, suggestion):
        suggestion.state = SuggestionState.STALE
    elif accept:
        moved = _apply(session, grouping, actor, suggestion)
        suggestion.state = SuggestionState.ACCEPTED
    else:
        suggestion.state = SuggestionState.REJECTED
    suggestion.decided_at, suggestion.decided_by = utcnow(), actor.name
    session.add(suggestion)
    record(session=session, actor=actor.name, action=f"suggestion_{suggestion.state}",
           target=f"suggestion:{suggestion.id}", before={"state": SuggestionState.OPEN},
           after={"state": suggestion.state, "kind": suggestion.kind, "clusters": suggestion.cluster_ids})
    return Decision(suggestion.state, suggestion.kind, tuple(moved))
