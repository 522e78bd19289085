"""Admin commands in the private chat: /ban, /unban, /ekspor (XLSX document) and /statistik."""

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from telegram import InputFile, Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from services.core import callbacks
from services.core.config import AppConfig
from services.core.texts import status_label, t
from services.moderation.bans import BanError, set_banned
from services.reports.exports import ExportTables, build_tables, export_name, write_xlsx
from services.reports.stats import compute_stats
from services.reports.stats_render import render_stats


async def _ban(update: Update, context: ContextTypes.DEFAULT_TYPE, banned: bool) -> None:
    """Ban or unban the resident whose pseudonym number is given."""
    args, user = context.args or [], update.effective_user
    assert user is not None
    key = "ban" if banned else "unban"
    if len(args) != 1 or not (args[0].isascii() and args[0].isdigit()):
        await reply(update, context, f"{key}_usage", t(f"{key}_usage"))
        return
    number = int(args[0])
    if number > callbacks.MAX_ID:  # no resident has it, and the database could not even look it up
        await reply(update, context, "ban_unknown", t("ban_unknown", number=number))
        return
    try:
        await run_db(context, lambda s: set_banned(session=s, resident_id=number, banned=banned,
                                                   actor=f"admin:{user.id}"))
    except BanError:
        await reply(update, context, "ban_unknown", t("ban_unknown", number=number))
        return
    await reply(update, context, f"{key}_done", t(f"{key}_done", number=number))


async def ban(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ban <nomor warga>: refuse everything from a resident."""
    await _ban(update, context, True)


async def unban(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unban <nomor warga>: lift a ban."""
    await _ban(update, context, False)


def parse_scope(config: AppConfig, args: list[str]) -> tuple[str | None, datetime | None]:
    """Read an optional forum id and an optional YYYY-MM-DD date (a day in the city's zone); raise ValueError."""
    forum_id, since = None, None
    for arg in args:
        if config.forum(arg) is not None:
            forum_id = arg
            continue
        try:
            day = date.fromisoformat(arg)
        except ValueError:
            raise ValueError(arg) from None
        since = datetime(day.year, day.month, day.day, tzinfo=config.city.tz).astimezone(UTC)
    return forum_id, since


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ekspor [forum] [sejak]: send the clusters and aspirations as an XLSX document."""
    config, chat = deps(context).config, update.effective_chat
    assert chat is not None
    try:
        forum_id, since = parse_scope(config, context.args or [])
    except ValueError as exc:
        await reply(update, context, "export_usage", t("export_usage", value=str(exc),
                                                       forums=", ".join(f.id for f in config.forums)))
        return
    tables: ExportTables = await run_db(context, lambda s: build_tables(
        session=s, config=config, forum_id=forum_id, since=since, status_label=status_label))
    buffer = io.BytesIO()
    write_xlsx(tables, buffer)
    today = datetime.now(config.city.tz).date()
    name = export_name(forum_id, today, "xlsx")
    caption = t("export_caption", scope=forum_id or t("export_scope_all"), date=f"{today:%d-%m-%Y}",
                clusters=len(tables.clusters), aspirations=len(tables.aspirations))
    await context.bot.send_document(chat.id, InputFile(buffer.getvalue(), filename=name), caption=caption,
                                    parse_mode="HTML")


async def statistics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/statistik [forum]: aspirations per week, kelurahan and category; answers and time to answer."""
    config = deps(context).config
    args = context.args or []
    forum_id = args[0] if args and config.forum(args[0]) is not None else None
    tz: ZoneInfo = config.city.tz
    stats = await run_db(context, lambda s: compute_stats(session=s, tz=tz, forum_id=forum_id))
    await reply(update, context, "stats", render_stats(stats, forum_id or t("export_scope_all"), config))
