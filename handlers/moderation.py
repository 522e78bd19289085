"""Moderator commands in the private chat: merge, split, hide, show, rename, recategorise (roles: access.py)."""

import html
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.outbox_worker import wake_outbox
from models.clusters import normalise_code
from models.outbox import OutboxPurpose
from models.pending import PendingAction, claim_pending, create_pending
from services import callbacks, curation, moderation, previews
from services.config import AppConfig
from services.moderation import Actor, ModerationError, Moved
from services.notify import queue_notices
from services.previews import ClusterSummary
from services.roles import is_admin, moderated_forums
from services.texts import raw, t

T = TypeVar("T")


def actor_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor:
    """The moderator behind an update and the forums they moderate."""
    user = update.effective_user
    assert user is not None
    forums = frozenset(f.id for f in moderated_forums(deps(context).config, user.id))
    return Actor(f"moderator:{user.id}", forums)


def tell_residents(session: Session, moved: Moved, key: str) -> int:
    """Queue the short notice about a merge or split for the residents concerned; return how many."""
    text = t(key, kept=moved.kept_code, other=moved.other_code, title=moved.kept_title[:120],
             codes=", ".join(moved.proposal_codes[:5]))
    recipients = list(moved.recipients)
    queue_notices(session=session, recipients=recipients, key=f"{key}:{moved.other_code}:{moved.kept_code}",
                  text=text, purpose=OutboxPurpose.MODERATION, cluster_id=moved.cluster_id)
    return len(recipients)


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


PREVIEW_AGE = timedelta(hours=24)  # a Ya button older than this does nothing


def merge_preview_text(config: AppConfig, keep: ClusterSummary, absorb: ClusterSummary) -> str:
    """The preview of a merge; a warning line when the categories differ."""
    def label(code: str | None) -> str:
        category = config.categories.get(code or "")
        return category.label if category is not None else (code or "-")

    text = t("mod_preview_merge", keep=keep.code, keep_title=keep.title[:150], keep_size=keep.size,
             keep_category=label(keep.category), absorb=absorb.code, absorb_title=absorb.title[:150],
             absorb_size=absorb.size, absorb_category=label(absorb.category))
    if keep.category != absorb.category:
        text += "\n\n" + t("mod_preview_category_warning", keep=label(keep.category), absorb=label(absorb.category))
    return text


def confirm_keyboard(pending: PendingAction) -> InlineKeyboardMarkup:
    """Ya / Batal for a stored preview."""
    yes, no = (callbacks.pending(verdict, pending.id, pending.token) for verdict in (callbacks.YES, callbacks.NO))
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("mod_confirm_yes"), callback_data=yes),
                                  InlineKeyboardButton(t("mod_confirm_no"), callback_data=no)]])


async def merge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/gabung K-0001 K-0002: preview merging the second cluster into the first, with Ya / Batal."""
    args, user = context.args or [], update.effective_user
    if len(args) != 2 or user is None:
        await usage(update, context, "mod_usage_gabung")
        return
    actor, config = actor_of(update, context), deps(context).config

    def _work(session: Session) -> tuple[str, InlineKeyboardMarkup]:
        keep, absorb = previews.merge_preview(session=session, actor=actor, keep_code=args[0], absorb_code=args[1])
        pending = create_pending(session=session, user_id=user.id, action="merge",
                                 args={"keep": keep.code, "absorb": absorb.code})
        return merge_preview_text(config, keep, absorb), confirm_keyboard(pending)

    done = await act(update, context, "mod_merge", _work)
    if done is not None:
        await reply(update, context, "mod_merge", done[0], done[1])


async def confirm_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ya / Batal on a preview: claimed once, by the moderator who asked, within PREVIEW_AGE."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.data is not None and user is not None
    _, verdict, raw_id, token = query.data.split(":")
    actor, grouping = actor_of(update, context), deps(context).grouping

    def _work(session: Session) -> tuple[Moved, int] | None:
        pending = claim_pending(session=session, pending_id=int(raw_id), token=token, user_id=user.id,
                                max_age=PREVIEW_AGE)
        if pending is None:
            raise ModerationError("mod_preview_gone")
        if verdict != "ya":
            return None
        moved = moderation.merge(session=session, grouping=grouping, actor=actor, keep_code=pending.args["keep"],
                                 absorb_code=pending.args["absorb"])
        return moved, tell_residents(session, moved, "resident_merged")

    await query.answer()
    try:
        done = await run_db(context, _work)
    except ModerationError as exc:
        await query.edit_message_text(t(exc.key, **exc.values), parse_mode="HTML")
        return
    wake_outbox(context)
    if done is None:
        await query.edit_message_text(t("mod_preview_cancelled"), parse_mode="HTML")
        return
    moved, told = done
    await query.edit_message_text(t("mod_merged_done", kept=moved.kept_code, other=moved.other_code,
                                    count=len(moved.proposal_codes), told=told), parse_mode="HTML")


async def split(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pisah ASP-… [K-…]: move an aspiration into another cluster or a new one."""
    args = context.args or []
    if len(args) not in (1, 2):
        await usage(update, context, "mod_usage_pisah")
        return
    actor, grouping = actor_of(update, context), deps(context).grouping

    def _work(session: Session) -> tuple[Moved, int]:
        moved = moderation.split(session=session, grouping=grouping, actor=actor, proposal_code=args[0],
                                 target_code=args[1] if len(args) == 2 else None)
        return moved, tell_residents(session, moved, "resident_split")

    done = await act(update, context, "mod_split", _work)
    if done is not None:
        moved, told = done
        await reply(update, context, "mod_split", t("mod_split_done", kept=moved.kept_code, other=moved.other_code,
                                                      codes=", ".join(moved.proposal_codes), told=told))


async def _set_hidden(update: Update, context: ContextTypes.DEFAULT_TYPE, hidden: bool) -> None:
    """Hide or show the cluster or aspiration named in the command."""
    args, command = context.args or [], "sembunyikan" if hidden else "tampilkan"
    if len(args) != 1:
        await usage(update, context, "mod_usage_code", command=command)
        return
    actor, grouping = actor_of(update, context), deps(context).grouping
    change = curation.hide if hidden else curation.unhide
    code = await act(update, context, command,
                     lambda s: change(session=s, grouping=grouping, actor=actor, code=args[0]))
    if code is not None:
        await reply(update, context, command, t("mod_hidden_done" if hidden else "mod_unhidden_done", code=code))


async def hide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sembunyikan K-…|ASP-…: hide spam, kept but shown nowhere."""
    await _set_hidden(update, context, True)


async def unhide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tampilkan K-…|ASP-…: show a hidden cluster or aspiration again."""
    await _set_hidden(update, context, False)


async def rename(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/judul K-0001 <judul baru>: rename a cluster."""
    args = context.args or []
    if len(args) < 2:
        await usage(update, context, "mod_usage_judul")
        return
    actor = actor_of(update, context)
    cluster = await act(update, context, "mod_rename",
                        lambda s: curation.rename(session=s, actor=actor, code=args[0], title=" ".join(args[1:])))
    if cluster is not None:
        await reply(update, context, "mod_rename", t("mod_renamed", code=cluster.code, title=cluster.title))


async def recategorise(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kategori K-0001 <kode>: change a cluster's category."""
    args = context.args or []
    config = deps(context).config
    if len(args) != 2:
        choices = "\n".join(t("mod_category_choice", code=code, label=c.label) for code, c in config.categories.items())
        code = html.escape(normalise_code(args[0]) if args else "K-0001")
        await reply(update, context, "mod_usage_kategori", raw("mod_usage_kategori", code=code, choices=choices or "-"))
        return
    actor = actor_of(update, context)
    allowed = set(config.categories) or None  # any code when config defines no categories
    cluster = await act(update, context, "mod_category", lambda s: curation.recategorise(
        session=s, actor=actor, code=args[0], category=args[1], allowed=allowed))
    if cluster is not None:
        await reply(update, context, "mod_category", t("mod_recategorised", code=cluster.code,
                                                         category=config.category_label(cluster.category)))


async def move_home(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pindah K-0001 <forum-id>: give a cluster another home forum (its home's moderator or an admin)."""
    args, config, user = context.args or [], deps(context).config, update.effective_user
    forums = {f.id for f in config.forums}
    if len(args) != 2 or user is None:
        await usage(update, context, "mod_usage_pindah", forums=", ".join(sorted(forums)))
        return
    actor = Actor(f"admin:{user.id}", frozenset(forums)) if is_admin(config, user.id) else actor_of(update, context)
    cluster = await act(update, context, "mod_move", lambda s: curation.move_home(
        session=s, actor=actor, code=args[0], forum_id=args[1], forums=forums))
    if cluster is not None:
        await reply(update, context, "mod_move", t("mod_moved_home", code=cluster.code, forum=cluster.home_forum_id))


async def moderator_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/moderasi: list the moderator commands."""
    await reply(update, context, "mod_help", t("mod_help"))
