"""Benchmarks through the real Application on the in-memory Bot API: reply latency and intake throughput."""

from __future__ import annotations

import asyncio
import gc
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
from services.intake.grouping import GroupingService

LATENCY_FIRST = 8_000_000  # Telegram ids of the residents who send the timed aspirations
INTAKE_FIRST = 8_100_000


@dataclass(frozen=True)
class Corpus:
    """Stored aspirations with their normalised texts and embeddings (computed once, seeded per database)."""

    items: list[Aspiration]
    cleans: list[str]
    vectors: np.ndarray
    embed_per_s: float


def embedded_corpus(settings: Settings, embedder: Embedder, n: int, embed_limit: int | None = None) -> Corpus:
    """n synthetic aspirations, normalised as intake does and embedded in batches.

    With `embed_limit`, only that many (at least one per request) are embedded; every other aspiration gets
    the vector of an embedded one of the same request, slightly moved (cosine ~0.98), and its lower-case text.
    """
    grouping = GroupingService(settings.config, embedder)
    items = aspirations(n)
    limit = n if embed_limit is None else min(n, embed_limit)
    first = {a.group: i for i, a in reversed(list(enumerate(items)))}
    chosen = sorted(set(range(limit)) | set(first.values()))
    cleans = [a.text.lower() for a in items]
    for i in chosen:
        cleans[i] = normalize(redact(items[i].text))
    began = time.perf_counter()
    embedded = grouping.embed([cleans[i] for i in chosen])
    per_s = len(chosen) / (time.perf_counter() - began)
    vectors = np.empty((n, embedded.shape[1]), dtype=np.float32)
    vectors[chosen] = embedded
    rest = np.setdiff1d(np.arange(n), chosen)
    if len(rest):
        rng = np.random.default_rng(5)
        moved = vectors[[first[items[i].group] for i in rest.tolist()]]
        moved = moved + rng.standard_normal(moved.shape, dtype=np.float32) * 0.01
        vectors[rest] = moved / np.linalg.norm(moved, axis=1, keepdims=True)
    return Corpus(items, cleans, vectors, per_s)


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


def seed_database(corpus: Corpus, url: str, model: str, samples: int, residents: int) -> float:
    """Store the corpus and the benchmark's residents in a fresh database; seconds taken."""
    engine = fresh_engine(url)
    began = time.perf_counter()
    seed(engine, corpus.items, corpus.cleans, corpus.vectors, model=model)
    seeded = time.perf_counter() - began
    seed_residents(engine, [LATENCY_FIRST + i for i in range(samples)]
                   + [INTAKE_FIRST + i for i in range(residents)])
    engine.dispose()
    return seeded


async def measure(settings: Settings, embedder: Embedder, url: str, workdir: Path, samples: int, residents: int
                  ) -> dict[str, Result]:
    """Start the bot on a seeded database (index rebuilt), measure latency and intake, stop (the index is
    saved), start again (from the saved index)."""
    new_texts = [a.text for a in aspirations(samples + residents, seed=99)]
    run_settings = bench_settings(settings, url, workdir)
    console, start = await started_console(run_settings, embedder)
    try:
        await reply_latency(console, new_texts[:3])  # warm-up: first-call caches
        latency = await reply_latency(console, new_texts[3:samples])
        intake = await intake_throughput(console, new_texts[samples:])
        sizes = list(deps(console.app).grouping.batcher.sizes)
    finally:
        await console.stop()
    del console  # a restarted bot is a new process: the first one's index is not in memory beside the new one
    gc.collect()
    console, restart = await started_console(run_settings, embedder)
    await console.stop()
    batches = {"mean": float(np.mean(sizes)) if sizes else 0.0, "max": float(max(sizes, default=0))}
    return {"latency": latency, "intake": intake, "batches": batches, "start": {"seconds": start, "saved_s": restart}}


async def bot_figures(settings: Settings, corpus: Corpus, embedder: Embedder, url: str, workdir: Path,
                      samples: int, residents: int) -> dict[str, Result]:
    """Seed a database with the corpus, then `measure` in this process."""
    seeded = seed_database(corpus, url, embedder.identity, samples, residents)
    figures = await measure(settings, embedder, url, workdir, samples, residents)
    figures["start"]["seed_s"] = seeded
    return figures


def bot_child(settings: Settings, url: str, workdir: str, samples: int, residents: int) -> dict[str, Result]:
    """`measure` in a process of its own (the configured backend loaded there), with its peak memory."""
    from bench.nlp_figures import peak_rss_mb
    from bot.app import load_embedder

    embedder = load_embedder(settings)
    figures = asyncio.run(measure(settings, embedder, url, Path(workdir), samples, residents))
    return {**figures, "memory": {"peak_mb": peak_rss_mb()}}
