"""What the planning staff see: one message per cluster with status buttons, its updates, the overdue list.

Everything here is queued in the outbox as plain JSON payloads; no Telegram types.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.clusters import Cluster, ClusterStatus
from models.outbox import OutboxBase, OutboxMessage, OutboxMethod, OutboxPurpose, OutboxState, enqueue
from services.answers.attachments import cluster_badges
from services.core import callbacks, payloads
from services.core.config import AppConfig
from services.core.deadlines import overdue_clusters
from services.core.formats import day
from services.core.texts import status_label, t
from services.core.vulnerable import cluster_labels, labels_text
from services.intake.drafts import cluster_view

STAFF_CLUSTER, STAFF_EDIT = OutboxPurpose.STAFF_CLUSTER, OutboxPurpose.STAFF_EDIT
# A card's digest line (forum and figures, never a resident's words), kept in its outbox row for later edits; the
# sender drops keys with this prefix before calling Telegram.
DIGEST_LINE = "aspirasi_digest_line"
FOLLOWUP, OVERDUE = OutboxPurpose.FOLLOWUP, OutboxPurpose.OVERDUE


def staff_chat(config: AppConfig) -> int:
    """Return the staff chat id, or raise ValueError when config has none."""
    if config.telegram.staff_chat_id is None:
        raise ValueError("telegram.staff_chat_id is not set in config.yaml; staff messages have nowhere to go")
    return config.telegram.staff_chat_id


def html_payload(text: str, config: AppConfig, **extra: Any) -> dict[str, Any]:
    """A send_message payload for the staff chat (in its topic when it has one)."""
    thread = {} if config.telegram.staff_thread_id is None else {"message_thread_id": config.telegram.staff_thread_id}
    return payloads.message(text, **thread, **extra)


def status_keyboard(cluster_id: int, current: str) -> dict[str, Any]:
    """Inline keyboard JSON with one button per status (callbacks.status), 3 per row."""
    buttons = [
        {"text": t("staff_status_button", mark="• " if code == current else "", status=status_label(code)),
         "callback_data": callbacks.status(cluster_id, code.value)}
        for code in ClusterStatus
    ]
    return {"inline_keyboard": [buttons[i : i + 3] for i in range(0, len(buttons), 3)]}


def render_cluster(*, session: Session, config: AppConfig, cluster: Cluster, digest_line: str | None = None
                   ) -> str:
    """The staff-chat text of a cluster: code, title, supporters, places, status, digest line, hint."""
    view = cluster_view(session=session, cluster=cluster)
    category = config.category_label(cluster.category) or t("digest_no_category")
    parts = [t("staff_cluster", code=view.code, title=view.title[:300], supporters=view.supporters,
               places=", ".join(view.kelurahan) or "-", category=category)]
    if digest_line:
        parts.append(digest_line)
    labels = cluster_labels(session, [cluster.id or 0]).get(cluster.id or 0)
    if labels is not None and (labels.groups or labels.aid_kinds):
        parts.append(labels_text(labels.groups, labels.aid_kinds))
    attached = cluster_badges(session=session, cluster_ids=[cluster.id or 0]).get(cluster.id or 0)
    if attached:
        parts.append(t("attachments_line", badge=attached, code=view.code))
    parts.append(t("staff_cluster_status", status=status_label(cluster.status)))
    parts.append(t("staff_cluster_hint"))
    return "\n".join(parts)


def post_cluster_to_staff(
    *, session: Session, config: AppConfig, cluster_id: int, dedupe_key: str, digest_line: str | None = None
) -> OutboxMessage:
    """Queue a cluster's message with status buttons for the staff chat (digest_line: trusted HTML)."""
    cluster = session.get(Cluster, cluster_id)
    if cluster is None or cluster.id is None:
        raise ValueError(f"no cluster with id {cluster_id}")
    text = render_cluster(session=session, config=config, cluster=cluster, digest_line=digest_line)
    payload = html_payload(text, config, reply_markup=status_keyboard(cluster.id, cluster.status))
    if digest_line:
        payload[DIGEST_LINE] = digest_line
    row, _ = enqueue(session=session, message=OutboxBase(
        dedupe_key=dedupe_key, chat_id=staff_chat(config), payload=payload, cluster_id=cluster.id,
        purpose=STAFF_CLUSTER))
    return row


def latest_staff_message(*, session: Session, cluster_id: int, chat_id: int) -> OutboxMessage | None:
    """The newest sent message of a cluster in the staff chat."""
    return session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.cluster_id == cluster_id, OutboxMessage.chat_id == chat_id,
               OutboxMessage.purpose == STAFF_CLUSTER, OutboxMessage.state == OutboxState.SENT)
        .order_by(col(OutboxMessage.id).desc())
    ).first()


def _recent_cards(session: Session, cluster_id: int, limit: int) -> list[OutboxMessage]:
    """The cluster's latest staff-chat cards, queued or sent, newest first."""
    return list(session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.cluster_id == cluster_id, OutboxMessage.purpose == STAFF_CLUSTER,
               col(OutboxMessage.state).in_([OutboxState.PENDING, OutboxState.SENT]))
        .order_by(col(OutboxMessage.id).desc()).limit(limit)
    ).all())


def refresh_cards(*, session: Session, config: AppConfig, cluster: Cluster, source_key: str, limit: int = 5) -> int:
    """Show a cluster's current card (its title, status, attachments) on its recent staff-chat messages.

    A card not sent yet gets the new text; a sent one is edited in the chat. A delivered card keeps no text in the
    database (services/privacy/outbox_files.py), so every card is rendered anew, with its digest line."""
    assert cluster.id is not None
    keyboard = status_keyboard(cluster.id, cluster.status)
    rows = _recent_cards(session, cluster.id, limit)
    for row in rows:
        line = row.payload.get(DIGEST_LINE)
        text = render_cluster(session=session, config=config, cluster=cluster, digest_line=line)
        if row.state == OutboxState.PENDING:  # not out yet: send the up-to-date text instead
            row.payload = {**row.payload, "text": text, "reply_markup": keyboard}
            session.add(row)
            continue
        enqueue(session=session, message=OutboxBase(
            dedupe_key=f"staffcard:{source_key}:{row.id}", chat_id=row.chat_id,
            method=OutboxMethod.EDIT_MESSAGE_TEXT,
            payload=payloads.edit(row.telegram_message_id, text, reply_markup=keyboard), cluster_id=cluster.id,
            purpose=STAFF_EDIT))
    return len(rows)


def post_overdue_report(*, session: Session, config: AppConfig, now: datetime) -> OutboxMessage | None:
    """Queue today's list of overdue clusters for the staff chat, once per city date; None if none are."""
    items = overdue_clusters(session=session, config=config, now=now)
    if not items:
        return None
    today = now.astimezone(config.city.tz).date()
    text = t("overdue_header", days=config.deadlines.answer_working_days, date=day(today))
    for item in items:
        line = t("overdue_item", code=item.code, title=item.title[:120], waited=item.working_days,
                 due=day(item.due), status=status_label(item.status))
        if len(text) + len(line) > 3900:  # Telegram's 4096 limit; the longest waits come first
            break
        text += "\n" + line
    row, _ = enqueue(session=session, message=OutboxBase(
        dedupe_key=f"overdue:{today.isoformat()}", chat_id=staff_chat(config), payload=html_payload(text, config),
        purpose=OVERDUE))
    return row
