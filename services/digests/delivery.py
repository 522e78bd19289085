"""Digests on their way: built once per forum and period with their outbox rows, reviewed, forwarded to staff.

No Telegram calls here: everything is queued in the outbox (JSON payloads) in the same transaction as the
Digest row, so a crash at any point never sends a digest twice and never loses one. A moderator's /ringkasan
is a draft of the running period; forwarding it closes the period there (once, whoever presses first).
"""

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.audit import record
from models.clusters import Cluster
from models.db import session_scope
from models.digests import Digest, DigestState
from models.forums import Forum
from models.outbox import OutboxBase, OutboxMessage, OutboxMethod, OutboxPurpose, enqueue
from models.proposals import Proposal, ProposalState
from models.provenance import Derived, copy_links, link
from services.answers.staff_answers import post_cluster_to_staff
from services.answers.staffchat import html_payload
from services.core import callbacks, payloads
from services.core.config import AppConfig
from services.core.formats import moment
from services.core.texts import t
from services.digests.chart import render_chart
from services.digests.data import DigestData
from services.digests.periods import build_digest, due_period, running_period, scheduled_before
from services.digests.render import places_text, render

log = logging.getLogger(__name__)

PURPOSE = OutboxPurpose.DIGEST


class DigestError(Exception):
    """A moderator's press that cannot be done; `key` names the text to show."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def chart_dir(config: AppConfig) -> Path:
    """The folder of digest charts (deleted once sent, swept by retention and erasure:
    services.privacy.outbox_files)."""
    return Path(config.data_dir).resolve() / "digests"


def chart_file(config: AppConfig, name: str) -> Path:
    """Where a digest chart is written (data_dir/digests/NAME.png); the outbox sends it by path."""
    return chart_dir(config) / f"{name}.png"


def review_keyboard(digest_id: int, data: DigestData, excluded: set[int]) -> dict[str, Any]:
    """Inline keyboard JSON: a hide/show toggle per listed cluster (two per row), then Teruskan ke staf."""
    toggles = [
        {"text": t("digest_button_show" if line.id in excluded else "digest_button_hide", code=line.code),
         "callback_data": callbacks.digest_hide(digest_id, line.id)}
        for line in data.top
    ]
    rows = [toggles[i : i + 2] for i in range(0, len(toggles), 2)]
    rows.append([{"text": t("digest_button_forward"), "callback_data": callbacks.digest_forward(digest_id)}])
    return {"inline_keyboard": rows}


def _queue(session: Session, key: str, chat_id: int, payload: dict[str, Any],
           method: OutboxMethod = OutboxMethod.SEND_MESSAGE) -> None:
    """Queue one digest message once per key (digest:ID:...), made from what that digest was made from."""
    _, new = enqueue(session=session, message=OutboxBase(dedupe_key=key, chat_id=chat_id, method=method,
                                                         payload=payload, purpose=PURPOSE))
    if new:
        link_message(session=session, dedupe_key=key)


def link_message(*, session: Session, dedupe_key: str) -> None:
    """Link a digest's message (key digest:ID:...) to what that digest was made from."""
    row = session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).first()
    if row is not None and row.id is not None:
        copy_links(session=session, kind=Derived.DIGEST, ref_id=int(dedupe_key.split(":")[1]),
                   to_kind=Derived.OUTBOX, to_ref=row.id)


def digest_messages(config: AppConfig, digest: Digest, *, on_demand: bool = False
                    ) -> list[tuple[OutboxMethod, dict[str, Any]]]:
    """The chart (if any) and the digest's messages as (method, payload); review buttons on the last one."""
    assert digest.id is not None
    data, excluded = DigestData.from_content(digest.content), set(digest.content.get("excluded", []))
    hours = config.digest.auto_forward_hours
    hint = t("digest_review_hint_manual") if hours is None or on_demand else t(
        "digest_review_hint", hours=f"{hours:g}")
    parts = render(data, config, on_demand=on_demand, footer=hint if data.top else None,
                   excluded=frozenset(excluded))
    chart = digest.content.get("chart")
    caption = t("digest_chart_caption", forum=data.forum_name)
    out = [(OutboxMethod.SEND_PHOTO, payloads.photo(chart, caption))] if chart else []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1 and data.top
        extra = {"reply_markup": review_keyboard(digest.id, data, excluded)} if last else {}
        out.append((OutboxMethod.SEND_MESSAGE, payloads.message(part, **extra)))
    return out


def _send_to_moderators(session: Session, config: AppConfig, digest: Digest) -> None:
    """Queue the chart and the digest messages for each moderator of the forum."""
    forum = config.forum(digest.forum_id)
    messages = digest_messages(config, digest)
    for moderator in forum.moderator_ids if forum else []:
        for i, (method, payload) in enumerate(messages):
            _queue(session, f"digest:{digest.id}:mod:{moderator}:{i}", moderator, payload, method)


def _build(session: Session, config: AppConfig, forum_id: str, start: datetime, end: datetime, now: datetime,
           state: DigestState | None = None) -> Digest:
    """Build and store the forum's digest of [start, end) with its chart."""
    data = build_digest(session=session, config=config, forum_id=forum_id, period_end=end, now=now,
                        period_start_at=start)
    chart = render_chart(data, chart_file(config, f"{forum_id}-{end:%Y%m%dT%H%M%S%f}"), tz=config.city.tz,
                         config=config)
    content = {**data.to_content(), "excluded": standing_exclusions(session, forum_id, start),
               "chart": str(chart) if chart else None}
    digest = Digest(forum_id=forum_id, period_start=start, period_end=end, content=content,
                    state=state or (DigestState.BUILT if data.top else DigestState.EMPTY), built_at=now)
    session.add(digest)
    session.flush()
    assert digest.id is not None
    clusters = [line.id for line in data.top] + [line.id for line in data.answered]
    members = session.exec(select(Proposal.id).where(col(Proposal.cluster_id).in_(clusters),
                                                     Proposal.state == ProposalState.SUBMITTED)).all()
    link(session=session, kind=Derived.DIGEST, ref_id=digest.id, proposals=members, clusters=clusters)
    return digest


def _same_period(session: Session, forum_id: str, start: datetime) -> list[Digest]:
    """The forum's digests of the period starting at `start` still under review (drafts and built), newest first."""
    return list(session.exec(select(Digest).where(
        Digest.forum_id == forum_id, Digest.period_start == start,
        col(Digest.state).in_((DigestState.DRAFT, DigestState.BUILT))).order_by(col(Digest.id).desc())).all())


def standing_exclusions(session: Session, forum_id: str, start: datetime) -> list[int]:
    """The clusters a moderator left out of this period's digest so far: a hide lasts until they show it again."""
    earlier = _same_period(session, forum_id, start)
    return sorted(earlier[0].content.get("excluded", [])) if earlier else []


def lock_forum(session: Session, forum_id: str) -> None:
    """Serialise period changes of one forum until this transaction ends (a row lock; SQLite's write lock)."""
    session.execute(update(Forum).where(col(Forum.id) == forum_id).values(name=Forum.name))


def issue_digest(*, session: Session, config: AppConfig, forum_id: str, now: datetime) -> Digest | None:
    """Build the forum's due digest and queue it for its moderators, in this transaction; None if none is due."""
    lock_forum(session, forum_id)
    period = due_period(session=session, config=config, forum_id=forum_id, now=now)
    if period is None:
        return None
    digest = _build(session, config, forum_id, *period, now)
    _send_to_moderators(session, config, digest)
    log.info("digest %s of %s for %s – %s queued", digest.id, forum_id, *period)
    return digest


def issue_running_digest(*, session: Session, config: AppConfig, forum_id: str, now: datetime) -> Digest:
    """Close the forum's running period now and queue its digest for the moderators (`digest --send`)."""
    lock_forum(session, forum_id)
    start, end = running_period(session=session, forum_id=forum_id, now=now)
    digest = _build(session, config, forum_id, start, end, now)
    _send_to_moderators(session, config, digest)
    log.info("digest %s of %s for the running period %s – %s queued", digest.id, forum_id, start, end)
    return digest


def draft_digest(*, session: Session, config: AppConfig, forum_id: str, now: datetime) -> Digest:
    """A moderator's /ringkasan: the running period as a draft digest (the same moment shares one draft)."""
    start, end = running_period(session=session, forum_id=forum_id, now=now)
    same = select(Digest).where(Digest.forum_id == forum_id, Digest.period_end == end)
    existing = session.exec(same).first()
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            return _build(session, config, forum_id, start, end, now, state=DigestState.DRAFT)
    except IntegrityError:  # another moderator asked at the very same moment
        return session.exec(same).one()


def issue_due_digest(engine: Engine, config: AppConfig, forum_id: str, now: datetime, *,
                     within_grace: bool = True) -> int | None:
    """Issue a forum's due digest in its own transaction; return its id, or None when none was due or made."""
    late = now - scheduled_before(config, now)
    if within_grace and late > timedelta(hours=config.digest.misfire_grace_hours):
        return None  # too late for this period: the next digest covers it as well
    try:
        with session_scope(engine) as session:
            digest = issue_digest(session=session, config=config, forum_id=forum_id, now=now)
            return None if digest is None else digest.id
    except IntegrityError:  # another run made this period's digest at the same moment
        return None


def moderated_digest(*, session: Session, config: AppConfig, digest_id: int, user_id: int) -> Digest:
    """Load a digest for a moderator of its forum, or raise DigestError."""
    digest = session.get(Digest, digest_id)
    if digest is None:
        raise DigestError("digest_gone")
    forum = config.forum(digest.forum_id)
    if forum is None or user_id not in forum.moderator_ids:
        raise DigestError("digest_not_moderator")
    return digest


def toggle_cluster(*, session: Session, digest: Digest, cluster_id: int, actor: str) -> tuple[dict[str, Any], bool]:
    """Leave a cluster out of the forward, or put it back; return the new keyboard and whether it is left out."""
    if digest.state not in {DigestState.BUILT, DigestState.DRAFT}:
        raise DigestError("digest_already_forwarded")
    assert digest.id is not None
    excluded = set(digest.content.get("excluded", []))
    hidden = cluster_id not in excluded
    excluded = excluded | {cluster_id} if hidden else excluded - {cluster_id}
    for same in {d.id: d for d in [digest, *_same_period(session, digest.forum_id, digest.period_start)]}.values():
        same.content = {**same.content, "excluded": sorted(excluded)}  # every look at this period agrees
        session.add(same)
    record(session=session, actor=actor, action="digest_exclude" if hidden else "digest_include",
           target=f"digest:{digest.id}", after={"cluster_id": cluster_id})
    return review_keyboard(digest.id, DigestData.from_content(digest.content), excluded), hidden


def close_draft(*, session: Session, digest_id: int) -> None:
    """Make a /ringkasan draft the forum's digest of its period, unless that period was closed meanwhile."""
    draft = session.get(Digest, digest_id)
    if draft is None or draft.state != DigestState.DRAFT:
        return
    lock_forum(session, draft.forum_id)
    session.refresh(draft)
    if draft.state != DigestState.DRAFT:
        return
    closed = session.exec(select(Digest.id).where(
        Digest.forum_id == draft.forum_id, Digest.state != DigestState.DRAFT,
        col(Digest.period_end) > draft.period_start)).first()
    if closed is not None:
        raise DigestError("digest_period_closed")
    draft.state = DigestState.BUILT
    session.add(draft)
    session.flush()


def check_forwardable(*, session: Session, config: AppConfig, digest: Digest) -> None:
    """Raise DigestError now when Teruskan ke staf cannot work (no staff chat, forwarded, period closed).

    Cheap reads only, so the button is answered at once; forward_digest checks again under the forum's lock."""
    if config.telegram.staff_chat_id is None:
        raise DigestError("digest_no_staff_chat")
    if digest.state not in {DigestState.BUILT, DigestState.DRAFT}:
        raise DigestError("digest_already_forwarded")
    if digest.state == DigestState.DRAFT and session.exec(select(Digest.id).where(
            Digest.forum_id == digest.forum_id, Digest.state != DigestState.DRAFT,
            col(Digest.period_end) > digest.period_start)).first() is not None:
        raise DigestError("digest_period_closed")


def forward_digest(*, session: Session, config: AppConfig, digest_id: int, actor: str, now: datetime) -> int:
    """Queue the header and one message per cluster for the staff chat, once; return the clusters forwarded."""
    if config.telegram.staff_chat_id is None:
        raise DigestError("digest_no_staff_chat")
    close_draft(session=session, digest_id=digest_id)
    claimed = session.exec(
        update(Digest).where(col(Digest.id) == digest_id, col(Digest.state) == DigestState.BUILT)
        .values(state=DigestState.FORWARDED, forwarded_at=now))
    if not claimed.rowcount:
        raise DigestError("digest_already_forwarded")
    digest = session.get(Digest, digest_id)
    assert digest is not None
    data, excluded = DigestData.from_content(digest.content), set(digest.content.get("excluded", []))
    lines = [line for line in data.top if line.id not in excluded and _visible(session, line.id)]
    by = t("digest_forwarded_automatically" if actor == "system" else "digest_forwarded_by_moderator")
    prefix, staff = f"digest:{digest_id}:staff", config.telegram.staff_chat_id
    _queue(session, f"{prefix}:header", staff, html_payload(t(
        "digest_staff_header", forum=data.forum_name, start=moment(data.period_start, config.city.tz),
        end=moment(data.period_end, config.city.tz), by=by, aspirations=data.aspirations, residents=data.residents,
        clusters=data.clusters, new_clusters=data.new_clusters, count=len(lines)), config))
    chart = render_chart(data, chart_file(config, f"staff-{digest_id}"), tz=config.city.tz, config=config,
                         excluded=excluded)
    if chart is not None:
        thread = {"message_thread_id": config.telegram.staff_thread_id} if config.telegram.staff_thread_id else {}
        _queue(session, f"{prefix}:chart", staff,
               payloads.photo(chart, t("digest_chart_caption", forum=data.forum_name), **thread),
               OutboxMethod.SEND_PHOTO)
    for line in lines:
        post_cluster_to_staff(session=session, config=config, cluster_id=line.id, dedupe_key=f"{prefix}:{line.id}",
                              digest_line=t("digest_staff_line", forum=data.forum_name, added=line.added,
                                            supporters=line.supporters, places=places_text(line)))
    record(session=session, actor=actor, action="digest_forwarded", target=f"digest:{digest_id}",
           after={"clusters": [line.code for line in lines], "excluded": sorted(excluded)})
    return len(lines)


def _visible(session: Session, cluster_id: int) -> bool:
    """Tell whether a cluster may still be shown (not hidden or merged away since the digest was built)."""
    cluster = session.get(Cluster, cluster_id)
    return cluster is not None and not cluster.hidden and cluster.merged_into_id is None


def auto_forward(engine: Engine, config: AppConfig, now: datetime) -> list[int]:
    """Forward every reviewed-too-long digest (auto_forward_hours after it was built); return their ids."""
    hours = config.digest.auto_forward_hours
    if hours is None or config.telegram.staff_chat_id is None:
        return []
    with session_scope(engine) as session:
        due = session.exec(select(Digest.id).where(
            Digest.state == DigestState.BUILT, col(Digest.built_at) <= now - timedelta(hours=hours))).all()
    done = []
    for digest_id in due:
        assert digest_id is not None
        try:
            with session_scope(engine) as session:
                forward_digest(session=session, config=config, digest_id=digest_id, actor="system", now=now)
            done.append(digest_id)
        except DigestError:  # a moderator forwarded it in the meantime
            continue
    return done
