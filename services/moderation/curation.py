"""Moderator tidying: hide and show clusters or aspirations, rename, recategorise; each one audited.

Hidden things are kept, never deleted: they leave the grouping index (so no suggestion shows them), and
digests and exports skip hidden clusters and hidden proposals.
"""

import re

from sqlmodel import Session, select

from models.audit import record
from models.clusters import SHORT_CODE, Cluster, Support, add_support
from models.proposals import Proposal, ProposalState
from models.provenance import Derived, forget_refs
from models.types import utcnow
from nlp.redact import redact
from services.intake.drafts import prepared_of
from services.intake.grouping import GroupingService
from services.moderation.merge_split import Actor, ModerationError, own_cluster, own_proposal

CATEGORY = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
MAX_TITLE = 200


def is_cluster_code(code: str) -> bool:
    """Tell a cluster code (K-0042, or short: K-42, k42) from a tracking code (ASP-2026-000123)."""
    return SHORT_CODE.fullmatch(code.strip()) is not None


def _submitted(session: Session, cluster_id: int) -> list[Proposal]:
    """The submitted proposals of a cluster."""
    return list(session.exec(
        select(Proposal).where(Proposal.cluster_id == cluster_id, Proposal.state == ProposalState.SUBMITTED)
    ).all())


def _index(grouping: GroupingService, proposals: list[Proposal]) -> None:
    """Put proposals (back) in the grouping index."""
    for p in proposals:
        if p.id is not None and p.cluster_id is not None and p.embedding is not None:
            grouping.add(p.id, p.cluster_id, prepared_of(p))


def _set_cluster_hidden(session: Session, grouping: GroupingService, actor: Actor, code: str, hidden: bool) -> str:
    """Hide or show a whole cluster."""
    cluster = own_cluster(session=session, actor=actor, code=code)
    assert cluster.id is not None and cluster.code is not None
    members = _submitted(session, cluster.id)
    if hidden:
        for p in members:
            if p.id is not None:
                grouping.remove(p.id)
    else:
        _index(grouping, members)
    record(session=session, actor=actor.name, action="hide" if hidden else "unhide",
           target=f"cluster:{cluster.code}", before={"hidden": cluster.hidden}, after={"hidden": hidden})
    cluster.hidden, cluster.updated_at = hidden, utcnow()
    session.add(cluster)
    return cluster.code


def _drop_author_support(session: Session, proposal: Proposal) -> None:
    """Withdraw the support a hidden text gave, unless its author has other texts in the cluster."""
    if proposal.cluster_id is None or proposal.resident_id is None:
        return
    others = session.exec(select(Proposal.id).where(
        Proposal.cluster_id == proposal.cluster_id, Proposal.resident_id == proposal.resident_id,
        Proposal.state == ProposalState.SUBMITTED, Proposal.id != proposal.id)).first()
    support = session.exec(select(Support).where(
        Support.cluster_id == proposal.cluster_id, Support.resident_id == proposal.resident_id)).first()
    if others is None and support is not None:
        session.delete(support)


def _set_proposal_hidden(
    session: Session, grouping: GroupingService, actor: Actor, code: str, hidden: bool
) -> str:
    """Hide an aspiration (kept, out of the index and counts) or show it again."""
    proposal = own_proposal(session=session, actor=actor, code=code)
    assert proposal.id is not None and proposal.code is not None
    before = proposal.state
    if hidden:
        _drop_author_support(session, proposal)
        grouping.remove(proposal.id)
        proposal.state = ProposalState.HIDDEN
    elif proposal.state == ProposalState.HIDDEN:
        proposal.state = ProposalState.SUBMITTED if proposal.cluster_id is not None else ProposalState.HELD
        if proposal.cluster_id is not None and proposal.resident_id is not None:
            add_support(session=session, cluster_id=proposal.cluster_id, resident_id=proposal.resident_id,
                        proposal_id=proposal.id)
            _index(grouping, [proposal])
    session.add(proposal)
    record(session=session, actor=actor.name, action="hide" if hidden else "unhide",
           target=f"proposal:{proposal.code}", before={"state": before}, after={"state": proposal.state})
    return proposal.code


def hide(*, session: Session, grouping: GroupingService, actor: Actor, code: str) -> str:
    """Hide a cluster (K-…) or an aspiration (ASP-…); return its code."""
    if is_cluster_code(code):
        return _set_cluster_hidden(session, grouping, actor, code, True)
    return _set_proposal_hidden(session, grouping, actor, code, True)


def unhide(*, session: Session, grouping: GroupingService, actor: Actor, code: str) -> str:
    """Show a hidden cluster or aspiration again; return its code."""
    if is_cluster_code(code):
        return _set_cluster_hidden(session, grouping, actor, code, False)
    return _set_proposal_hidden(session, grouping, actor, code, False)


def clean_title(title: str) -> str:
    """A title as it will be stored (one-line, redacted), or ModerationError when empty or too long."""
    title = redact(" ".join(title.split()))  # what staff read is redacted, whoever wrote it
    if not title:
        raise ModerationError("mod_title_empty")
    if len(title) > MAX_TITLE:
        raise ModerationError("mod_title_long", limit=MAX_TITLE)
    return title


def check_category(category: str, allowed: set[str] | None) -> str:
    """A category code as stored, or ModerationError when it is not a known one."""
    category = category.strip().lower()
    if not CATEGORY.match(category) or (allowed and category not in allowed):
        raise ModerationError("mod_category_unknown", category=category, codes=", ".join(sorted(allowed or [])))
    return category


def rename(*, session: Session, actor: Actor, code: str, title: str) -> Cluster:
    """Give a cluster a new title (what residents, moderators and staff read)."""
    title = clean_title(title)
    cluster = own_cluster(session=session, actor=actor, code=code)
    record(session=session, actor=actor.name, action="rename", target=f"cluster:{cluster.code}",
           before={"title": cluster.title}, after={"title": title})
    cluster.title, cluster.title_set_by_moderator, cluster.updated_at = title, True, utcnow()
    session.add(cluster)
    forget_refs(session=session, kind=Derived.TITLE, ref_ids=[cluster.id or 0])  # the moderator's own words
    return cluster


def move_home(*, session: Session, actor: Actor, code: str, forum_id: str, forums: set[str]) -> Cluster:
    """Give a cluster another home forum (only from its current home's moderator or an admin)."""
    if forum_id not in forums:
        raise ModerationError("mod_forum_unknown", forum=forum_id, forums=", ".join(sorted(forums)))
    cluster = own_cluster(session=session, actor=actor, code=code)
    if cluster.home_forum_id == forum_id:
        raise ModerationError("mod_home_same", code=cluster.code, forum=forum_id)
    record(session=session, actor=actor.name, action="move_home", target=f"cluster:{cluster.code}",
           before={"forum": cluster.home_forum_id}, after={"forum": forum_id})
    cluster.home_forum_id, cluster.updated_at = forum_id, utcnow()
    session.add(cluster)
    return cluster


def recategorise(
    *, session: Session, actor: Actor, code: str, category: str, allowed: set[str] | None = None
) -> Cluster:
    """Change a cluster's category to a known code (from config when categories are configured)."""
    category = check_category(category, allowed)
    cluster = own_cluster(session=session, actor=actor, code=code)
    assert cluster.id is not None
    record(session=session, actor=actor.name, action="recategorise", target=f"cluster:{cluster.code}",
           before={"category": cluster.category}, after={"category": category})
    cluster.category, cluster.category_set_by_moderator, cluster.updated_at = category, True, utcnow()
    session.add(cluster)
    return cluster
