"""Moderator tools for the clusters of their forum: merge and split; every change is in the audit log.

A cluster belongs to one forum, its home (`Cluster.home_forum_id`, set when it is made and moved only by
`move_home`): a moderator acts only on the clusters of their forums, however many residents of other forums
back them. A proposal outside any cluster belongs to its own forum. Merging keeps the first
cluster's code; the other one gets `merged_into_id` and is never shown again. Supports move with the
proposals, one per resident and cluster, and the other cluster's label decisions carry over
(services.moderation.label_carry). Hiding, renaming and recategorising are in `services.moderation.curation`.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.audit import record
from models.clusters import Cluster, Support, create_cluster, get_cluster_by_code
from models.proposals import Proposal, ProposalState
from models.provenance import Derived, link
from models.types import utcnow
from services.core.notify import Recipient, reachable
from services.intake.grouping import GroupingService
from services.intake.labelling import fill_keywords
from services.moderation.label_carry import carry_labels

LIVE = (ProposalState.SUBMITTED, ProposalState.HELD, ProposalState.HIDDEN)


class ModerationError(Exception):
    """A moderator's request that cannot be done; `key` names the text to show."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Actor:
    """Who acts (for the audit log, e.g. "moderator:123") and the forums they may act on."""

    name: str
    forums: frozenset[str]


@dataclass(frozen=True)
class Moved:
    """The outcome of a merge or split: where proposals went, and who is to be told."""

    kept_code: str
    kept_title: str
    other_code: str
    proposal_codes: tuple[str, ...]
    recipients: tuple[Recipient, ...]
    cluster_id: int


def cluster_forums(*, session: Session, cluster_id: int) -> set[str]:
    """The forum a cluster belongs to: its home (or, for a cluster older than homes, its first proposal's)."""
    cluster = session.get(Cluster, cluster_id)
    if cluster is not None and cluster.home_forum_id:
        return {cluster.home_forum_id}
    first = session.exec(select(Proposal.forum_id).where(
        Proposal.cluster_id == cluster_id, col(Proposal.forum_id).is_not(None)).order_by(col(Proposal.id))).first()
    return {first} if first else set()


def own_cluster(*, session: Session, actor: Actor, code: str) -> Cluster:
    """Load a live cluster of the actor's forums by code, or raise ModerationError."""
    cluster = get_cluster_by_code(session=session, code=code)
    if cluster is None or cluster.id is None:
        raise ModerationError("mod_unknown", code=code.upper())
    if cluster.merged_into_id is not None:
        into = session.get(Cluster, cluster.merged_into_id)
        raise ModerationError("mod_merged", code=cluster.code, into=into.code if into else "-")
    if not cluster_forums(session=session, cluster_id=cluster.id) & actor.forums:
        raise ModerationError("mod_not_your_forum", code=cluster.code)
    return cluster


def own_proposal(*, session: Session, actor: Actor, code: str) -> Proposal:
    """Load a proposal of the actor's forums by its tracking code, or raise ModerationError."""
    proposal = session.exec(select(Proposal).where(Proposal.code == code.strip().upper())).first()
    if proposal is None or proposal.state not in LIVE:
        raise ModerationError("mod_unknown", code=code.upper())
    if proposal.cluster_id is not None:
        forums = cluster_forums(session=session, cluster_id=proposal.cluster_id)
    else:
        forums = {proposal.forum_id} if proposal.forum_id else set()
    if not forums & actor.forums:
        raise ModerationError("mod_not_your_forum", code=proposal.code)
    return proposal


def _support(session: Session, cluster_id: int, resident_id: int) -> Support | None:
    """The support row of a resident for a cluster."""
    return session.exec(
        select(Support).where(Support.cluster_id == cluster_id, Support.resident_id == resident_id)
    ).first()


def _move_supports(session: Session, source_id: int, target_id: int) -> set[int]:
    """Move every support to the target, one per resident; return the residents who followed the source."""
    following: set[int] = set()
    for support in session.exec(select(Support).where(Support.cluster_id == source_id)).all():
        if support.following:
            following.add(support.resident_id)
        existing = _support(session, target_id, support.resident_id)
        if existing is None:
            support.cluster_id = target_id
            session.add(support)
        else:
            existing.following = existing.following or support.following
            session.add(existing)
            session.delete(support)
    session.flush()
    return following


def merge_clusters(
    *, session: Session, grouping: GroupingService, actor: str, keep: Cluster, absorb: Cluster
) -> Moved:
    """Move every proposal and support of `absorb` into `keep`, and mark `absorb` merged."""
    assert keep.id is not None and absorb.id is not None and keep.code and absorb.code
    if keep.id == absorb.id:
        raise ModerationError("mod_same_cluster", code=keep.code)
    labels = carry_labels(session=session, source_id=absorb.id, target_id=keep.id)  # before members move
    proposals = list(session.exec(select(Proposal).where(Proposal.cluster_id == absorb.id)).all())
    for proposal in proposals:
        proposal.cluster_id = keep.id
        session.add(proposal)
    told = _move_supports(session, absorb.id, keep.id)
    absorb.merged_into_id = keep.id
    absorb.updated_at = keep.updated_at = utcnow()
    keep.first_answer_at = keep.first_answer_at or absorb.first_answer_at
    session.add_all([absorb, keep])
    ids = [p.id for p in proposals if p.id is not None and p.state == ProposalState.SUBMITTED]
    grouping.move_cluster(absorb.id, keep.id, ids)
    codes = tuple(p.code for p in proposals if p.code)
    record(session=session, actor=actor, action="merge", target=f"cluster:{keep.code}",
           before={"absorbed": absorb.code, "absorbed_title": absorb.title},
           after={"kept": keep.code, "proposals": list(codes), **({"labels": labels} if labels else {})},
           clusters=(absorb.id,))
    recipients = reachable(session=session, resident_ids=told)
    return Moved(keep.code, keep.title, absorb.code, codes, tuple(recipients), keep.id)


def merge(*, session: Session, grouping: GroupingService, actor: Actor, keep_code: str, absorb_code: str) -> Moved:
    """Merge the second cluster into the first; both must be in the actor's forums."""
    keep = own_cluster(session=session, actor=actor, code=keep_code)
    absorb = own_cluster(session=session, actor=actor, code=absorb_code)
    return merge_clusters(session=session, grouping=grouping, actor=actor.name, keep=keep, absorb=absorb)


def _move_author_support(session: Session, proposal: Proposal, source_id: int, target_id: int) -> None:
    """Let the author's support follow their proposal, unless other texts of theirs stay behind."""
    author = proposal.resident_id
    if author is None:
        return
    stays = session.exec(
        select(Proposal.id).where(Proposal.cluster_id == source_id, Proposal.resident_id == author,
                                  col(Proposal.state).in_(LIVE))
    ).first()
    old = _support(session, source_id, author)
    new = _support(session, target_id, author)
    if new is None and old is not None and stays is None:
        old.cluster_id, old.proposal_id = target_id, proposal.id
        session.add(old)
    elif new is None:
        session.add(Support(cluster_id=target_id, resident_id=author, proposal_id=proposal.id,
                            following=old.following if old is not None else True))
    elif old is not None and stays is None:
        new.following = new.following or old.following
        session.delete(old)
    session.flush()


def move_proposals(
    *, session: Session, grouping: GroupingService, actor: str, proposals: list[Proposal], source: Cluster,
    target: Cluster | None,
) -> Moved:
    """Move proposals out of `source` into `target`, or into one new cluster; supports follow."""
    assert source.id is not None and source.code is not None
    if target is None:
        first = proposals[0]
        target = create_cluster(session=session, title=grouping.title(first.text_redacted), category=source.category,
                                home_forum_id=source.home_forum_id)
        assert target.id is not None
        link(session=session, kind=Derived.TITLE, ref_id=target.id, proposals=[first.id])
    assert target.id is not None and target.code is not None
    if target.id == source.id:
        raise ModerationError("mod_same_cluster", code=source.code)
    for proposal in proposals:
        proposal.cluster_id = target.id
        session.add(proposal)
        session.flush()
        _move_author_support(session, proposal, source.id, target.id)
    ids = [p.id for p in proposals if p.id is not None]
    grouping.move_cluster(source.id, target.id, ids)
    fill_keywords(session=session, cluster_ids=[source.id, target.id], city_words=grouping.city_words)
    left = session.exec(select(Proposal.id).where(Proposal.cluster_id == source.id)).first()
    if left is None:  # nothing left behind: the old code now points at the target
        _move_supports(session, source.id, target.id)
        source.merged_into_id = target.id
        session.add(source)
    codes = tuple(p.code for p in proposals if p.code)
    record(session=session, actor=actor, action="split", target=f"cluster:{source.code}",
           before={"cluster": source.code, "proposals": list(codes)}, after={"cluster": target.code},
           clusters=(target.id,))
    authors = {p.resident_id for p in proposals if p.resident_id is not None}
    recipients = reachable(session=session, resident_ids=authors)
    return Moved(target.code, target.title, source.code, codes, tuple(recipients), target.id)


def split(
    *, session: Session, grouping: GroupingService, actor: Actor, proposal_code: str, target_code: str | None
) -> Moved:
    """Move one aspiration out of its cluster, into another cluster or a new one."""
    proposal = own_proposal(session=session, actor=actor, code=proposal_code)
    if proposal.state != ProposalState.SUBMITTED or proposal.cluster_id is None:
        raise ModerationError("mod_not_in_cluster", code=proposal.code)
    source = session.get(Cluster, proposal.cluster_id)
    assert source is not None
    target = own_cluster(session=session, actor=actor, code=target_code) if target_code else None
    return move_proposals(session=session, grouping=grouping, actor=actor.name, proposals=[proposal],
                          source=source, target=target)
