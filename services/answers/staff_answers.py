"""Staff answers and status changes: one answer or status note reaches every resident following a cluster.

Every message is queued in the outbox with a dedupe key per (reply or change, resident), so handling the same
staff message twice, or a crash mid fan-out, never sends anyone anything twice.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from models.audit import record
from models.clusters import Cluster, ClusterStatus, Support
from models.outbox import OutboxBase, OutboxPurpose, enqueue
from models.replies import Reply
from models.residents import Resident
from models.satisfaction import open_round
from models.types import utcnow
from services.access.people import resident_label
from services.answers.satisfaction_keys import rating_keyboard
from services.answers.staffchat import post_cluster_to_staff, refresh_cards
from services.core import payloads
from services.core.config import AppConfig
from services.core.texts import status_label, t

ANSWER, ANSWER_ONE, STATUS = OutboxPurpose.ANSWER, OutboxPurpose.ANSWER_ONE, OutboxPurpose.STATUS
TALKS_BACK = frozenset({ANSWER, ANSWER_ONE, STATUS})  # a resident replying to these writes to staff
MAX_ANSWER_CHARS = 3500  # leaves room for the frame within Telegram's 4096

__all__ = ["ANSWER", "ANSWER_ONE", "STATUS", "TALKS_BACK", "AnswerError", "Outcome", "answer_cluster",
           "answer_resident", "change_status", "followers", "merged_family", "post_cluster_to_staff", "store_reply"]


class AnswerError(Exception):
    """A staff request that cannot be done; `key` and `values` name the text to show."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class Outcome:
    """What an answer or status change did."""

    code: str
    count: int  # residents it was queued for
    changed: bool = True
    status: str = ""
    label: str = ""  # the one resident answered, as staff see them


def _cluster(session: Session, cluster_id: int) -> Cluster:
    """Load a cluster, following merges to the one that survives."""
    cluster = session.get(Cluster, cluster_id)
    while cluster is not None and cluster.merged_into_id is not None:
        cluster = session.get(Cluster, cluster.merged_into_id)
    if cluster is None or cluster.id is None:
        raise AnswerError("staff_unknown_cluster", code=str(cluster_id))
    return cluster


def merged_family(session: Session, cluster_id: int) -> list[int]:
    """A cluster and every cluster merged into it (their residents follow the survivor)."""
    family, frontier = [cluster_id], [cluster_id]
    while frontier:
        frontier = [c for c in session.exec(
            select(Cluster.id).where(col(Cluster.merged_into_id).in_(frontier))).all() if c is not None]
        family += frontier
    return family


def followers(*, session: Session, cluster_id: int) -> list[Resident]:
    """Residents who follow a cluster and can still be reached, in id order, each once."""
    return list(session.exec(
        select(Resident)
        .where(col(Resident.id).in_(
            select(Support.resident_id).where(col(Support.cluster_id).in_(merged_family(session, cluster_id)),
                                              col(Support.following).is_(True))))
        .where(col(Resident.active).is_(True), col(Resident.banned).is_(False),
               col(Resident.deleted_at).is_(None), col(Resident.telegram_id).is_not(None))
        .order_by(col(Resident.id))
    ).all())


def _checked_text(text: str) -> str:
    """Refuse empty or too long staff texts."""
    text = text.strip()
    if not text:
        raise AnswerError("staff_empty_answer")
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerError("staff_too_long", length=len(text), limit=MAX_ANSWER_CHARS)
    return text


def store_reply(session: Session, source_key: str, *, cluster_id: int, from_staff: bool, text: str,
                resident_id: int | None = None, actor: str | None = None) -> Reply:
    """Store a reply once per source message; a staff reply is audited under the staff member who sent it."""
    existing = session.exec(select(Reply).where(Reply.source_key == source_key)).first()
    if existing is not None:
        return existing
    reply = Reply(source_key=source_key, cluster_id=cluster_id, from_staff=from_staff, resident_id=resident_id,
                  text=text, actor=actor)
    session.add(reply)
    session.flush()
    if from_staff:
        cluster = session.get(Cluster, cluster_id)
        record(session=session, actor=actor or "staff", action="answer" if resident_id is None else "answer_one",
               target=f"cluster:{cluster.code if cluster else cluster_id}", after={"reply": reply.id})
    return reply


def _queue(session: Session, key: str, resident: Resident, cluster: Cluster, text: str, purpose: OutboxPurpose,
           **extra: Any) -> None:
    """Queue one message to one resident (`extra`: more payload fields, e.g. a keyboard)."""
    assert resident.telegram_id is not None
    enqueue(session=session, message=OutboxBase(
        dedupe_key=key, chat_id=resident.telegram_id, resident_id=resident.id, cluster_id=cluster.id,
        payload=payloads.message(text, **extra),
        purpose=purpose))


def answer_text(cluster: Cluster, reply: Reply) -> str:
    """A staff answer as every resident of the cluster reads it (re-rendered when the title changes)."""
    return t("answer_to_resident", code=cluster.code, title=cluster.title[:200], text=reply.text)


def answer_cluster(*, session: Session, config: AppConfig, cluster_id: int, text: str, source_key: str,
                   actor: str | None = None) -> Outcome:
    """Store a staff answer (sent by `actor`, e.g. "staff:123") and queue it for every resident following the
    cluster."""
    cluster = _cluster(session, cluster_id)
    assert cluster.id is not None  # _cluster returns stored clusters only
    reply = store_reply(session, source_key, cluster_id=cluster.id, from_staff=True, text=_checked_text(text),
                        actor=actor)
    now = utcnow()
    cluster.first_answer_at = cluster.first_answer_at or now
    cluster.last_answer_at = now
    if cluster.status == ClusterStatus.BARU:  # answered now; a status staff chose is never overridden
        cluster.status, cluster.updated_at = ClusterStatus.DITANGGAPI, now
        record(session=session, actor="system", action="status", target=f"cluster:{cluster.code}",
               before={"status": ClusterStatus.BARU}, after={"status": ClusterStatus.DITANGGAPI})
        refresh_cards(session=session, config=config, cluster=cluster, source_key=source_key)
    session.add(cluster)
    message = answer_text(cluster, reply)
    residents = followers(session=session, cluster_id=reply.cluster_id)
    for resident in residents:
        _queue(session, f"answer:{reply.id}:{resident.id}", resident, cluster, message, ANSWER,
               reply_markup=rating_keyboard(reply.id or 0))  # 👍/👎 (services/answers/satisfaction.py)
    return Outcome(code=str(cluster.code), count=len(residents))


def answer_resident(
    *, session: Session, cluster_id: int, resident_id: int, text: str, source_key: str, actor: str | None = None
) -> Outcome:
    """Store a staff answer to one resident's follow-up and queue it for that resident only."""
    cluster = _cluster(session, cluster_id)
    assert cluster.id is not None  # _cluster returns stored clusters only
    resident = session.get(Resident, resident_id)
    reply = store_reply(session, source_key, cluster_id=cluster.id, from_staff=True, resident_id=resident_id,
                        text=_checked_text(text), actor=actor)
    if resident is None or resident.telegram_id is None or resident.deleted_at is not None:
        return Outcome(code=str(cluster.code), count=0)
    message = t("answer_to_one_resident", code=cluster.code, text=reply.text)
    _queue(session, f"answer:{reply.id}:{resident_id}", resident, cluster, message, ANSWER_ONE)
    return Outcome(code=str(cluster.code), count=1, label=resident_label(resident))


def parse_status(value: str) -> ClusterStatus:
    """Return the status code a staff member typed, or raise AnswerError."""
    try:
        return ClusterStatus(value.strip().lower())
    except ValueError:
        codes = ", ".join(s.value for s in ClusterStatus)
        raise AnswerError("staff_unknown_status", status=value, codes=codes) from None


def change_status(
    *, session: Session, config: AppConfig, cluster_id: int, status: str, note: str, source_key: str, actor: str
) -> Outcome:
    """Set a cluster's status, update its staff-chat messages and tell its residents (with the note)."""
    cluster, new = _cluster(session, cluster_id), parse_status(status)
    if cluster.status == new:
        return Outcome(code=str(cluster.code), count=0, changed=False, status=new)
    before = cluster.status
    cluster.status, cluster.updated_at = new, utcnow()
    session.add(cluster)
    record(session=session, actor=actor, action="status", target=f"cluster:{cluster.code}",
           before={"status": before}, after={"status": new, "note": note[:500]})
    refresh_cards(session=session, config=config, cluster=cluster, source_key=source_key)
    open_round(session=session, cluster=cluster)  # selesai/ditindaklanjuti: residents are asked if it is solved
    parts = [t("status_to_resident", code=cluster.code, status=status_label(new), title=cluster.title[:200])]
    if note.strip():
        parts.append(t("status_note", note=note.strip()[:MAX_ANSWER_CHARS]))
    parts.append(t("reply_hint"))
    residents = followers(session=session, cluster_id=cluster_id)
    for resident in residents:
        _queue(session, f"status:{source_key}:{resident.id}", resident, cluster, "\n\n".join(parts), STATUS)
    return Outcome(code=str(cluster.code), count=len(residents), status=new)
