"""Residents answering back: a reply to an answer or status message becomes a follow-up in the staff chat.

Staff see the redacted text under the cluster's message, labelled "Warga 83 · Lok Tuan": never the
resident's Telegram name, username or id. The content is copied (redacted), never forwarded.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from models.clusters import Cluster
from models.outbox import OutboxBase, OutboxMessage, OutboxMethod, enqueue, find_sent
from models.residents import Resident, find_resident
from nlp.redact import redact
from services.access.people import resident_label
from services.answers.staff_answers import TALKS_BACK, AnswerError, store_reply
from services.answers.staffchat import FOLLOWUP, STAFF_CLUSTER, html_payload, latest_staff_message, staff_chat
from services.core.config import AppConfig
from services.core.texts import t

MAX_TEXT = 3000
MAX_CAPTION = 700  # Telegram captions stop at 1024 characters


@dataclass(frozen=True)
class Followup:
    """A resident's follow-up as stored and queued."""

    code: str
    reply_id: int


@dataclass(frozen=True)
class StaffTarget:
    """What a staff member's reply in the staff chat points at."""

    cluster_id: int
    resident_id: int | None  # set when it answers one resident's follow-up


def conversation_of(*, session: Session, telegram_id: int, message_id: int) -> OutboxMessage | None:
    """The answer or status message a resident replied to, if it was sent to this resident."""
    row = find_sent(session=session, chat_id=telegram_id, message_id=message_id)
    if row is None or row.purpose not in TALKS_BACK or row.cluster_id is None:
        return None
    resident = find_resident(session=session, telegram_id=telegram_id)
    if resident is None or row.resident_id != resident.id:
        return None
    return row


def _staff_payload(session: Session, config: AppConfig, cluster_id: int, text: str) -> dict[str, Any]:
    """Threaded under the cluster's latest staff message (and in its topic) when there is one."""
    chat = staff_chat(config)
    anchor = latest_staff_message(session=session, cluster_id=cluster_id, chat_id=chat)
    payload = html_payload(text, config)
    if anchor is not None and anchor.telegram_message_id is not None:
        payload["reply_parameters"] = {"message_id": anchor.telegram_message_id,
                                       "allow_sending_without_reply": True}
        if anchor.payload.get("message_thread_id") is not None:
            payload["message_thread_id"] = anchor.payload["message_thread_id"]
    return payload


def followup_text(cluster: Cluster, resident: Resident, text: str, *, photo: bool) -> str:
    """A follow-up as staff read it: who (a label, never a name), which cluster, the redacted text."""
    limit = MAX_CAPTION if photo else MAX_TEXT
    return t("staff_followup", label=resident_label(resident), code=cluster.code, title=cluster.title[:120],
             text=text[:limit] or "📷")


def record_followup(
    *, session: Session, config: AppConfig, telegram_id: int, replied_to: int, text: str, source_key: str,
    photo_message_id: int | None = None,
) -> Followup | None:
    """Store a resident's (redacted) follow-up and queue a copy for the staff chat; None if not a conversation."""
    row = conversation_of(session=session, telegram_id=telegram_id, message_id=replied_to)
    if row is None or row.cluster_id is None:
        return None
    resident = find_resident(session=session, telegram_id=telegram_id)
    cluster = session.get(Cluster, row.cluster_id)
    assert resident is not None and cluster is not None
    clean = redact(text.strip())
    if not clean and photo_message_id is None:
        raise AnswerError("followup_unsupported")
    reply = store_reply(session, source_key, cluster_id=row.cluster_id, from_staff=False, resident_id=resident.id,
                        text=clean)
    body = followup_text(cluster, resident, clean, photo=photo_message_id is not None)
    payload = _staff_payload(session, config, row.cluster_id, body)
    method = OutboxMethod.SEND_MESSAGE
    if photo_message_id is not None:  # copy the photo with our caption: the resident's own caption is not sent
        method = OutboxMethod.COPY_MESSAGE
        payload = {**{k: v for k, v in payload.items() if k not in {"text", "link_preview_options"}},
                   "from_chat_id": telegram_id, "message_id": photo_message_id, "caption": body}
    enqueue(session=session, message=OutboxBase(
        dedupe_key=f"followup:{reply.id}", chat_id=staff_chat(config), method=method, payload=payload,
        resident_id=resident.id, cluster_id=cluster.id, purpose=FOLLOWUP))
    return Followup(code=str(cluster.code), reply_id=int(reply.id or 0))


def staff_target(*, session: Session, config: AppConfig, message_id: int) -> StaffTarget | None:
    """What a reply in the staff chat answers: a cluster message, or one resident's follow-up."""
    row = find_sent(session=session, chat_id=staff_chat(config), message_id=message_id)
    if row is None or row.cluster_id is None or row.purpose not in {STAFF_CLUSTER, FOLLOWUP}:
        return None
    resident_id = row.resident_id if row.purpose == FOLLOWUP else None
    if row.purpose == FOLLOWUP and resident_id is None:
        return None  # the resident deleted their data
    return StaffTarget(cluster_id=row.cluster_id, resident_id=resident_id)
