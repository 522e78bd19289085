"""/lampiran K-0042: the photos and location pins of a cluster, sent to the staff chat (for staff) or to a
moderator's private chat, by Telegram file id and without who sent them."""

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.outbox_worker import wake_outbox
from models.attachments import Counts
from models.clusters import get_cluster_by_code
from services.access.roles import is_admin, is_staff_chat, is_staff_member, moderated_forums
from services.answers.attachments import queue_attachments
from services.answers.staff_answers import merged_family
from services.core.config import AppConfig
from services.core.texts import t

ALL = frozenset({"*"})  # every forum: staff in the staff chat, admins


def _reach(config: AppConfig, chat_id: int, chat_type: str, user_id: int) -> frozenset[str] | None:
    """The home forums whose clusters this person may open here (every forum: `ALL`), or None."""
    if is_staff_chat(config, chat_id):
        return ALL if is_staff_member(config, user_id) else None
    if chat_type != "private":
        return None
    if is_admin(config, user_id):
        return ALL
    forums = frozenset(f.id for f in moderated_forums(config, user_id))
    return forums or None


async def lampiran(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a cluster's photos and pins to this chat, for staff (in the staff chat) and moderators."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    config = deps(context).config
    reach = _reach(config, chat.id, chat.type, user.id)
    if reach is None:
        await reply(update, context, "lampiran", t("attachments_not_allowed"))
        return
    parts = (message.text or "").split()
    if len(parts) < 2:
        await reply(update, context, "lampiran", t("attachments_usage"))
        return
    code = parts[1].upper()
    thread = message.message_thread_id if is_staff_chat(config, chat.id) else None

    def _queue(session: Session) -> Counts | None:
        cluster = get_cluster_by_code(session=session, code=code)
        while cluster is not None and cluster.merged_into_id is not None:
            cluster = session.get(type(cluster), cluster.merged_into_id)
        if cluster is None or cluster.id is None or (reach != ALL and cluster.home_forum_id not in reach):
            return None
        return queue_attachments(session=session, cluster=cluster, family=merged_family(session, cluster.id),
                                 chat_id=chat.id, request_key=f"u{update.update_id}", thread_id=thread)

    counts = await run_db(context, _queue)
    if counts is None:
        text = t("attachments_unknown", code=code)
    elif not counts.photos and not counts.pins:
        text = t("attachments_none", code=code)
    else:
        wake_outbox(context)
        text = t("attachments_queued", code=code, photos=counts.photos, pins=counts.pins)
    await reply(update, context, "lampiran", text)
