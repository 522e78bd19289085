"""What waits for a moderator's decision: regroup suggestions and aspirations held as likely spam."""

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.moderation import act, actor_of, preview_work, usage
from models.outbox import OutboxPurpose
from services.core import callbacks
from services.core.formats import moment
from services.core.notify import queue_notices
from services.core.texts import t
from services.moderation import curation, held, suggestion_review
from services.moderation.held import HeldItem, Released
from services.moderation.suggestion_review import SuggestionView


def render_suggestion(view: SuggestionView) -> str:
    """One suggestion as text: the clusters to merge, or the aspirations to move."""
    clusters = "\n".join(t("regroup_cluster_line", code=c, title=title[:100]) for c, title in view.clusters)
    if view.kind == "merge":
        return t("regroup_merge", id=view.id, score=f"{view.score:.2f}") + "\n" + clusters
    source, *target = view.clusters
    lines = "\n".join(t("regroup_proposal_line", code=c, text=text[:120]) for c, text in view.proposals[:5])
    where = t("regroup_target", code=target[0][0], title=target[0][1][:80]) if target else t("regroup_target_new")
    return "\n".join([t("regroup_split", id=view.id, score=f"{view.score:.2f}", source=source[0]), lines, where])


def suggestion_keyboard(suggestion_id: int) -> InlineKeyboardMarkup:
    """Terima / Tolak on a regroup suggestion."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t("button_accept"), callback_data=callbacks.regroup(callbacks.ACCEPT, suggestion_id)),
        InlineKeyboardButton(t("button_reject"), callback_data=callbacks.regroup(callbacks.REJECT, suggestion_id))]])


def held_keyboard(code: str) -> InlineKeyboardMarkup:
    """Terbitkan / Sembunyikan on a held aspiration."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t("button_release"), callback_data=callbacks.held(callbacks.RELEASE, code)),
        InlineKeyboardButton(t("button_hide"), callback_data=callbacks.held(callbacks.HIDE, code))]])


async def list_suggestions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/usulan_regroup: show open merge/split suggestions with Terima/Tolak buttons."""
    actor = actor_of(update, context)
    views = await run_db(context, lambda s: suggestion_review.open_for(session=s, actor=actor))
    if not views:
        await reply(update, context, "regroup_empty", t("regroup_empty"))
        return
    for view in views:
        await reply(update, context, f"regroup{view.id}", render_suggestion(view), suggestion_keyboard(view.id))


async def suggestion_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Terima on a suggestion: its preview with Ya / Batal (applied only on Ya); Tolak: dropped at once."""
    query = update.callback_query
    assert query is not None and query.data is not None
    verdict, raw_id = callbacks.matched(callbacks.REGROUP_PATTERN, query.data)
    await query.answer()
    if verdict == callbacks.ACCEPT:
        done = await act(update, context, "regroup_preview",
                         preview_work(update, context, "regroup", {"suggestion": int(raw_id)}))
        if done is not None:
            await query.edit_message_text(done[0], parse_mode="HTML", reply_markup=done[1])
        return
    actor, grouping = actor_of(update, context), deps(context).grouping
    decision = await act(update, context, "regroup_decided", lambda s: suggestion_review.decide(
        session=s, grouping=grouping, actor=actor, suggestion_id=int(raw_id), accept=False))
    if decision is not None:
        await query.edit_message_text(t(f"regroup_{decision.state}", id=raw_id, told=0), parse_mode="HTML")


def render_held(item: HeldItem, tz_name: str) -> str:
    """One held aspiration with its reason."""
    from zoneinfo import ZoneInfo

    reason = t(f"spam_reason_{item.reason}") if item.reason else "-"
    return t("held_item", code=item.code, kelurahan=item.kelurahan or "-", text=item.text[:500], reason=reason,
             date=moment(item.at, ZoneInfo(tz_name)))  # "7 Desember 2026 22.25 WITA", as everywhere


async def list_held(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ditahan: show held aspirations of the moderator's forums with Terbitkan/Sembunyikan buttons."""
    actor, tz = actor_of(update, context), deps(context).config.city.timezone
    items = await run_db(context, lambda s: held.held_items(session=s, forums=actor.forums))
    if not items:
        await reply(update, context, "held_empty", t("held_empty"))
        return
    for item in items:
        await reply(update, context, f"held{item.id}", render_held(item, tz), held_keyboard(item.code))


async def _release(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> Released | None:
    """Publish a held aspiration and tell its author."""
    actor, grouping = actor_of(update, context), deps(context).grouping

    def _work(session: Session) -> Released:
        done = held.release(session=session, grouping=grouping, actor=actor, code=code)
        queue_notices(session=session, recipients=list(done.recipients), key=f"released:{done.code}",
                      text=t("resident_released", code=done.code, cluster=done.cluster_code),
                      purpose=OutboxPurpose.MODERATION)
        return done

    return await act(update, context, "mod_release", _work)


async def release_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lepas ASP-…: publish a held aspiration."""
    args = context.args or []
    if len(args) != 1:
        await usage(update, context, "mod_usage_code", command="lepas")
        return
    done = await _release(update, context, args[0])
    if done is not None:
        await reply(update, context, "mod_release", t("mod_released", code=done.code, cluster=done.cluster_code))


async def held_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Terbitkan/Sembunyikan on a held aspiration."""
    query = update.callback_query
    assert query is not None and query.data is not None
    verdict, code = callbacks.matched(callbacks.HELD_PATTERN, query.data)
    await query.answer()
    if verdict == callbacks.RELEASE:
        done = await _release(update, context, code)
        text = None if done is None else t("mod_released", code=done.code, cluster=done.cluster_code)
    else:
        actor, grouping = actor_of(update, context), deps(context).grouping
        hidden = await act(update, context, "mod_hide",
                           lambda s: curation.hide(session=s, grouping=grouping, actor=actor, code=code))
        text = None if hidden is None else t("mod_hidden_done", code=hidden)
    if text is not None:
        await query.edit_message_text(text, parse_mode="HTML")
