"""Scheduled jobs, derived from config and re-registered at every start with stable ids.

Digests: one cron job per forum at the configured WITA time (explicit misfire grace, coalesced), a catch-up
at start for a digest whose time passed while the bot was down, and a periodic auto-forward to staff.
Add further jobs in `register_jobs` with their own stable ids.
"""

import asyncio
import logging
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from telegram.ext import ContextTypes

from bot.durable import DurableQueue
from handlers import retention, satisfaction, staff
from handlers.apptypes import AspirasiApp, app_of
from handlers.deps import Deps, deps
from handlers.digests import clock
from handlers.outbox_worker import wake_outbox
from models.db import session_scope
from services.core.config import DAYS, AppConfig, parse_schedule
from services.core.deadlines import report_time
from services.digests import delivery
from services.intake.regroup import refresh_clusters

log = logging.getLogger(__name__)

AUTO_FORWARD_EVERY = 600  # seconds between auto-forward checks
REGROUP_AGAIN_AFTER = timedelta(hours=1)
OVERDUE_GRACE = 6 * 3600  # a late start still posts the day's overdue list (it is deduped per date)


def digest_trigger(config: AppConfig) -> CronTrigger:
    """The weekly digest time as a cron trigger in the city's time zone."""
    weekday, at = parse_schedule(config.digest.schedule)
    return CronTrigger(day_of_week=DAYS[weekday], hour=at.hour, minute=at.minute, timezone=config.city.tz)


async def send_due_digests(application: AspirasiApp, *, now: datetime,
                           forum_ids: list[str] | None = None, within_grace: bool = True) -> list[int]:
    """Issue every due digest (all forums, or the ones named) and forward those waiting too long."""
    d = deps(application)
    made = []
    for forum in d.config.forums:
        if forum_ids is None or forum.id in forum_ids:
            digest_id = await asyncio.to_thread(delivery.issue_due_digest, d.engine, d.config, forum.id, now,
                                                within_grace=within_grace)
            if digest_id is not None:
                made.append(digest_id)
    forwarded = await asyncio.to_thread(delivery.auto_forward, d.engine, d.config, now)
    if made or forwarded:
        wake_outbox(application)
    return made


def _refresh_clusters(d: Deps) -> None:
    """Re-cluster (storing merge/split suggestions for moderators) and relabel, as before each digest."""
    with session_scope(d.engine) as session:
        created, relabelled = refresh_clusters(session=session, grouping=d.grouping, config=d.config)
    log.info("before the digest: %d new regroup suggestion(s), %d cluster(s) relabelled", created, relabelled)


async def refresh_before_digest(application: AspirasiApp, now: datetime) -> None:
    """Refresh clusters once for all forums whose digests fall at the same time (not again within an hour)."""
    last = application.bot_data.get("last_regroup")
    if isinstance(last, datetime) and now - last < REGROUP_AGAIN_AFTER:
        return
    application.bot_data["last_regroup"] = now
    await asyncio.to_thread(_refresh_clusters, deps(application))


async def digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send one forum's weekly digest (the job's data is the forum id)."""
    assert context.job is not None
    await refresh_before_digest(app_of(context), clock(context.bot_data))
    made = await send_due_digests(app_of(context), now=clock(context.bot_data), forum_ids=[str(context.job.data)])
    log.info("digest job for %s made %s", context.job.data, made or "nothing")


async def auto_forward_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forward digests that moderators have not forwarded within digest.auto_forward_hours."""
    d = deps(context)
    forwarded = await asyncio.to_thread(delivery.auto_forward, d.engine, d.config, clock(context.bot_data))
    if forwarded:
        wake_outbox(context)


async def retry_updates_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue again the failed updates whose pause is over."""
    queue = context.application.update_queue
    if isinstance(queue, DurableQueue):
        await queue.requeue_due(context.bot)


async def register_jobs(application: AspirasiApp) -> None:
    """(Re-)register every scheduled job with a stable id, then catch up on digests missed while down."""
    d = deps(application)
    queue = application.job_queue
    assert queue is not None, "install python-telegram-bot[job-queue]"
    grace = int(d.config.digest.misfire_grace_hours * 3600)
    for forum in d.config.forums:
        queue.run_custom(digest_job, name=f"digest:{forum.id}", data=forum.id, job_kwargs={
            "trigger": digest_trigger(d.config), "id": f"digest:{forum.id}", "replace_existing": True,
            "misfire_grace_time": grace, "coalesce": True, "max_instances": 1})
    queue.run_repeating(auto_forward_job, interval=AUTO_FORWARD_EVERY, first=AUTO_FORWARD_EVERY,
                        name="digest:auto-forward", job_kwargs={
                            "id": "digest:auto-forward", "replace_existing": True, "misfire_grace_time": 300,
                            "coalesce": True, "max_instances": 1})
    queue.run_daily(retention.retention_job, time=retention.RETENTION_AT.replace(tzinfo=d.config.city.tz),
                    name="retention:verbatim", job_kwargs={  # issue 6: UU PDP retention of verbatim texts
                        "id": "retention:verbatim", "replace_existing": True,
                        "misfire_grace_time": retention.RETENTION_GRACE, "coalesce": True, "max_instances": 1})
    queue.run_daily(staff.overdue_report_job, time=report_time(d.config), name="deadlines:overdue",
                    job_kwargs={  # issue 5: the daily overdue list in the staff chat (once per date)
                        "id": "deadlines:overdue", "replace_existing": True,
                        "misfire_grace_time": OVERDUE_GRACE, "coalesce": True, "max_instances": 1})
    queue.run_repeating(retry_updates_job, interval=d.config.updates.check_seconds, name="updates:retry",
                        job_kwargs={  # issue 11: failed updates are tried again after their pause
                            "id": "updates:retry", "replace_existing": True, "misfire_grace_time": 60,
                            "coalesce": True, "max_instances": 1})
    queue.run_repeating(satisfaction.release_job, interval=d.config.satisfaction.check_minutes * 60, first=5,
                        name="satisfaction:ask", job_kwargs={  # "is it solved?" questions that are due
                            "id": "satisfaction:ask", "replace_existing": True, "misfire_grace_time": 600,
                            "coalesce": True, "max_instances": 1})
    queue.run_repeating(satisfaction.release_job, interval=d.config.satisfaction.check_minutes * 60, first=5,
                        name="satisfaction:ask", job_kwargs={  # "is it solved?" questions that are due
                            "id": "satisfaction:ask", "replace_existing": True, "misfire_grace_time": 600,
                            "coalesce": True, "max_instances": 1})
    made = await send_due_digests(application, now=clock(application.bot_data))
    if made:
        log.info("caught up on missed digests: %s", made)
