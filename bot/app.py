"""The application factory: builds the bot, registers every handler in one place, runs start-up."""

import logging

from sqlalchemy import Engine
from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.durable import DurableProcessor, DurableQueue
from bot.settings import Settings
from handlers import errors, groups, guards, intake, onboarding, status
from handlers.deps import Deps, deps
from models.db import make_engine, session_scope, upgrade
from models.forums import sync_forums
from services.grouping import GroupingService

log = logging.getLogger(__name__)

RESIDENT_COMMANDS = [
    BotCommand("start", "Mulai dan pemberitahuan privasi"),
    BotCommand("status", "Usulan saya dan jawabannya"),
    BotCommand("kelurahan", "Ganti kelurahan"),
    BotCommand("batal", "Batalkan draf"),
    BotCommand("bantuan", "Petunjuk"),
]


def register_handlers(application: Application) -> None:  # type: ignore[type-arg]
    """Register every handler, in priority order."""
    private = filters.ChatType.PRIVATE
    groups_chat = filters.ChatType.GROUPS

    # group -1: guards that may stop an update before any feature sees it
    application.add_handler(TypeHandler(Update, guards.refuse_banned), group=-1)

    # group 0, private chat: commands
    application.add_handler(CommandHandler("start", onboarding.start, filters=private))
    application.add_handler(CommandHandler("kelurahan", onboarding.choose_kelurahan, filters=private))
    application.add_handler(CommandHandler(["bantuan", "help"], status.help_command, filters=private))
    application.add_handler(CommandHandler("status", status.status, filters=private))
    application.add_handler(CommandHandler("batal", intake.cancel_command, filters=private))

    # group 0: inline buttons (callback data carries what they act on)
    application.add_handler(CallbackQueryHandler(onboarding.consent, pattern=r"^consent$"))
    application.add_handler(CallbackQueryHandler(onboarding.kelurahan_chosen, pattern=r"^kel:"))
    application.add_handler(CallbackQueryHandler(intake.draft_button, pattern=r"^(ok|dukung|batal):\d+"))
    application.add_handler(CallbackQueryHandler(_noop, pattern=r"^noop$"))

    # group 0, forum groups: /usul <teks> (works with privacy mode on) and #usul
    application.add_handler(CommandHandler("usul", groups.usul, filters=groups_chat))
    application.add_handler(MessageHandler(groups_chat & filters.Regex(r"(?i)#usul\b"), groups.usul))

    # group 0, private chat: messages, most specific first
    application.add_handler(MessageHandler(private & filters.UpdateType.EDITED, intake.edited))
    application.add_handler(MessageHandler(private & filters.LOCATION, intake.location))
    application.add_handler(
        MessageHandler(private & ((filters.TEXT & ~filters.COMMAND) | filters.PHOTO), intake.text_message)
    )
    application.add_handler(MessageHandler(private & filters.COMMAND, status.help_command))
    application.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, intake.unsupported))

    application.add_error_handler(errors.on_error)


async def _noop(update: Update, context: object) -> None:
    """Answer a label button (kecamatan headings) without doing anything."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def post_init(application: Application) -> None:  # type: ignore[type-arg]
    """Migrate the database, mirror forums from config, resume unhandled updates, set the menus."""
    d = application.bot_data["deps"]
    assert isinstance(d, Deps)
    upgrade(d.engine)
    with session_scope(d.engine) as session:
        sync_forums(session=session, forums={f.id: f.name for f in d.config.forums})
    queue = application.update_queue
    if isinstance(queue, DurableQueue):
        await queue.requeue_unprocessed(application.bot)
    await application.bot.set_my_commands(RESIDENT_COMMANDS)


async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    """Release the database connections."""
    deps_value = application.bot_data.get("deps")
    if isinstance(deps_value, Deps):
        deps_value.engine.dispose()


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    token: str | None = None,
    rate_limit: bool = True,
    engine: Engine | None = None,
    grouping: GroupingService | None = None,
) -> Application:  # type: ignore[type-arg]
    """Build the bot; tests and the console pass an in-memory `request` and their own token."""
    engine = engine or make_engine(settings.database_url)
    the_deps = Deps(engine=engine, config=settings.config, grouping=grouping or GroupingService(settings.config))
    builder = (
        ApplicationBuilder()
        .token(token or settings.token)
        .update_queue(DurableQueue(engine))
        .concurrent_updates(DurableProcessor(engine, the_deps.failed_updates))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.config.telegram.base_url:
        builder = builder.base_url(settings.config.telegram.base_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limit:
        limits = settings.config.outbox
        builder = builder.rate_limiter(AIORateLimiter(
            overall_max_rate=limits.overall_per_second, group_max_rate=limits.group_per_minute,
            group_time_period=60, max_retries=0,  # RetryAfter reaches the outbox, which waits and retries
        ))
    application = builder.build()
    application.bot_data["deps"] = the_deps
    register_handlers(application)
    return application


__all__ = ["build_application", "deps", "post_init", "post_shutdown", "register_handlers"]
