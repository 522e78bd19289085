"""After an erasure: the messages already in Telegram chats that carry the resident's words.

Staff-chat cards of re-titled clusters are edited (no time limit); a digest in a moderator's chat is edited
to its rewritten text; the resident's follow-up copies (and copied photos) in the staff chat and digest
charts are deleted, which Telegram allows for 48 hours only; a staff answer other residents received is
edited to show the new title; a reopen note that quoted their comment on whether a problem is solved (linked
to them by provenance) is rendered again without it and edited, or rewritten while still unsent. What cannot
be reached (older messages to delete, status notices other residents received) is counted, and the resident
is told.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from models.clusters import Cluster
from models.digests import Digest, DigestState
from models.outbox import OutboxBase, OutboxMessage, OutboxMethod, OutboxPurpose, OutboxState, enqueue
from models.provenance import Derived, derived_from, link
from models.replies import Reply
from models.residents import Resident
from models.satisfaction import SatisfactionRound
from services.answers.followups import followup_text
from services.answers.satisfaction import REOPEN_NOTE, reopen_note
from services.answers.staff_answers import answer_text
from services.answers.staffchat import FOLLOWUP, STAFF_CLUSTER, refresh_cards
from services.core import payloads
from services.core.config import AppConfig
from services.digests.delivery import digest_messages
from services.privacy.outbox_files import UNSENT

DELETABLE_FOR = timedelta(hours=48)  # Telegram's limit for a bot deleting its own messages
CARDS = 50  # staff-chat cards of one cluster brought up to date


@dataclass(frozen=True)
class Reach:
    """Messages in Telegram chats: edited, deleted, and those that cannot be changed any more."""

    edited: int = 0
    deleted: int = 0
    unreachable: int = 0

    def __add__(self, other: "Reach") -> "Reach":
        return Reach(self.edited + other.edited, self.deleted + other.deleted, self.unreachable + other.unreachable)


def _delete(session: Session, row: OutboxMessage, key: str, now: datetime) -> Reach:
    """Queue the deletion of a sent message while Telegram still allows it."""
    if row.telegram_message_id is None or row.sent_at is None or row.sent_at < now - DELETABLE_FOR:
        return Reach(unreachable=1)
    enqueue(session=session, message=OutboxBase(
        dedupe_key=f"{key}:delete:{row.id}", chat_id=row.chat_id, method=OutboxMethod.DELETE_MESSAGE,
        payload={"message_id": row.telegram_message_id}, cluster_id=row.cluster_id, purpose=OutboxPurpose.ERASURE))
    return Reach(deleted=1)


def _edit_digest(session: Session, config: AppConfig, row: OutboxMessage, key: str, now: datetime) -> Reach:
    """Show a moderator's digest message as its rewritten digest renders it (a chart is deleted)."""
    parts = row.dedupe_key.split(":")  # digest:ID:mod:MODERATOR:I, digest:ID:ringkasan:UPDATE:I, digest:ID:staff:…
    digest = session.get(Digest, int(parts[1]))
    if parts[2] == "staff":
        return _delete(session, row, key, now) if parts[3] == "chart" else Reach()
    on_demand = parts[2] == "ringkasan"
    messages = digest_messages(config, digest, on_demand=on_demand) if digest is not None else []
    index = int(parts[-1])
    if (row.method != OutboxMethod.SEND_MESSAGE or index >= len(messages)
            or messages[index][0] != OutboxMethod.SEND_MESSAGE or row.telegram_message_id is None):
        return _delete(session, row, key, now)
    assert digest is not None
    open_ = digest.state in {DigestState.BUILT, DigestState.DRAFT}  # a forwarded digest keeps no buttons
    keyboard = messages[index][1].get("reply_markup") if open_ else None
    payload = payloads.edit(row.telegram_message_id, str(messages[index][1]["text"]),
                            **({"reply_markup": keyboard} if keyboard else {}))
    enqueue(session=session, message=OutboxBase(
        dedupe_key=f"{key}:edit:{row.id}", chat_id=row.chat_id, method=OutboxMethod.EDIT_MESSAGE_TEXT,
        payload=payload, purpose=OutboxPurpose.ERASURE))
    return Reach(edited=1)


def _sent(session: Session, *conditions: Any) -> list[OutboxMessage]:
    """Sent messages matching the conditions, oldest first."""
    return list(session.exec(select(OutboxMessage).where(
        col(OutboxMessage.state) == OutboxState.SENT, *conditions).order_by(col(OutboxMessage.id))).all())


def reach_chats(*, session: Session, config: AppConfig, resident_id: int, erased: set[int],
                retitled: list[Cluster], digests: list[int], now: datetime) -> Reach:
    """Edit or delete the sent messages that carry the resident's words; count those out of reach."""
    key, reach = f"erase:{resident_id}", Reach()
    for cluster in retitled:
        refresh_cards(session=session, config=config, cluster=cluster, source_key=key, limit=CARDS)
        reach += Reach(edited=len(_sent(session, col(OutboxMessage.cluster_id) == cluster.id,
                                        col(OutboxMessage.purpose) == STAFF_CLUSTER)))
    for row in _sent(session, col(OutboxMessage.resident_id) == resident_id, col(OutboxMessage.purpose) == FOLLOWUP):
        reach += _delete(session, row, key, now)
    clusters = {c.id for c in retitled if c.id is not None}
    linked = derived_from(session=session, kind=Derived.OUTBOX, proposals=erased, clusters=clusters)
    for row in _sent(session, col(OutboxMessage.id).in_(linked), col(OutboxMessage.dedupe_key).startswith("digest:")):
        if int(row.dedupe_key.split(":")[1]) in digests:
            reach += _edit_digest(session, config, row, key, now)
    others = _sent(session, col(OutboxMessage.cluster_id).in_(clusters), col(OutboxMessage.chat_id) > 0,
                   col(OutboxMessage.purpose).not_in([STAFF_CLUSTER, OutboxPurpose.STAFF_EDIT, OutboxPurpose.ERASURE]),
                   col(OutboxMessage.resident_id) != resident_id)
    for row in others:  # other residents' chats: an answer is shown with the new title, the rest is out of reach
        reach += _edit_answer(session, row, key)
    for row in _sent(session, col(OutboxMessage.cluster_id).in_(clusters), col(OutboxMessage.purpose) == FOLLOWUP,
                     col(OutboxMessage.resident_id) != resident_id):
        reach += _edit_followup(session, row, key)  # other residents' follow-ups name the cluster too
    quoting = derived_from(session=session, kind=Derived.OUTBOX, residents=[resident_id])
    for row in session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(quoting))).all():
        reach += _edit_note(session, row, key)
    return reach


def _edit_note(session: Session, row: OutboxMessage, key: str) -> Reach:
    """Render a reopen note (reopen:ROUND) that quoted the resident's comment again, now without it: edit it
    in the staff chat, or rewrite it while unsent; link it to the residents it still quotes."""
    prefix, _, round_id = row.dedupe_key.partition(":")
    round_ = session.get(SatisfactionRound, int(round_id)) if prefix == REOPEN_NOTE else None
    cluster = session.get(Cluster, round_.cluster_id) if round_ is not None else None
    if round_ is None or cluster is None or row.id is None:
        return Reach(unreachable=1)
    text, quoted = reopen_note(session, cluster, round_)
    link(session=session, kind=Derived.OUTBOX, ref_id=row.id, residents=quoted, replace=True)
    if row.state in UNSENT:
        row.payload = {**row.payload, "text": text}
        session.add(row)
        return Reach()
    if row.state != OutboxState.SENT or row.telegram_message_id is None:
        return Reach()  # never reached the chat, and keeps no text
    enqueue(session=session, message=OutboxBase(
        dedupe_key=f"{key}:edit:{row.id}", chat_id=row.chat_id, method=OutboxMethod.EDIT_MESSAGE_TEXT,
        payload=payloads.edit(row.telegram_message_id, text), cluster_id=cluster.id, purpose=OutboxPurpose.ERASURE))
    return Reach(edited=1)


def _edit_followup(session: Session, row: OutboxMessage, key: str) -> Reach:
    """Show another resident's follow-up (followup:REPLY) in the staff chat with its cluster's new title."""
    reply = session.get(Reply, int(row.dedupe_key.split(":")[1]))
    cluster = session.get(Cluster, row.cluster_id) if row.cluster_id is not None else None
    resident = session.get(Resident, row.resident_id) if row.resident_id is not None else None
    if (reply is None or cluster is None or resident is None or row.telegram_message_id is None
            or row.method != OutboxMethod.SEND_MESSAGE):  # a copied photo's caption: out of reach
        return Reach(unreachable=1)
    text = followup_text(cluster, resident, reply.text, photo=False)
    enqueue(session=session, message=OutboxBase(
        dedupe_key=f"{key}:edit:{row.id}", chat_id=row.chat_id, method=OutboxMethod.EDIT_MESSAGE_TEXT,
        payload=payloads.edit(row.telegram_message_id, text), cluster_id=cluster.id, purpose=OutboxPurpose.ERASURE))
    return Reach(edited=1)


def _edit_answer(session: Session, row: OutboxMessage, key: str) -> Reach:
    """Show a staff answer a resident received (answer:REPLY:RESIDENT) with its cluster's new title."""
    reply = session.get(Reply, int(row.dedupe_key.split(":")[1])) if row.purpose == OutboxPurpose.ANSWER else None
    cluster = session.get(Cluster, row.cluster_id) if row.cluster_id is not None else None
    if reply is None or cluster is None or row.telegram_message_id is None:
        return Reach(unreachable=1)
    enqueue(session=session, message=OutboxBase(
        dedupe_key=f"{key}:edit:{row.id}", chat_id=row.chat_id, method=OutboxMethod.EDIT_MESSAGE_TEXT,
        payload=payloads.edit(row.telegram_message_id, answer_text(cluster, reply)), cluster_id=cluster.id,
        purpose=OutboxPurpose.ERASURE))
    return Reach(edited=1)
