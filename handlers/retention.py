"""The daily retention job: verbatim texts, photos and locations older than retention.verbatim_days go, and
drafts never sent are emptied after retention.draft_days."""

import asyncio
import logging
from datetime import time, timedelta
from pathlib import Path

from sqlalchemy import Engine
from telegram.ext import ContextTypes

from handlers.deps import deps
from models.db import session_scope
from models.types import utcnow
from models.websessions import forget_web_sessions
from services.digests.delivery import chart_dir
from services.privacy.draft_expiry import expire_drafts
from services.privacy.outbox_files import sweep_charts
from services.privacy.scrub import purge_expired

log = logging.getLogger(__name__)

RETENTION_AT = time(3, 0)  # in the city's zone, when the bot is quiet
RETENTION_GRACE = 20 * 3600  # a bot restarted late the same day still runs it
WEB_SESSION_MAX_HOURS = 168  # web.session_hours is at most this: older web sessions are over, and deleted


def purge_now(engine: Engine, days: int, charts: Path | None = None, *, draft_days: int | None = None) -> int:
    """Delete what is older than the retention period (and chart files no message needs any more), and empty
    unsent drafts older than `draft_days`; return how many proposals lost their verbatim text."""
    with session_scope(engine) as session:
        if charts is not None:
            sweep_charts(session=session, folder=charts)
        now, drafts = utcnow(), 0
        forget_web_sessions(session=session, before=now - timedelta(hours=WEB_SESSION_MAX_HOURS))
        if draft_days is not None:
            drafts = expire_drafts(session=session, before=now - timedelta(days=draft_days))
        return drafts + purge_expired(session=session, before=now - timedelta(days=days))


async def retention_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run the retention purge off the event loop."""
    d = deps(context)
    retention = d.config.retention
    count = await asyncio.to_thread(purge_now, d.engine, retention.verbatim_days, chart_dir(d.config),
                                    draft_days=retention.draft_days)
    log.info("retention: removed verbatim texts and photos of %d proposal(s)", count)
