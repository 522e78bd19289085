"""Fan-out throughput: one staff answer to N residents through the real outbox, paced at the configured rate.

Runs the real Application on the in-memory Bot API (no Telegram) against a fresh SQLite file, or
DATABASE_URL when set. Usage: .venv/bin/python scripts/bench_fanout.py [N] [RATE] [--ptb-limiter]
"""

import asyncio
import io
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import SecretStr

from bot.app import build_application
from bot.console import CONSOLE_TOKEN, Console
from bot.settings import Secrets, Settings, load_config
from handlers.outbox_worker import running_worker
from nlp.embed import Embedder
from tests.handlers.answers_seed import STAFF_CHAT, STAFF_USER, engine_of, post_to_staff, seed_cluster, unsent

ROOT = Path(__file__).resolve().parent.parent


class _NoModel(Embedder):
    """The fan-out needs no embeddings: skip loading the model."""

    def __init__(self) -> None:
        """No model, 384 dimensions."""
        self.identity, self.dim = "none", 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Zero vectors (never called by a fan-out)."""
        return np.zeros((len(texts), self.dim), dtype=np.float32)


def settings(rate: float, workdir: Path) -> Settings:
    """The project's config with the outbox rate set and a scratch database."""
    config = load_config(ROOT / "config.yaml")
    config = config.model_copy(update={"data_dir": str(workdir), "outbox": config.outbox.model_copy(
        update={"overall_per_second": rate})})
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    return Settings(config, Secrets(database_url=url, telegram_bot_token=SecretStr(CONSOLE_TOKEN)),
                    ROOT / "config.yaml")


async def bench(residents: int, rate: float, ptb_limiter: bool) -> None:
    """Answer a cluster of `residents` and report the achieved messages per second."""
    console = Console(settings(rate, Path(tempfile.mkdtemp())), io.StringIO(), embedder=_NoModel())
    if ptb_limiter:  # also put PTB's AIORateLimiter in front, as `aspirasi run` does
        console.app = build_application(console.settings, request=console.api, token=CONSOLE_TOKEN,
                                        rate_limit=True, embedder=_NoModel())
    await console.start()
    try:
        cluster_id, chats = seed_cluster(engine_of(console), residents)
        staff_message = await post_to_staff(console, cluster_id)
        started = time.monotonic()
        await console.send(console.maker.reply_to(STAFF_USER, staff_message, "Jawaban uji", chat_id=STAFF_CHAT))
        while unsent(engine_of(console)):
            await asyncio.sleep(0.05)
        worker = running_worker(console.app)
        assert worker is not None
        sends = sorted(c.at for c in console.api.sent() if int(c.params["chat_id"]) > 0)
        span = sends[-1] - sends[0]
        print(f"{len(sends)} messages to {len(chats)} residents: {time.monotonic() - started:.1f} s end to end, "
              f"{(len(sends) - 1) / span:.2f} msg/s between first and last send (limit {rate}/s, "
              f"PTB limiter {'on' if ptb_limiter else 'off'})")
    finally:
        await console.stop()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(bench(int(args[0]) if args else 300, float(args[1]) if len(args) > 1 else 30.0,
                      "--ptb-limiter" in sys.argv))
