"""Urungkan: a moderator's change taken back exactly, codes included.

Before a confirmed action runs, the clusters it touches are photographed (`snapshot`): every column that
an action may change, the cluster and state of each of their aspirations, each support row and each label
decision (models.tags: a merge carries the absorbed cluster's decisions over). The same
photograph is taken right after the action. An undo first checks that nothing has changed since (a new
aspiration, a staff answer, another merge...): if something did, undoing would throw that away, so it is
refused in plain words. Otherwise the first photograph is put back: an absorbed cluster gets its own code,
title, category, status, hidden flag, home forum and supporters again, no third code is made. A cluster the
action created (a split into a new cluster) cannot be unmade without its code being given out again, so it
stays as an empty pointer to where its aspirations went back, as a cluster emptied by a split always does.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.clusters import Cluster, Support
from models.pending import PendingAction
from models.proposals import Proposal, ProposalState
from models.tags import ClusterTag
from services.intake.drafts import prepared_of
from services.intake.grouping import GroupingService
from services.moderation.merge_split import ModerationError

Snapshot = dict[str, Any]
CLUSTER_FIELDS = ("code", "title", "keywords", "category", "status", "hidden", "title_set_by_moderator",
                  "category_set_by_moderator", "merged_into_id", "home_forum_id", "first_answer_at",
                  "last_answer_at", "updated_at")
IGNORED = ("updated_at",)  # touched by many things; restored, but not a reason to refuse an undo
TIMES = ("first_answer_at", "last_answer_at", "updated_at")
UNDO_ACTION = "undo"  # the pending action an Urungkan button claims


def _plain(value: object) -> object:
    """A column value as JSON keeps it."""
    return value.isoformat() if isinstance(value, datetime) else value


def snapshot(*, session: Session, cluster_ids: Iterable[int], proposal_ids: Iterable[int] = ()) -> Snapshot:
    """The clusters, their aspirations (and the named ones) and supports, as JSON-safe data."""
    session.flush()
    ids = sorted(set(cluster_ids))
    clusters = session.exec(select(Cluster).where(col(Cluster.id).in_(ids))).all() if ids else []
    named = set(proposal_ids)
    proposals = session.exec(select(Proposal).where(
        col(Proposal.cluster_id).in_(ids) | col(Proposal.id).in_(named or {-1}))).all()
    supports = session.exec(select(Support).where(col(Support.cluster_id).in_(ids))).all() if ids else []
    tags = session.exec(select(ClusterTag).where(col(ClusterTag.cluster_id).in_(ids))).all() if ids else []
    return {
        "clusters": {str(c.id): {f: _plain(getattr(c, f)) for f in CLUSTER_FIELDS} for c in clusters},
        "proposals": {str(p.id): [p.cluster_id, str(p.state)] for p in proposals},
        "supports": sorted([s.id, s.cluster_id, s.resident_id, s.proposal_id, s.following,
                            s.created_at.isoformat(), s.seq] for s in supports),
        "tags": sorted([t.id, t.cluster_id, t.facet, t.value, t.present, t.actor, t.at.isoformat()] for t in tags),
    }


def after_scope(*, session: Session, before: Snapshot) -> tuple[set[int], set[int]]:
    """The clusters and aspirations to photograph after an action: those before, and where they went."""
    clusters = {int(i) for i in before["clusters"]}
    proposal_ids = {int(i) for i in before["proposals"]}
    if proposal_ids:
        session.flush()
        clusters |= {c for c in session.exec(select(Proposal.cluster_id).where(
            col(Proposal.id).in_(proposal_ids))).all() if c is not None}
    return clusters, proposal_ids


def _comparable(shot: Snapshot, keys: Iterable[str]) -> Snapshot:
    """A snapshot's given parts, without the columns that do not block an undo."""
    clusters = {i: {f: v for f, v in c.items() if f not in IGNORED} for i, c in shot["clusters"].items()}
    return {key: clusters if key == "clusters" else shot[key] for key in keys}


def unchanged(*, session: Session, after: Snapshot) -> bool:
    """Tell whether the clusters are still exactly as the action left them (in what the photograph holds: one
    taken before label decisions were photographed has no "tags")."""
    now = snapshot(session=session, cluster_ids=[int(i) for i in after["clusters"]],
                   proposal_ids=[int(i) for i in after["proposals"]])
    return _comparable(now, after) == _comparable(after, after)


def _restore_clusters(session: Session, before: Snapshot, after: Snapshot) -> None:
    """Put every cluster's columns back; a cluster the action created points at where its members went."""
    for key in after["clusters"]:
        cluster = session.get(Cluster, int(key))
        assert cluster is not None
        old = before["clusters"].get(key)
        if old is None:
            home = next((before["proposals"][p][0] for p, (cid, _) in after["proposals"].items()
                         if cid == cluster.id and p in before["proposals"]), None)
            cluster.merged_into_id = home
        else:
            for field, value in old.items():
                setattr(cluster, field, datetime.fromisoformat(value) if field in TIMES and value else value)
        session.add(cluster)
    session.flush()


def _restore_supports(session: Session, before: Snapshot, after: Snapshot) -> None:
    """Replace the supports of the clusters concerned by the ones there were (same ids where still free)."""
    ids = [int(i) for i in after["clusters"]]
    for support in session.exec(select(Support).where(col(Support.cluster_id).in_(ids))).all():
        session.delete(support)
    session.flush()
    for sid, cluster_id, resident_id, proposal_id, following, created, *seq in before["supports"]:
        free = session.get(Support, sid) is None  # a support put back keeps the period it joined in (its seq)
        session.add(Support(id=sid if free else None, cluster_id=cluster_id, resident_id=resident_id,
                            proposal_id=proposal_id, following=following,
                            created_at=datetime.fromisoformat(created), seq=seq[0] if seq else None))
    session.flush()


def _restore_tags(session: Session, before: Snapshot, after: Snapshot) -> None:
    """Replace the label decisions of the clusters concerned by the ones there were (same ids where free)."""
    if "tags" not in before:
        return
    ids = [int(i) for i in after["clusters"]]
    for tag in session.exec(select(ClusterTag).where(col(ClusterTag.cluster_id).in_(ids))).all():
        session.delete(tag)
    session.flush()
    for tid, cluster_id, facet, value, present, actor, at in before["tags"]:
        free = session.get(ClusterTag, tid) is None
        session.add(ClusterTag(id=tid if free else None, cluster_id=cluster_id, facet=facet, value=value,
                               present=present, actor=actor, at=datetime.fromisoformat(at)))
    session.flush()


def _reindex(session: Session, grouping: GroupingService, proposal_ids: Iterable[int]) -> None:
    """File the aspirations in the grouping index as they are now (visible, unmerged clusters only)."""
    for proposal in session.exec(select(Proposal).where(col(Proposal.id).in_(list(proposal_ids)))).all():
        assert proposal.id is not None
        grouping.remove(proposal.id)
        cluster = session.get(Cluster, proposal.cluster_id) if proposal.cluster_id is not None else None
        if (proposal.state == ProposalState.SUBMITTED and cluster is not None and cluster.id is not None
                and not cluster.hidden and cluster.merged_into_id is None and proposal.embedding is not None):
            grouping.add(proposal.id, cluster.id, prepared_of(proposal))


def restore(*, session: Session, grouping: GroupingService, before: Snapshot, after: Snapshot) -> None:
    """Put the clusters back as `before`, if they are still as `after`; else ModerationError."""
    if not unchanged(session=session, after=after):
        raise ModerationError("mod_undo_changed")
    for key, (cluster_id, state) in before["proposals"].items():
        proposal = session.get(Proposal, int(key))
        assert proposal is not None
        proposal.cluster_id, proposal.state = cluster_id, state
        session.add(proposal)
    session.flush()
    _restore_clusters(session, before, after)
    _restore_supports(session, before, after)
    _restore_tags(session, before, after)
    _reindex(session, grouping, {int(k) for k in before["proposals"]} | {int(k) for k in after["proposals"]})


def names_resident(undo_args: dict[str, Any], resident_id: int, proposal_ids: set[int]) -> bool:
    """Whether an undo's photographs hold a resident: one of their aspirations, a support, or a notice to them."""
    shots = [undo_args[k] for k in ("before", "after") if undo_args.get(k)]
    return (resident_id in undo_args.get("told", [])
            or any(int(p) in proposal_ids for shot in shots for p in shot["proposals"])
            or any(s[2] == resident_id for shot in shots for s in shot["supports"]))


def forget_resident(*, session: Session, resident_id: int, proposal_ids: set[int]) -> int:
    """Drop the undos that would put back a resident who erased their data; return how many.

    Their Urungkan then answers like an expired one (nothing of the resident survives erasure, and putting
    their support back would undo the erasure).
    """
    undos = session.exec(select(PendingAction).where(PendingAction.action == UNDO_ACTION)).all()
    dropped = [p for p in undos if names_resident(p.args, resident_id, proposal_ids)]
    for pending in dropped:
        session.delete(pending)
    session.flush()
    return len(dropped)
