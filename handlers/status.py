"""/status and /bantuan for residents."""

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.texts import status_label, t
from models.residents import find_resident
from services.status import StatusLine, resident_status


def render_status(lines: list[StatusLine], tz_name: str) -> str:
    """The /status message: one block per proposal, newest first."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tz_name)
    if not lines:
        return t("status_empty")
    blocks = [t("status_header")]
    for line in lines:
        block = t("status_item", code=line.code, date=line.submitted_at.astimezone(tz).strftime("%d-%m-%Y"),
                  cluster=line.cluster.code, title=line.cluster.title[:100],
                  status=status_label(line.cluster.status), supporters=line.cluster.supporters)
        if line.latest_answer is not None:
            date = line.latest_answer.created_at.astimezone(tz).strftime("%d-%m-%Y")
            block += "\n" + t("status_latest_answer", date=date, text=line.latest_answer.text[:300])
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
    await reply(update, context, "status", render_status(lines, deps(context).config.city.timezone))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain what the bot does and its commands."""
    await reply(update, context, "help", t("help"))


async def small_talk(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a greeting or thanks with a hint on how to write an aspiration."""
    await reply(update, context, "small_talk", t("small_talk"))
