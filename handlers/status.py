"""/status and /bantuan for residents."""

from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from models.residents import find_resident
from models.satisfaction import Verdict
from services.answers.satisfaction_keys import verdict_label
from services.answers.status import StatusLine, resident_status, unfollow
from services.core import callbacks
from services.core.formats import day
from services.core.texts import status_label, t
from services.digests.queries import shorten


def render_status(lines: list[StatusLine], tz_name: str) -> str:
    """The /status message: one block per proposal, newest first."""
    tz = ZoneInfo(tz_name)
    if not lines:
        return t("status_empty")
    blocks = [t("status_header")]
    for line in lines:
        date = day(line.submitted_at.astimezone(tz).date())
        if line.cluster is None:
            blocks.append(t("status_item_held", code=line.code, date=date, text=shorten(line.text, 100)))
            continue
        block = t("status_item", code=line.code, date=date, cluster=line.cluster.code, title=line.cluster.title[:100],
                  status=status_label(line.cluster.status), supporters=line.cluster.supporters)
        if line.latest_answer is not None:
            answered = day(line.latest_answer.created_at.astimezone(tz).date())
            block += "\n" + t("status_latest_answer", date=answered, text=line.latest_answer.text[:300])
        if line.asked:  # closing the loop: the answer can change here (buttons below)
            verdict = verdict_label(line.verdict) if line.verdict else "-"
            block += "\n" + t("satisfaction_status_line", verdict=verdict)
        if not line.following:
            block += "\n" + t("status_not_following")
        blocks.append(block)
    return "\n\n".join(blocks)


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the resident's aspirations with cluster, status and latest answer."""
    user = update.effective_user
    assert user is not None

    def _lines(session: Session) -> list[StatusLine]:
        resident = find_resident(session=session, telegram_id=user.id)
        return [] if resident is None else resident_status(session=session, resident=resident)

    lines = await run_db(context, _lines)
    text = render_status(lines, deps(context).config.city.timezone)
    await reply(update, context, "status", text, unfollow_keyboard(lines))


def unfollow_keyboard(lines: list[StatusLine]) -> InlineKeyboardMarkup | None:
    """One "stop following" button per cluster the resident still follows."""
    followed = {line.cluster.id: line.cluster.code for line in lines if line.following and line.cluster}
    buttons = [[InlineKeyboardButton(t("unfollow_button", code=code), callback_data=callbacks.unfollow(cluster_id))]
               for cluster_id, code in followed.items()]
    asked = {line.cluster.id: line.cluster.code for line in lines if line.asked and line.cluster}
    buttons += [[InlineKeyboardButton(t("satisfaction_change_button", verdict=verdict_label(v.value), code=code),
                                      callback_data=callbacks.solved(v.value, cluster_id)) for v in Verdict]
                for cluster_id, code in asked.items()]
    return InlineKeyboardMarkup(buttons) if buttons else None


async def unfollow_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop sending the resident news about one cluster (callbacks.unfollow)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    cluster_id = int(callbacks.matched(callbacks.UNFOLLOW_PATTERN, query.data)[0])

    def _unfollow(session: Session) -> str | None:
        resident = find_resident(session=session, telegram_id=user.id)
        return None if resident is None else unfollow(session=session, resident=resident, cluster_id=cluster_id)

    code = await run_db(context, _unfollow)
    await query.answer()
    text = t("unfollowed", code=code) if code else t("unfollow_unknown")
    await reply(update, context, "unfollow", text, chat_id=user.id)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain what the bot does and its commands."""
    await reply(update, context, "help", t("help"))


async def small_talk(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a greeting or thanks with a hint on how to write an aspiration."""
    await reply(update, context, "small_talk", t("small_talk"))
