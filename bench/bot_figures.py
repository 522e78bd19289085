"""Benchmarks through the real Application on the in-memory Bot API: reply latency and intake throughput."""

from __future__ import annotations

import asyncio
import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import SecretStr
from sqlmodel import Session, col, func, select

from bench.corpus import Aspiration, aspirations
from bench.nlp_figures import Result, percentiles
from bench.seed import fresh_engine, seed, seed_residents
from bot.console import CONSOLE_TOKEN, Console
from bot.settings import Secrets, Settings
from handlers.deps import deps
from models.proposals import Proposal, ProposalState
from nlp.embed import Embedder
from nlp.normalize import normalize
from nlp.redact import redact
from services.grouping import GroupingService

LATENCY_FIRST = 8_000_000  # Telegram ids of the residents who send the timed aspirations
INTAKE_FIRST = 8_100_000


@dataclass(frozen=True)
class Corpus:
    """Stored aspirations with their normalised texts and embeddings (computed once, seeded per database)."""

    items: list[Aspiration]
    cleans: list[str]
    vectors: np.ndarray
    embed_per_s: float


def embedded_corpus(settings: Settings, embedder: Embedder, n: int) -> Corpus:
    """n synthetic aspirations, normalised as intake does and embedded in batches."""
    grouping = GroupingService(settings.config, embedder)
    items = aspirations(n)
    cleans = [normalize(redact(a.text)) for a in items]
    began = time.perf_counter()
    vectors = grouping.embed(cleans)
    return Corpus(items, cleans, vectors, n / (time.perf_counter() - began))


def bench_settings(settings: Settings, url: str, workdir: Path) -> Settings:
    """The operator's config with a scratch database and data folder."""
    config = settings.config.model_copy(update={"data_dir": str(workdir)})
    return Settings(config, Secrets(database_url=url, telegram_bot_token=SecretStr(CONSOLE_TOKEN)),
                    settings.config_path)


async def started_console(settings: Settings, embedder: Embedder) -> tuple[Console, float]:
    """Start the bot as run_polling would (migrations, index loaded from stored embeddings); seconds taken."""
    console = Console(settings, io.StringIO(), embedder=embedder)
    began = time.perf_counter()
    await console.start()
    return console, time.perf_counter() - began


async def reply_latency(console: Console, texts: list[str]) -> Result:
    """Send each text from its own resident, one at a time; time from update to the reply's sendMessage."""
    times, with_suggestions = [], 0
    for i, text in enumerate(texts):
        chat = LATENCY_FIRST + i
        update = console.maker.text(chat, text)
        began = time.monotonic()
        await console.send(update)
        call = next(c for c in reversed(console.api.calls) if c.method == "sendMessage"
                    and int(c.params["chat_id"]) == chat)
        times.append(call.at - began)
        with_suggestions += "K-" in str(call.params.get("text", ""))
    return {**percentiles(times), "with_suggestions": with_suggestions / max(1, len(texts))}


async def intake_throughput(console: Console, texts: list[str]) -> Result:
    """Many residents at once: each sends a text, then presses Kirim; aspirations submitted per second."""
    chats = [INTAKE_FIRST + i for i in range(len(texts))]
    queue = console.app.update_queue
    began = time.monotonic()
    await asyncio.gather(*(queue.put(_update(console, console.maker.text(c, t))) for c, t in zip(
        chats, texts, strict=True)))
    await queue.join()
    drafts = _draft_messages(console, set(chats))
    presses = [console.maker.press(chat, message, data) for chat, (message, data) in drafts.items()]
    await asyncio.gather(*(queue.put(_update(console, p)) for p in presses))
    await queue.join()
    seconds = time.monotonic() - began
    engine = deps(console.app).engine
    with Session(engine) as session:
        submitted = session.exec(select(func.count()).select_from(Proposal).where(
            Proposal.state == ProposalState.SUBMITTED, col(Proposal.source_chat_id).in_(chats))).one()
    return {"per_s": submitted / seconds, "submitted": float(submitted), "seconds": seconds}


def _update(console: Console, data: dict[str, object]) -> object:
    """An Update object for the application's queue."""
    from telegram import Update

    return Update.de_json(data, console.app.bot)


def _draft_messages(console: Console, chats: set[int]) -> dict[int, tuple[dict[str, object], str]]:
    """Each resident's draft message and its send button's callback data (Kirim, or Kirim sebagai usulan baru)."""
    out = {}
    for (chat, _), message in console.api.messages.items():
        if chat not in chats:
            continue
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        data = next((b["callback_data"] for row in rows for b in row
                     if str(b.get("callback_data", "")).startswith(("ok:", "baru:"))), None)
        if data is not None:
            out[chat] = (message, data)
    return out


async def bot_figures(settings: Settings, corpus: Corpus, embedder: Embedder, url: str, workdir: Path,
                      samples: int, residents: int) -> dict[str, Result]:
    """Seed a database with the corpus, start the bot, measure latency and intake throughput."""
    engine = fresh_engine(url)
    began = time.perf_counter()
    seed(engine, corpus.items, corpus.cleans, corpus.vectors, model=embedder.identity)
    seeded = time.perf_counter() - began
    new_texts = [a.text for a in aspirations(samples + residents, seed=99)]
    seed_residents(engine, [LATENCY_FIRST + i for i in range(samples)]
                   + [INTAKE_FIRST + i for i in range(residents)])
    engine.dispose()
    console, start = await started_console(bench_settings(settings, url, workdir), embedder)
    try:
        await reply_latency(console, new_texts[:3])  # warm-up: first-call caches
        latency = await reply_latency(console, new_texts[3:samples])
        intake = await intake_throughput(console, new_texts[samples:])
    finally:
        await console.stop()
    return {"latency": latency, "intake": intake, "start": {"seconds": start, "seed_s": seeded}}
