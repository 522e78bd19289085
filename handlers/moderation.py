"""Moderator commands in the private chat: merge, split, hide, show, rename, recategorise, move (roles: access.py).

Every one of them first shows a preview with Ya / Batal (stored in `pending_action`: survives a restart, used
once, only by the moderator who asked, for 24 hours). Ya does it and leaves an **Urungkan** button that puts
everything back exactly (services.moderation.undo) for 24 hours. Only the moderator who acted can press it:
the button is in their private chat, and another moderator of the forum can still correct the change by hand."""

import html
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.outbox_worker import wake_outbox
from models.clusters import normalise_code
from models.pending import PendingAction, claim_pending, create_pending
from services.access.roles import is_admin, moderated_forums
from services.core import callbacks
from services.core.texts import raw, t
from services.core.tg_html import visible_text
from services.moderation import actions as moderation_actions
from services.moderation import previews, undo
from services.moderation.merge_split import Actor, ModerationError

T = TypeVar("T")


def actor_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor:
    """The moderator behind an update and the forums they moderate."""
    user = update.effective_user
    assert user is not None
    forums = frozenset(f.id for f in moderated_forums(deps(context).config, user.id))
    return Actor(f"moderator:{user.id}", forums)


def acting_for(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> Actor:
    """Who acts: an admin moving a cluster to another forum acts for every forum, anyone else for theirs."""
    config, user = deps(context).config, update.effective_user
    if action == "move_home" and user is not None and is_admin(config, user.id):
        return Actor(f"admin:{user.id}", frozenset(f.id for f in config.forums))
    return actor_of(update, context)


async def act(
    update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, work: Callable[[Session], T]
) -> T | None:
    """Run a moderator action in one transaction; answer a refusal in plain words and return None."""
    try:
        result = await run_db(context, work)
    except ModerationError as exc:
        await reply(update, context, key, t(exc.key, **exc.values))
        return None
    wake_outbox(context)  # notices to residents may have been queued
    return result


async def usage(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, **values: object) -> None:
    """Explain how a command is written."""
    await reply(update, context, key, t(key, **values))


PREVIEW_AGE = timedelta(hours=24)  # a Ya or Urungkan button older than this does nothing


def _button(label: str, verdict: str, pending: PendingAction) -> InlineKeyboardButton:
    """One button naming a stored action."""
    return InlineKeyboardButton(label, callback_data=callbacks.pending(verdict, pending.id, pending.token))


def confirm_keyboard(pending: PendingAction) -> InlineKeyboardMarkup:
    """Ya / Batal for a stored preview."""
    return InlineKeyboardMarkup([[_button(t("mod_confirm_yes"), callbacks.YES, pending),
                                  _button(t("mod_confirm_no"), callbacks.NO, pending)]])


def undo_keyboard(pending: PendingAction) -> InlineKeyboardMarkup:
    """Urungkan under a confirmation."""
    return InlineKeyboardMarkup([[_button(t("mod_undo_button"), callbacks.UNDO, pending)]])


def preview_work(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, args: dict[str, Any]
                 ) -> Callable[[Session], tuple[str, InlineKeyboardMarkup]]:
    """Database work that checks an action, stores it for Ya / Batal and renders its preview."""
    actor, config, user = acting_for(update, context, action), deps(context).config, update.effective_user
    assert user is not None

    def _work(session: Session) -> tuple[str, InlineKeyboardMarkup]:
        text = previews.preview(session=session, config=config, actor=actor, action=action, args=args)
        pending = create_pending(session=session, user_id=user.id, action=action, args=args)
        return text, confirm_keyboard(pending)

    return _work


async def propose(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, args: dict[str, Any]) -> None:
    """Answer a cluster-changing command with its preview and Ya / Batal (nothing changes yet)."""
    done = await act(update, context, f"mod_{action}", preview_work(update, context, action, args))
    if done is not None:
        await reply(update, context, f"mod_{action}", done[0], done[1])


def _claim(session: Session, user_id: int, raw_id: str, token: str, undoing: bool) -> PendingAction:
    """The stored action a button names, claimed once; ModerationError when it is used, old, forged or not
    this user's, or when an Urungkan names a preview (or Ya an undo)."""
    pending = claim_pending(session=session, pending_id=int(raw_id), token=token, user_id=user_id,
                            max_age=PREVIEW_AGE)
    if pending is None or (pending.action == undo.UNDO_ACTION) != undoing:
        raise ModerationError("mod_preview_gone")
    return pending


def _confirm(update: Update, context: ContextTypes.DEFAULT_TYPE, verdict: str, raw_id: str, token: str
             ) -> Callable[[Session], tuple[str, InlineKeyboardMarkup | None]]:
    """Database work behind Ya, Batal and Urungkan."""
    user, d = update.effective_user, deps(context)
    assert user is not None

    def _work(session: Session) -> tuple[str, InlineKeyboardMarkup | None]:
        pending = _claim(session, user.id, raw_id, token, verdict == callbacks.UNDO)
        assert pending.id is not None
        actor = acting_for(update, context, pending.args.get("action", pending.action))
        if verdict == callbacks.NO:
            return t("mod_preview_cancelled"), None
        if verdict == callbacks.UNDO:
            return moderation_actions.take_back(session=session, grouping=d.grouping, actor=actor,
                                                undo_args=pending.args, pending_id=pending.id)[0], None
        done = moderation_actions.perform(session=session, grouping=d.grouping, config=d.config, actor=actor,
                                          action=pending.action, args=pending.args, pending_id=pending.id)
        if not done.undo:
            return done.text, None
        again = create_pending(session=session, user_id=user.id, action=undo.UNDO_ACTION, args=done.undo)
        return done.text + "\n\n" + t("mod_undo_hint"), undo_keyboard(again)

    return _work


async def confirm_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ya / Batal on a preview, Urungkan on a confirmation: claimed once, by the moderator who acted, within
    PREVIEW_AGE; a used, old, forged or someone else's button changes nothing and says so in a pop-up."""
    query = update.callback_query
    assert query is not None and query.data is not None
    verdict, raw_id, token = callbacks.matched(callbacks.PENDING_PATTERN, query.data)
    try:
        text, markup = await run_db(context, _confirm(update, context, verdict, raw_id, token))
    except ModerationError as exc:
        await query.answer(visible_text(t(exc.key, **exc.values))[:200], show_alert=True)  # pop-ups are plain
        return
    await query.answer()
    wake_outbox(context)
    await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)


async def merge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/gabung K-0001 K-0002: preview merging the second cluster into the first, with Ya / Batal."""
    args = context.args or []
    if len(args) != 2:
        await usage(update, context, "mod_usage_gabung")
        return
    await propose(update, context, "merge", {"keep": args[0], "absorb": args[1]})


async def split(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pisah ASP-… [K-…]: preview moving an aspiration into another cluster or a new one."""
    args = context.args or []
    if len(args) not in (1, 2):
        await usage(update, context, "mod_usage_pisah")
        return
    await propose(update, context, "split", {"proposal": args[0], "target": args[1] if len(args) == 2 else None})


async def _set_hidden(update: Update, context: ContextTypes.DEFAULT_TYPE, hidden: bool) -> None:
    """Preview hiding or showing the cluster or aspiration named in the command."""
    args, command = context.args or [], "sembunyikan" if hidden else "tampilkan"
    if len(args) != 1:
        await usage(update, context, "mod_usage_code", command=command)
        return
    await propose(update, context, "hide" if hidden else "unhide", {"code": args[0]})


async def hide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sembunyikan K-…|ASP-…: hide spam, kept but shown nowhere (after a preview)."""
    await _set_hidden(update, context, True)


async def unhide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tampilkan K-…|ASP-…: show a hidden cluster or aspiration again (after a preview)."""
    await _set_hidden(update, context, False)


async def rename(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/judul K-0001 <judul baru>: preview renaming a cluster."""
    args = context.args or []
    if len(args) < 2:
        await usage(update, context, "mod_usage_judul")
        return
    await propose(update, context, "rename", {"code": args[0], "title": " ".join(args[1:])})


async def recategorise(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kategori K-0001 <kode>: preview changing a cluster's category."""
    args = context.args or []
    config = deps(context).config
    if len(args) != 2:
        choices = "\n".join(t("mod_category_choice", code=code, label=c.label) for code, c in config.categories.items())
        code = html.escape(normalise_code(args[0]) if args else "K-0001")
        await reply(update, context, "mod_usage_kategori", raw("mod_usage_kategori", code=code, choices=choices or "-"))
        return
    await propose(update, context, "recategorise", {"code": args[0], "category": args[1]})


async def move_home(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pindah K-0001 <forum-id>: preview giving a cluster another home forum (its home's moderator or an admin)."""
    args, config = context.args or [], deps(context).config
    if len(args) != 2:
        await usage(update, context, "mod_usage_pindah", forums=", ".join(sorted(f.id for f in config.forums)))
        return
    await propose(update, context, "move_home", {"code": args[0], "forum": args[1]})


async def moderator_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/moderasi: list the moderator commands."""
    await reply(update, context, "mod_help", t("mod_help"))
