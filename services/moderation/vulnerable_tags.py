"""A moderator adds or removes a cluster's vulnerable group, aid problem or programme: audited, and it sticks."""

from sqlmodel import Session, select

from models.audit import record
from models.clusters import Cluster
from models.tags import ClusterTag
from models.types import utcnow
from nlp.beneficiaries import GROUPS
from services.core.vulnerable import FACETS, cluster_labels
from services.moderation.merge_split import Actor, ModerationError, own_cluster


def set_label(*, session: Session, actor: Actor, code: str, facet: str, value: str, present: bool) -> Cluster:
    """A moderator adds (present) or removes a label of a cluster they own; audited, and it sticks."""
    if facet not in FACETS or value not in FACETS[facet]:
        raise ModerationError("tag_unknown", value=value, choices=", ".join(FACETS.get(facet, GROUPS)))
    cluster = own_cluster(session=session, actor=actor, code=code)
    assert cluster.id is not None
    before = cluster_labels(session, [cluster.id])[cluster.id].of(facet)
    tag = session.exec(select(ClusterTag).where(ClusterTag.cluster_id == cluster.id, ClusterTag.facet == facet,
                                                ClusterTag.value == value)).first()
    tag = tag or ClusterTag(cluster_id=cluster.id, facet=facet, value=value, actor=actor.name)
    tag.present, tag.actor, tag.at = present, actor.name, utcnow()
    session.add(tag)
    session.flush()
    after = cluster_labels(session, [cluster.id])[cluster.id].of(facet)
    record(session=session, actor=actor.name, action="tag_" + facet, target=f"cluster:{cluster.code}",
           before={facet: list(before)}, after={facet: list(after)})
    return cluster


def apply_changes(*, session: Session, actor: Actor, code: str, changes: list[str]) -> Cluster:
    """Apply "+lansia -perempuan +pkh" (each value's facet found from its name); every change audited."""
    facet_of = {value: facet for facet, values in FACETS.items() for value in values}
    cluster: Cluster | None = None
    for change in changes:
        sign, value = change[:1], change[1:].lower()
        if sign not in "+-" or not sign or value not in facet_of:
            raise ModerationError("tag_unknown", value=change, choices=", ".join(
                f"+{v}" for values in FACETS.values() for v in values))
        cluster = set_label(session=session, actor=actor, code=code, facet=facet_of[value], value=value,
                            present=sign == "+")
    if cluster is None:
        raise ModerationError("tag_unknown", value="-", choices=", ".join(GROUPS))
    return cluster
