"""Moderator commands in the private chat: merge, split, hide, show, rename, recategorise (roles: access.py)."""

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.outbox_worker import wake_outbox
from services import curation, moderation
from services.moderation import Actor, ModerationError, Moved
from services.notify import queue_notices
from services.roles import is_admin, moderated_forums
from services.texts import t

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
                  text=text, purpose="moderation", cluster_id=moved.cluster_id)
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


async def merge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/gabung K-0001 K-0002: merge the second cluster into the first."""
    args = context.args or []
    if len(args) != 2:
        await usage(update, context, "mod_usage_gabung")
        return
    actor, grouping = actor_of(update, context), deps(context).grouping

    def _work(session: Session) -> tuple[Moved, int]:
        moved = moderation.merge(session=session, grouping=grouping, actor=actor, keep_code=args[0],
                                 absorb_code=args[1])
        return moved, tell_residents(session, moved, "resident_merged")

    done = await act(update, context, "mod_merge", _work)
    if done is not None:
        moved, told = done
        await reply(update, context, "mod_merge", t("mod_merged_done", kept=moved.kept_code, other=moved.other_code,
                                                      count=len(moved.proposal_codes), told=told))


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
    if len(args) != 2:
        await usage(update, context, "mod_usage_kategori")
        return
    actor, config = actor_of(update, context), deps(context).config
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
