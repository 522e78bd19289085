"""Moderators and digests: /ringkasan of the running period, hide toggles and Teruskan ke staf on digests."""

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.outbox_worker import wake_outbox
from handlers.sender import deliver_now
from models.outbox import OutboxBase, OutboxMethod, OutboxPurpose
from models.types import utcnow
from services.access.roles import moderated_forums
from services.core import callbacks
from services.core.texts import t
from services.digests import delivery


def clock(bot_data: dict[Any, Any]) -> datetime:
    """The current time; tests put a controllable clock in bot_data["clock"]."""
    now: Callable[[], datetime] = bot_data.get("clock", utcnow)
    return now()


async def ringkasan(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the running period of the moderator's forums (or the one named) with the review buttons."""
    user = update.effective_user
    assert user is not None and update.effective_chat is not None
    d = deps(context)
    forums = moderated_forums(d.config, user.id)
    if not forums:
        await reply(update, context, "ringkasan", t("ringkasan_not_moderator"))
        return
    if context.args:
        wanted = [f for f in forums if f.id == context.args[0].strip().lower()]
        if not wanted:
            await reply(update, context, "ringkasan", t("ringkasan_unknown_forum", forum=context.args[0],
                                                        forums=", ".join(f.id for f in forums)))
            return
        forums = wanted
    now = clock(context.bot_data)
    for forum in forums:
        def draft(s: Session, fid: str = forum.id) -> tuple[int, list[tuple[OutboxMethod, dict[str, Any]]]]:
            digest = delivery.draft_digest(session=s, config=d.config, forum_id=fid, now=now)
            return int(digest.id or 0), delivery.digest_messages(d.config, digest, on_demand=True)

        digest_id, messages = await run_db(context, draft)
        for i, (method, payload) in enumerate(messages):
            key = f"digest:{digest_id}:ringkasan:{update.update_id}:{i}"  # digest:ID:... links it to the digest
            await deliver_now(context.bot, d.engine, OutboxBase(
                dedupe_key=key, chat_id=update.effective_chat.id, method=method, payload=payload,
                purpose=OutboxPurpose.REPLY))
            await run_db(context, partial(_link, dedupe_key=key))


def _link(session: Session, *, dedupe_key: str) -> None:
    """Link a digest message shown by /ringkasan to its digest (models.provenance)."""
    delivery.link_message(session=session, dedupe_key=dedupe_key)


async def digest_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle Sembunyikan K-… (toggle) and Teruskan ke staf on a digest; only the forum's moderators may."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.data is not None and user is not None
    action, digest_id, cluster_id = callbacks.parse_digest(query.data)
    d = deps(context)
    actor = f"moderator:{user.id}"

    def _act(session: Session) -> tuple[str, dict[str, Any] | None]:
        digest = delivery.moderated_digest(session=session, config=d.config, digest_id=digest_id, user_id=user.id)
        if cluster_id is None:  # DIGEST_FORWARD: only checked here, the work follows the answer
            delivery.check_forwardable(session=session, config=d.config, digest=digest)
            return t("digest_forwarding"), None
        keyboard, hidden = delivery.toggle_cluster(session=session, digest=digest, cluster_id=cluster_id, actor=actor)
        code = next((c["code"] for c in digest.content["top"] if c["id"] == cluster_id), str(cluster_id))
        return t("digest_toggled_hidden" if hidden else "digest_toggled_shown", code=code), keyboard

    try:
        notice, keyboard = await run_db(context, _act)
    except delivery.DigestError as exc:
        await query.answer(t(exc.key), show_alert=True)
        if exc.key == "digest_already_forwarded":
            await _set_keyboard(update, None)
        return
    await query.answer(notice)  # at once: forwarding builds a chart and a card per cluster
    if action == callbacks.DIGEST_FORWARD:
        await _forward(update, context, digest_id, actor)
    else:
        await _set_keyboard(update, keyboard)


async def _forward(update: Update, context: ContextTypes.DEFAULT_TYPE, digest_id: int, actor: str) -> None:
    """Forward a digest to the staff chat after the button was answered; the moderator gets the result."""
    d = deps(context)
    now = clock(context.bot_data)

    def _work(session: Session) -> int:
        return delivery.forward_digest(session=session, config=d.config, digest_id=digest_id, actor=actor, now=now)

    try:
        count = await run_db(context, _work)
    except delivery.DigestError as exc:  # another moderator or the schedule was faster, after the check
        await reply(update, context, "digest_forwarded", t(exc.key))
        return
    await _set_keyboard(update, None)
    wake_outbox(context)
    await reply(update, context, "digest_forwarded", t("digest_forwarded", count=count))


async def _set_keyboard(update: Update, keyboard: dict[str, Any] | None) -> None:
    """Show the digest's buttons as they now are (none once forwarded); a repeat is harmless."""
    query = update.callback_query
    assert query is not None
    markup = InlineKeyboardMarkup.de_json(keyboard, query.get_bot()) if keyboard else None
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
