"""A merged cluster's label decisions go with its members: what moderators said about cluster B holds in A.

When B is merged into A (a moderator's /gabung, an accepted re-clustering proposal, or the machine joining
twins), each of B's decisions (models.tags: a vulnerable group, aid problem or programme added or removed)
is copied to A, unless A has its own decision on that label:

- an addition on B is added to A (the union of additions);
- a decision on A always stays as it is (a removal on A stays removed, an addition stays);
- a removal on B is carried over only when A did not show the label before the merge: it then keeps B's texts
  from bringing back what B's moderator took away. When A's own members already showed it, nobody decided
  against it for A, so A keeps it.

The copies keep the decider and time of B's decision; the merge's audit entry lists them. B's own rows stay
with B, so that Urungkan (services.moderation.undo, which photographs the tag rows) puts A back exactly.
"""

from sqlmodel import Session, col, select

from models.tags import ClusterTag
from services.core.vulnerable import cluster_labels


def _decisions(session: Session, cluster_id: int) -> dict[tuple[str, str], ClusterTag]:
    """A cluster's label decisions by (facet, value)."""
    rows = session.exec(select(ClusterTag).where(ClusterTag.cluster_id == cluster_id).order_by(col(ClusterTag.id)))
    return {(tag.facet, tag.value): tag for tag in rows.all()}


def carry_labels(*, session: Session, source_id: int, target_id: int) -> list[str]:
    """Copy the source cluster's label decisions to the target (before its members move there); return what
    was carried ("+lansia", "-pkh") and, marked "=", the source's decisions that were not ("=-lansia")."""
    source = _decisions(session, source_id)
    if not source:
        return []
    target = _decisions(session, target_id)
    shown = cluster_labels(session, [target_id])[target_id]
    done = []
    for (facet, value), tag in source.items():
        sign = "+" if tag.present else "-"
        if (facet, value) not in target and (tag.present or value not in shown.of(facet)):
            session.add(ClusterTag(cluster_id=target_id, facet=facet, value=value, present=tag.present,
                                   actor=tag.actor, at=tag.at))
            done.append(f"{sign}{value}")
        else:
            done.append(f"={sign}{value}")
    session.flush()
    return done
