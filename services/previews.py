"""What a moderator sees before a cluster-changing action is done: the clusters involved, their sizes and
categories, and whether the categories differ."""

from dataclasses import dataclass

from sqlmodel import Session, func, select

from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
from services.moderation import Actor, ModerationError, own_cluster


@dataclass(frozen=True)
class ClusterSummary:
    """A cluster as a preview shows it (redacted title)."""

    code: str
    title: str
    size: int
    category: str | None


def summarise(session: Session, cluster: Cluster) -> ClusterSummary:
    """A cluster's code, title, number of published aspirations and category."""
    size = session.exec(select(func.count()).select_from(Proposal).where(
        Proposal.cluster_id == cluster.id, Proposal.state == ProposalState.SUBMITTED)).one()
    assert cluster.code is not None
    return ClusterSummary(cluster.code, cluster.title, int(size), cluster.category)


def merge_preview(*, session: Session, actor: Actor, keep_code: str, absorb_code: str
                  ) -> tuple[ClusterSummary, ClusterSummary]:
    """The two clusters of a merge, checked as the merge itself checks them (nothing is changed)."""
    keep = own_cluster(session=session, actor=actor, code=keep_code)
    absorb = own_cluster(session=session, actor=actor, code=absorb_code)
    if keep.id == absorb.id:
        raise ModerationError("mod_same_cluster", code=keep.code)
    return summarise(session, keep), summarise(session, absorb)
