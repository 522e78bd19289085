"""Twin clusters: the machine joins two clusters it made when a new message shows they ask for the same thing.

A message that nobody chooses a cluster for joins the best cluster or opens one; when later messages bridge two
such clusters, their average linkage (the measure batch re-clustering merges by) reaches
`GroupingParams.twin_threshold` and the newer cluster is joined into the older. Only clusters nobody has decided
about are joined: never one a moderator or staff acted on (hidden, named, categorised, split, moved, answered),
never two of different forums, and never two where a resident was shown one and chose the other.
Re-clustering may still propose those to a moderator. The residents of the joined cluster are told where their
request now is.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.audit import AuditEntry
from models.clusters import Cluster, ClusterStatus
from models.outbox import OutboxPurpose
from models.proposals import Proposal
from services.core.notify import queue_notices
from services.core.texts import t
from services.intake.grouping import GroupingService, Prepared
from services.moderation.merge_split import Moved, merge_clusters

SYSTEM = "system"


def untouched(session: Session, cluster: Cluster) -> bool:
    """Whether nobody has decided anything about a cluster: the machine may still join it."""
    if (cluster.hidden or cluster.merged_into_id is not None or cluster.title_set_by_moderator
            or cluster.category_set_by_moderator or cluster.status != ClusterStatus.BARU
            or cluster.first_answer_at is not None):
        return False
    target = f"cluster:{cluster.code}"
    acted = session.exec(select(AuditEntry.id).where(AuditEntry.target == target, AuditEntry.actor != SYSTEM)).first()
    if acted is not None:
        return False
    splits = session.exec(select(AuditEntry).where(AuditEntry.action == "split")).all()
    return not any((entry.after or {}).get("kept") == cluster.code for entry in splits)


def kept_apart(session: Session, a: Cluster, b: Cluster) -> bool:
    """Whether the two belong to different forums, or a resident was shown one and sent their proposal to (or
    as) the other."""
    if a.home_forum_id != b.home_forum_id:
        return True
    for shown, member_of in ((a, b), (b, a)):
        offers = session.exec(select(Proposal.offered_clusters).where(
            Proposal.cluster_id == member_of.id, col(Proposal.offered_clusters) != "")).all()
        if any(str(shown.id) in offer.split(",") for offer in offers):
            return True
    return False


def join_twins(*, session: Session, grouping: GroupingService, cluster: Cluster, prepared: Prepared,
               author_id: int) -> Cluster:
    """After a machine-assigned proposal joined `cluster`, join the clusters it has shown to be twins.

    Returns the cluster the proposal is in at the end (the oldest of the twins). The author is not told
    separately: their reply names that cluster.
    """
    while untouched(session, cluster):
        assert cluster.id is not None
        twin = next((other for other_id, _ in grouping.twins(cluster.id, prepared)
                     if (other := session.get(Cluster, other_id)) is not None and untouched(session, other)
                     and not kept_apart(session, cluster, other)), None)
        if twin is None:
            break
        keep, absorb = sorted((cluster, twin), key=lambda c: c.id or 0)
        moved = merge_clusters(session=session, grouping=grouping, actor=SYSTEM, keep=keep, absorb=absorb)
        _tell(session, moved, author_id)
        cluster = keep
    return cluster


def _tell(session: Session, moved: Moved, author_id: int) -> None:
    """Queue the notice for the residents who followed the joined cluster (not the author of the new message)."""
    recipients = [r for r in moved.recipients if r.resident_id != author_id]
    text = t("resident_twins_joined", kept=moved.kept_code, other=moved.other_code, title=moved.kept_title[:120])
    queue_notices(session=session, recipients=recipients, key=f"twins:{moved.other_code}:{moved.kept_code}",
                  text=text, purpose=OutboxPurpose.MODERATION, cluster_id=moved.cluster_id)
