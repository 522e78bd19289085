"""Closing the loop: ask residents whether a resolved cluster is solved, record their answers and ratings,
and reopen the cluster when most say "Belum".

Staff setting `selesai` (or `ditindaklanjuti`, after `satisfaction.followup_days`) opens a round
(models.satisfaction.open_round); `release_due` asks every reachable follower once per cluster, ever, through
the outbox (a dedupe key per cluster and resident), never in quiet hours (WITA). A round only reopens while the
cluster still has the status staff gave it: a status a person chose later is never undone.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.audit import record
from models.clusters import Cluster, ClusterStatus
from models.outbox import OutboxBase, OutboxPurpose, enqueue, find_sent
from models.provenance import Derived, link
from models.replies import Reply
from models.residents import Resident, find_resident
from models.satisfaction import AnswerRating, SatisfactionAsk, SatisfactionRound, Verdict, latest_round
from nlp.redact import redact
from services.access.people import resident_label
from services.answers.satisfaction_keys import solved_keyboard, verdict_label
from services.answers.staff_answers import followers
from services.answers.staffchat import html_payload, refresh_cards
from services.core import counting, payloads
from services.core.config import AppConfig
from services.core.counting import Satisfaction
from services.core.formats import number
from services.core.texts import status_label, t

SATISFACTION = OutboxPurpose.SATISFACTION
MAX_COMMENT = 300


def _clock(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def is_quiet(config: AppConfig, now: datetime) -> bool:
    """Tell whether `now` falls in the quiet hours (WITA), when no question is sent."""
    local = now.astimezone(config.city.tz).time()
    start, end = _clock(config.satisfaction.quiet_start), _clock(config.satisfaction.quiet_end)
    return start <= local or local < end if start > end else start <= local < end


def _due(config: AppConfig, round_: SatisfactionRound, now: datetime) -> bool:
    """Tell whether a round's questions may go now (selesai at once, ditindaklanjuti after followup_days)."""
    if round_.status == ClusterStatus.SELESAI:
        return True
    days = config.satisfaction.followup_days
    return days is not None and round_.started_at + timedelta(days=days) <= now


def open_rounds(session: Session) -> list[tuple[SatisfactionRound, Cluster]]:
    """Every cluster's latest round that still holds: not reopened, the cluster still has its status."""
    rows = session.exec(
        select(SatisfactionRound, Cluster).join(Cluster, col(Cluster.id) == col(SatisfactionRound.cluster_id))
        .where(col(SatisfactionRound.reopened_at).is_(None), col(Cluster.status) == col(SatisfactionRound.status),
               col(Cluster.merged_into_id).is_(None))
        .order_by(col(SatisfactionRound.id))
    ).all()
    return [(r, c) for r, c in rows if latest_round(session=session, cluster_id=r.cluster_id) is r]


def question_text(cluster: Cluster) -> str:
    """The question as residents read it."""
    return t("satisfaction_question", code=cluster.code, status=status_label(cluster.status),
             title=cluster.title[:200])


def release_due(*, session: Session, config: AppConfig, now: datetime) -> int:
    """Queue the question for every follower of a due round not asked about the cluster yet; return how many."""
    if not config.satisfaction.enabled or is_quiet(config, now):
        return 0
    queued = 0
    for round_, cluster in open_rounds(session):
        if not _due(config, round_, now) or cluster.id is None or round_.id is None:
            continue
        asked = set(session.exec(select(SatisfactionAsk.resident_id)
                                 .where(SatisfactionAsk.cluster_id == cluster.id)).all())
        payload = payloads.message(question_text(cluster), reply_markup=solved_keyboard(cluster.id))
        for resident in followers(session=session, cluster_id=cluster.id):
            if resident.id is None or resident.id in asked or resident.telegram_id is None:
                continue
            if not _claim(session, SatisfactionAsk(cluster_id=cluster.id, resident_id=resident.id,
                                                   round_id=round_.id, queued_at=now)):
                continue  # another run (the job, a staff action) asked them just now
            queued += int(enqueue(session=session, message=OutboxBase(
                dedupe_key=f"satisfaction:{cluster.id}:{resident.id}", chat_id=resident.telegram_id,
                payload=payload, resident_id=resident.id, cluster_id=cluster.id, purpose=SATISFACTION))[1])
        session.flush()
    return queued


def _claim(session: Session, ask: SatisfactionAsk) -> bool:
    """Store the question once per cluster and resident (a savepoint: a concurrent run's row wins)."""
    try:
        with session.begin_nested():
            session.add(ask)
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class Answered:
    """What a resident's answer did."""

    code: str
    verdict: str
    reopened: bool = False


def _ask_of(session: Session, telegram_id: int, cluster_id: int) -> tuple[SatisfactionAsk, Cluster] | None:
    """The resident's question about a cluster, if they were asked."""
    resident = find_resident(session=session, telegram_id=telegram_id)
    cluster = session.get(Cluster, cluster_id)
    if resident is None or resident.id is None or resident.deleted_at is not None or cluster is None:
        return None
    ask = session.exec(select(SatisfactionAsk).where(SatisfactionAsk.cluster_id == cluster_id,
                                                     SatisfactionAsk.resident_id == resident.id)).first()
    return None if ask is None else (ask, cluster)


def record_answer(*, session: Session, config: AppConfig, telegram_id: int, cluster_id: int, verdict: str,
                  now: datetime) -> Answered | None:
    """Store (or change) a resident's answer, then apply the reopen rule; None when they were never asked."""
    found = _ask_of(session, telegram_id, cluster_id)
    if found is None:
        return None
    ask, cluster = found
    ask.verdict, ask.answered_at = Verdict(verdict), now
    session.add(ask)
    session.flush()
    reopened = check_reopen(session=session, config=config, cluster=cluster, now=now)
    return Answered(code=str(cluster.code), verdict=verdict, reopened=reopened)


def record_comment(*, session: Session, telegram_id: int, replied_to: int, text: str) -> str | None:
    """Store a resident's reply to the question as their one-line (redacted) comment; return the cluster code,
    None when the replied message is not a question to them."""
    row = find_sent(session=session, chat_id=telegram_id, message_id=replied_to)
    if row is None or row.purpose != SATISFACTION or row.cluster_id is None:
        return None
    found = _ask_of(session, telegram_id, row.cluster_id)
    if found is None:
        return None
    ask, cluster = found
    ask.comment = " ".join(redact(text).split())[:MAX_COMMENT] or None
    session.add(ask)
    return str(cluster.code)


def round_answers(session: Session, round_: SatisfactionRound) -> list[SatisfactionAsk]:
    """The answers given (or changed) since the round started."""
    return list(session.exec(select(SatisfactionAsk).where(
        SatisfactionAsk.cluster_id == round_.cluster_id, col(SatisfactionAsk.verdict).is_not(None),
        col(SatisfactionAsk.answered_at) >= round_.started_at).order_by(col(SatisfactionAsk.id))).all())


def check_reopen(*, session: Session, config: AppConfig, cluster: Cluster, now: datetime) -> bool:
    """Reopen the cluster to `ditinjau` when more than `reopen_share` of at least `reopen_min_answers`
    answers say "Belum", while it still holds the status staff gave it; tell the staff chat."""
    round_ = latest_round(session=session, cluster_id=cluster.id or 0)
    if round_ is None or round_.reopened_at is not None or cluster.status != round_.status:
        return False
    answers = round_answers(session, round_)
    belum = sum(a.verdict == Verdict.BELUM for a in answers)
    rule = config.satisfaction
    if len(answers) < rule.reopen_min_answers or belum <= rule.reopen_share * len(answers):
        return False
    before = cluster.status
    round_.reopened_at, round_.belum, round_.answered = now, belum, len(answers)
    cluster.status, cluster.updated_at = ClusterStatus.DITINJAU, now
    session.add_all([round_, cluster])
    record(session=session, actor="system:satisfaction", action="status", target=f"cluster:{cluster.code}",
           before={"status": before}, after={"status": ClusterStatus.DITINJAU, "belum": belum,
                                             "answered": len(answers)})
    refresh_cards(session=session, config=config, cluster=cluster, source_key=f"reopen:{round_.id}")
    _tell_staff(session, config, cluster, round_)
    return True


REOPEN_NOTE = "reopen"  # the dedupe key of a round's note in the staff chat: reopen:ROUND


def reopen_note(session: Session, cluster: Cluster, round_: SatisfactionRound) -> tuple[str, set[int]]:
    """The reopen note as staff read it, with residents' comments (labels, never identities), and the
    residents whose comments it quotes."""
    lines = [t("satisfaction_reopened_staff", code=cluster.code, status=status_label(cluster.status),
               title=cluster.title[:200], belum=round_.belum, answered=round_.answered)]
    quoted = [a for a in round_answers(session, round_) if a.comment]
    lines += [t("satisfaction_comment_line", label=resident_label(session.get(Resident, a.resident_id)),
                verdict=verdict_label(a.verdict or ""), comment=a.comment) for a in quoted]
    return "\n".join(lines).strip(), {a.resident_id for a in quoted}


def _tell_staff(session: Session, config: AppConfig, cluster: Cluster, round_: SatisfactionRound) -> None:
    """Send the reopen note to the staff chat, linked to the residents it quotes (models.provenance)."""
    if config.telegram.staff_chat_id is None:
        return
    text, quoted = reopen_note(session, cluster, round_)
    row, new = enqueue(session=session, message=OutboxBase(
        dedupe_key=f"{REOPEN_NOTE}:{round_.id}", chat_id=config.telegram.staff_chat_id,
        payload=html_payload(text, config), cluster_id=cluster.id, purpose=OutboxPurpose.STAFF_EDIT))
    if new and row.id is not None:
        link(session=session, kind=Derived.OUTBOX, ref_id=row.id, residents=quoted)


def record_rating(*, session: Session, telegram_id: int, reply_id: int, up: bool, now: datetime) -> str | None:
    """Store a resident's 👍/👎 on a staff answer, once per cluster (a new tap replaces the old); return the
    cluster code, None when the answer is unknown or was not sent to them."""
    resident = find_resident(session=session, telegram_id=telegram_id)
    reply = session.get(Reply, reply_id)
    if resident is None or resident.id is None or reply is None or not reply.from_staff \
            or reply.resident_id not in (None, resident.id):
        return None
    cluster = session.get(Cluster, reply.cluster_id)
    rating = session.exec(select(AnswerRating).where(AnswerRating.cluster_id == reply.cluster_id,
                                                     AnswerRating.resident_id == resident.id)).first()
    rating = rating or AnswerRating(cluster_id=reply.cluster_id, resident_id=resident.id, reply_id=reply_id, value=0)
    rating.reply_id, rating.value, rating.rated_at = reply_id, 1 if up else -1, now
    session.add(rating)
    return str(cluster.code) if cluster else None


def loop_figures(*, session: Session, forum_id: str, start: datetime, end: datetime) -> tuple[str, list[list[Any]]]:
    """A forum digest's closing-the-loop line (empty when nobody answered or rated yet) and the clusters a
    "Belum" majority reopened in the period: [code, belum, answered]."""
    figures = counting.satisfaction(session, counting.Scope(forums=frozenset({forum_id})))
    line = render_satisfaction(figures) if figures.answered or figures.up or figures.down else ""
    rows = session.exec(
        select(Cluster.code, SatisfactionRound.belum, SatisfactionRound.answered)
        .join(Cluster, col(Cluster.id) == col(SatisfactionRound.cluster_id))
        .where(col(Cluster.id).in_(counting.counted_ids(counting.Scope(forums=frozenset({forum_id})))),
               col(SatisfactionRound.reopened_at) > start, col(SatisfactionRound.reopened_at) <= end)
        .order_by(col(SatisfactionRound.id))).all()
    return line, [[str(code), int(belum), int(n)] for code, belum, n in rows]


def loop_comments(session: Session, cluster_id: int) -> list[tuple[str, str, str]]:
    """Residents' answers with a comment on one cluster, as staff read them: (label, verdict, comment)."""
    asks = session.exec(select(SatisfactionAsk).where(SatisfactionAsk.cluster_id == cluster_id,
                                                      col(SatisfactionAsk.comment).is_not(None))
                        .order_by(col(SatisfactionAsk.id))).all()
    return [(resident_label(session.get(Resident, a.resident_id)), verdict_label(a.verdict or "-"), a.comment or "")
            for a in asks]


def render_satisfaction(figures: Satisfaction) -> str:
    """One line of closing-the-loop figures (the digest, /statistik and `aspirasi stats` show the same)."""
    share = figures.solved_share
    days = figures.median_days_to_solved
    return t("satisfaction_figures", sudah=number(figures.sudah, 0), answered=number(figures.answered, 0),
             share="-" if share is None else number(100 * share, 0), reopened=number(figures.reopened, 0),
             days="-" if days is None else number(days), up=number(figures.up, 0), down=number(figures.down, 0))
