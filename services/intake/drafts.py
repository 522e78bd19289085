"""Resident intake: a text becomes a draft, then a confirmed proposal in a cluster, or a support."""

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from sqlmodel import Session, col, func, select

from models.clusters import Cluster, ClusterStatus, Support, add_support, create_cluster, supporter_count
from models.proposals import (
    Proposal,
    ProposalCreate,
    ProposalState,
    assign_code,
    count_recent_drafts,
    count_recent_submissions,
    get_or_create_draft,
    stored_draft,
)
from models.provenance import Derived, link
from models.residents import Resident
from models.types import utcnow
from services.intake.grouping import GroupingService, Prepared, Suggestion
from services.intake.labelling import fill_keywords, label_on_arrival
from services.intake.spam import Held, hold, spam_reason
from services.intake.textcheck import visible_text
from services.intake.twins import join_twins

SUGGEST_SPARE = 3  # extra candidates asked of the index, in case some are hidden or merged
OWN_AHEAD = 10  # the resident's own clusters a search made ahead allows for (one who backs more is searched again)


class IntakeError(Exception):
    """A resident's step that cannot be done; `key` names the text to show them."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class ClusterView:
    """What a resident sees of a cluster."""

    id: int
    code: str
    title: str
    supporters: int
    kelurahan: tuple[str, ...]
    status: ClusterStatus


@dataclass(frozen=True)
class Submitted:
    """The outcome of confirming or supporting."""

    code: str
    cluster: ClusterView


@dataclass(frozen=True)
class Ahead:
    """A draft's similar search made before the draft was stored: for which text, how many asked, what was found."""

    prepared: Prepared
    k: int
    found: tuple[Suggestion, ...]


def filed_under(prepared: Prepared, resident_kelurahan: str | None) -> str | None:
    """The kelurahan a draft is filed under: the one its text names, else the resident's."""
    return prepared.kelurahan[0] if prepared.kelurahan else resident_kelurahan


def search_ahead(grouping: GroupingService, prepared: Prepared, resident_kelurahan: str | None, k: int) -> Ahead:
    """The similar search of a text about to become a resident's draft, made before it is stored, wide enough for
    `similar_clusters` to use (unless the resident backs more than OWN_AHEAD clusters)."""
    home = filed_under(prepared, resident_kelurahan)
    stored = Prepared(  # as prepared_of will read the stored draft back
        clean=prepared.clean, redacted=prepared.redacted, kelurahan=(home,) if home else (),
        streets=tuple(s for s in "|".join(prepared.streets).split("|") if s),
        vector=None if prepared.vector is None else prepared.vector.astype(np.float32), home=home)
    wide = k + OWN_AHEAD + SUGGEST_SPARE
    return Ahead(stored, wide, tuple(grouping.suggest(stored, wide)))


def prepared_of(proposal: Proposal) -> Prepared:
    """Rebuild the grouping view of a stored proposal."""
    vector = None if proposal.embedding is None else np.frombuffer(proposal.embedding, dtype=np.float32)
    return Prepared(
        clean=proposal.text_clean,
        redacted=proposal.text_redacted,
        kelurahan=(proposal.kelurahan,) if proposal.kelurahan else (),
        streets=tuple(s for s in proposal.streets.split("|") if s),
        vector=vector,
        home=proposal.kelurahan,
    )


def check_draft_limit(*, session: Session, resident: Resident, source_chat_id: int, source_message_id: int,
                      drafts_per_hour: int) -> None:
    """Raise IntakeError("drafts_limited") when the resident already made `drafts_per_hour` new drafts this hour
    (a message already stored as a draft, an edit or a redelivery, is no new one)."""
    if stored_draft(session=session, source_chat_id=source_chat_id, source_message_id=source_message_id) is not None:
        return
    since = utcnow() - timedelta(hours=1)
    if count_recent_drafts(session=session, resident_id=_id(resident), since=since) >= drafts_per_hour:
        raise IntakeError("drafts_limited", count=drafts_per_hour)


def save_draft(
    *,
    session: Session,
    grouping: GroupingService,
    resident: Resident,
    source_chat_id: int,
    source_message_id: int,
    text: str,
    photo_file_id: str | None = None,
    drafts_per_hour: int | None = None,
    prepared: Prepared | None = None,
) -> tuple[Proposal, bool]:
    """Store a resident's text as a draft once per source message; return it and whether it is new.

    Past `drafts_per_hour` new drafts an hour, raise IntakeError("drafts_limited") before anything is stored.
    `prepared`: the text already prepared (the bot's micro-batcher did it); else it is prepared here."""
    if drafts_per_hour is not None:
        check_draft_limit(session=session, resident=resident, source_chat_id=source_chat_id,
                          source_message_id=source_message_id, drafts_per_hour=drafts_per_hour)
    text = visible_text(text)  # no invisible characters or stacked marks, even in the resident's own copy
    prepared = prepared or grouping.prepare(text)
    data = ProposalCreate(
        source_chat_id=source_chat_id,
        source_message_id=source_message_id,
        text_verbatim=text,
        text_clean=prepared.clean,
        text_redacted=prepared.redacted,
        kelurahan=filed_under(prepared, resident.kelurahan),
        forum_id=resident.forum_id,
        streets="|".join(prepared.streets),
        photo_file_id=photo_file_id,
    )
    proposal, is_new = get_or_create_draft(session=session, resident_id=_id(resident), data=data)
    if is_new and prepared.vector is not None:
        proposal.embedding = prepared.vector.astype(np.float32).tobytes()
        proposal.embedding_model = grouping.model_name
        session.add(proposal)
    return proposal, is_new


def cluster_view(*, session: Session, cluster: Cluster) -> ClusterView:
    """Summarise a cluster for a resident: supporters, kelurahan spread, status."""
    assert cluster.id is not None and cluster.code is not None
    places = session.exec(
        select(Proposal.kelurahan)
        .where(Proposal.cluster_id == cluster.id, col(Proposal.kelurahan).is_not(None))
        .distinct()
    ).all()
    return ClusterView(
        id=cluster.id,
        code=cluster.code,
        title=cluster.title,
        supporters=supporter_count(session=session, cluster_id=cluster.id),
        kelurahan=tuple(sorted(p for p in places if p)),
        status=cluster.status,
    )


def similar_clusters(
    *, session: Session, grouping: GroupingService, proposal: Proposal, k: int, ahead: Ahead | None = None
) -> list[ClusterView]:
    """Return up to k visible clusters that ask for the same thing as a draft (four queries in all).

    Never the resident's own clusters (ones they proposed or support), never a hidden or merged one, and
    nothing below the grouping's suggestion threshold: an almost empty database gets no suggestion.
    `ahead`: the search already made for this text (`search_ahead`), used when it matches and reaches far enough.
    """
    own = set(session.exec(select(Support.cluster_id).where(Support.resident_id == proposal.resident_id)))
    wanted, prepared = k + len(own) + SUGGEST_SPARE, prepared_of(proposal)
    if ahead is not None and ahead.prepared == prepared and ahead.k >= wanted:
        suggestions = list(ahead.found[:wanted])  # the first `wanted` of a longer list: what a search for them finds
    else:
        suggestions = grouping.suggest(prepared, wanted)
    found = [s.cluster_id for s in suggestions]
    clusters = {c.id: c for c in session.exec(select(Cluster).where(col(Cluster.id).in_(found)))} if found else {}
    ids = [c for c in found if c not in own and c in clusters
           and not clusters[c].hidden and clusters[c].merged_into_id is None][:k]
    if not ids:
        return []
    supporters = dict(session.exec(
        select(Support.cluster_id, func.count()).where(col(Support.cluster_id).in_(ids))
        .group_by(col(Support.cluster_id))
    ).all())
    places: dict[int, set[str]] = {}
    for cluster_id, kelurahan in session.exec(
        select(Proposal.cluster_id, Proposal.kelurahan)
        .where(col(Proposal.cluster_id).in_(ids), col(Proposal.kelurahan).is_not(None)).distinct()
    ):
        places.setdefault(int(cluster_id or 0), set()).add(str(kelurahan))
    views = []
    for cluster_id in ids:
        cluster = clusters[cluster_id]
        assert cluster.code is not None
        views.append(ClusterView(id=cluster_id, code=cluster.code, title=cluster.title,
                                 supporters=supporters.get(cluster_id, 0),
                                 kelurahan=tuple(sorted(p for p in places.get(cluster_id, ()) if p)),
                                 status=cluster.status))
    return views


def offer_similar(
    *, session: Session, grouping: GroupingService, proposal_id: int, k: int, ahead: Ahead | None = None
) -> list[ClusterView]:
    """The similar clusters to show with a draft, remembered on it: only these may be supported."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        return []
    views = similar_clusters(session=session, grouping=grouping, proposal=proposal, k=k, ahead=ahead)
    if proposal.state == ProposalState.DRAFT:
        proposal.offered_clusters = ",".join(str(v.id) for v in views)
        session.add(proposal)
    return views


def _supportable(session: Session, proposal: Proposal, cluster_id: int) -> Cluster:
    """The visible cluster a Dukung button names, if it was offered to this draft; else IntakeError."""
    if str(cluster_id) not in proposal.offered_clusters.split(","):
        raise IntakeError("support_not_offered")
    cluster = session.get(Cluster, cluster_id)
    while cluster is not None and cluster.merged_into_id is not None:  # a button pressed after a merge
        cluster = session.get(Cluster, cluster.merged_into_id)
    if cluster is None or cluster.hidden:
        raise IntakeError("support_not_offered")
    return cluster


def _refuse_own(session: Session, resident: Resident, cluster: Cluster) -> None:
    """Refuse a Dukung on a cluster the resident already backs: one they started, or one they support."""
    assert cluster.id is not None
    backed = session.exec(select(Support.id).where(
        Support.cluster_id == cluster.id, Support.resident_id == _id(resident))).first()
    if backed is None:
        return
    first = session.exec(select(Proposal.resident_id).where(
        Proposal.cluster_id == cluster.id, Proposal.state == ProposalState.SUBMITTED
    ).order_by(col(Proposal.id))).first()
    raise IntakeError("support_own" if first == _id(resident) else "support_already", cluster=cluster.code,
                      supporters=supporter_count(session=session, cluster_id=cluster.id))


def over_rate_limit(*, session: Session, resident: Resident, per_hour: int) -> bool:
    """Tell whether the resident already submitted the allowed number this hour."""
    since = utcnow() - timedelta(hours=1)
    return count_recent_submissions(session=session, resident_id=_id(resident), since=since) >= per_hour


def _own_draft(session: Session, proposal_id: int, resident: Resident) -> Proposal:
    """Load a draft that belongs to this resident, or raise IntakeError (saying so when it was cancelled)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.resident_id != resident.id:
        raise IntakeError("draft_gone")
    if proposal.state == ProposalState.CANCELLED:
        raise IntakeError("draft_was_cancelled")
    return proposal


def confirm(
    *, session: Session, grouping: GroupingService, resident: Resident, proposal_id: int,
    cluster_id: int | None = None, screen: bool = False, new_cluster: bool = False,
) -> Submitted | Held:
    """Submit a draft: join the chosen cluster (support) or the one grouping picks, else a new one.

    `new_cluster`: the resident declined the clusters shown ("Kirim sebagai usulan baru"), so the proposal
    opens a cluster of its own; a later re-clustering may only *propose* a merge to a moderator.
    """
    proposal = _own_draft(session, proposal_id, resident)
    if proposal.state == ProposalState.SUBMITTED and proposal.cluster_id is not None:
        return _submitted(session, proposal, proposal.cluster_id)  # a repeated press changes nothing
    if proposal.state == ProposalState.HELD and proposal.code is not None:
        return Held(code=proposal.code, reason=None)
    if proposal.state != ProposalState.DRAFT:
        raise IntakeError("draft_gone")
    chosen = _supportable(session, proposal, cluster_id) if cluster_id is not None else None
    if chosen is not None:  # already counted there: say so and change nothing (the draft stays open)
        _refuse_own(session, resident, chosen)
    assign_code(session=session, proposal=proposal)  # sent now: the next number of the year, no gaps
    if screen and (reason := spam_reason(session=session, proposal=proposal)) is not None:  # issue 6
        proposal.forum_id = resident.forum_id or proposal.forum_id
        return hold(session=session, proposal=proposal, reason=reason)
    prepared = prepared_of(proposal)
    cluster: Cluster | None = None
    machine_chose = cluster_id is None and not new_cluster
    if chosen is not None:  # Dukung: only a visible cluster this draft was offered
        cluster = chosen
    elif not new_cluster:  # the machine picks, unless the resident declined what was shown
        if grouping.before_assign is not None:  # a cluster copy: under the `grouper` lock, index caught up
            grouping.before_assign(session)
        target = grouping.assign(prepared)
        cluster = session.get(Cluster, target) if target is not None else None
        while cluster is not None and cluster.merged_into_id is not None:
            cluster = session.get(Cluster, cluster.merged_into_id)
        cluster = None if cluster is not None and cluster.hidden else cluster  # hidden stays closed
    opened = cluster is None
    if cluster is None:
        # Home forum: the place the request is about (named in the text, else the resident's kelurahan).
        home = grouping.forum_of_place(proposal.kelurahan or resident.kelurahan) or resident.forum_id
        cluster = create_cluster(session=session, title=grouping.title(proposal.text_redacted), home_forum_id=home)
        assert cluster.id is not None
        link(session=session, kind=Derived.TITLE, ref_id=cluster.id, proposals=[proposal.id])
    assert cluster.id is not None and proposal.id is not None
    label_on_arrival(session=session, grouping=grouping, proposal=proposal, cluster=cluster, new_cluster=opened)
    proposal.cluster_id = cluster.id
    proposal.kelurahan = proposal.kelurahan or resident.kelurahan
    proposal.forum_id = resident.forum_id or proposal.forum_id
    proposal.state = ProposalState.SUBMITTED
    proposal.submitted_at = utcnow()
    session.add(proposal)
    add_support(session=session, cluster_id=cluster.id, resident_id=_id(resident), proposal_id=proposal.id)
    session.flush()
    grouping.add(proposal.id, cluster.id, prepared)
    if machine_chose and not opened:  # nobody chose: the machine may join clusters this message bridges
        cluster = join_twins(session=session, grouping=grouping, cluster=cluster, prepared=prepared,
                             author_id=_id(resident))
    assert cluster.id is not None
    fill_keywords(session=session, cluster_ids=[cluster.id], city_words=grouping.city_words)  # searchable at once
    return _submitted(session, proposal, cluster.id)


def cancel(*, session: Session, resident: Resident, proposal_id: int) -> None:
    """Cancel a draft the resident no longer wants sent."""
    proposal = _own_draft(session, proposal_id, resident)
    if proposal.state != ProposalState.DRAFT:
        raise IntakeError("draft_gone")
    proposal.state = ProposalState.CANCELLED
    session.add(proposal)


def _submitted(session: Session, proposal: Proposal, cluster_id: int) -> Submitted:
    """Build the outcome shown to the resident."""
    cluster = session.get(Cluster, cluster_id)
    assert cluster is not None and proposal.code is not None
    return Submitted(code=proposal.code, cluster=cluster_view(session=session, cluster=cluster))


def _id(resident: Resident) -> int:
    """Return a stored resident's id."""
    assert resident.id is not None
    return resident.id


def edit_draft(
    *, session: Session, grouping: GroupingService, source_chat_id: int, source_message_id: int, text: str,
    prepared: Prepared | None = None,
) -> tuple[Proposal | None, bool]:
    """Take the new text of an edited message into its draft, if the draft is still open.

    Returns the message's proposal (None if it made none) and whether it took the new text; a sent
    aspiration never changes (residents, moderators and staff may have seen those words).
    """
    proposal = session.exec(select(Proposal).where(
        Proposal.source_chat_id == source_chat_id, Proposal.source_message_id == source_message_id)).first()
    if proposal is None or proposal.state != ProposalState.DRAFT:
        return proposal, False
    text = visible_text(text)
    prepared = prepared or grouping.prepare(text)
    proposal.text_verbatim, proposal.text_clean, proposal.text_redacted = text, prepared.clean, prepared.redacted
    proposal.streets = "|".join(prepared.streets)
    if prepared.kelurahan:
        proposal.kelurahan = prepared.kelurahan[0]
    if prepared.vector is not None:
        proposal.embedding = prepared.vector.astype(np.float32).tobytes()
        proposal.embedding_model = grouping.model_name
    session.add(proposal)
    return proposal, True
