"""Benchmarks of the scheduled and fan-out work: digest build time and outbox fan-out against the limit."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlmodel import Session
from telegram.ext import ExtBot

from bench.corpus import FORUM, Aspiration, aspirations
from bench.nlp_figures import Result
from bench.seed import fresh_engine, seed
from bot.console import CONSOLE_TOKEN
from bot.memory_api import MemoryBotAPI
from handlers.outbox_worker import OutboxWorker
from handlers.pacing import TelegramLimits
from models.db import session_scope
from models.forums import sync_forums
from models.types import utcnow
from services.answers.staff_answers import answer_cluster
from services.core.config import AppConfig
from services.digests.periods import build_digest, scheduled_before


def digest_time(config: AppConfig, url: str, n: int) -> Result:
    """Fill a forum with n aspirations over 12 weeks, then time its weekly digest and a 12-week one."""
    engine = fresh_engine(url)
    try:
        with session_scope(engine) as session:
            sync_forums(session=session, forums={f.id: f.name for f in config.forums})
        began = time.perf_counter()
        clusters = seed(engine, aspirations(n, seed=5))
        seeded = time.perf_counter() - began
        now = utcnow()
        end = scheduled_before(config, now)
        out = {"seed_s": seeded, "clusters": float(clusters)}
        for label, start in (("week_s", end - timedelta(weeks=1)), ("all_s", end - timedelta(weeks=13))):
            with Session(engine) as session:
                began = time.perf_counter()
                data = build_digest(session=session, config=config, forum_id=FORUM, period_end=end, now=now,
                                    period_start_at=start)
                out[label] = time.perf_counter() - began
            out[label.replace("_s", "_aspirations")] = float(data.aspirations)
        return out
    finally:
        engine.dispose()


async def fanout(config: AppConfig, url: str, residents: int) -> Result:
    """One staff answer to a cluster of `residents`, sent by the OutboxWorker at the configured rate (paced at
    each call as the bot runs: `overall_per_second` calls per 1 s + `margin_seconds`, which is the "limit")."""
    engine = fresh_engine(url)
    try:
        seed(engine, [Aspiration("Perbaikan jalan berlubang di Jl. Pattimura", "Lok Tuan", 0)] * residents)
        with session_scope(engine) as session:
            outcome = answer_cluster(session=session, config=config, cluster_id=1,
                                     text="Jawaban uji: sudah dijadwalkan.", source_key="bench:1")
        api = MemoryBotAPI()
        limits = config.outbox
        bot = ExtBot(CONSOLE_TOKEN, request=api, rate_limiter=TelegramLimits(limits))
        await bot.initialize()
        began = time.monotonic()
        sent = await OutboxWorker(bot, engine, limits).settle()
        seconds = time.monotonic() - began
        await bot.shutdown()
        times = sorted(c.at for c in api.sent())
        rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
        return {"queued": float(outcome.count), "sent": float(sent), "seconds": seconds, "per_s": rate,
                "ratio": rate * (1 + limits.margin_seconds) / limits.overall_per_second}
    finally:
        engine.dispose()
