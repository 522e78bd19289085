"""Copies of the bot in cluster mode for tests: each its own engine and in-memory Bot API, one PostgreSQL."""

import asyncio
import time
from collections.abc import Callable

import pytest

from bot.app import build_application, post_init, post_shutdown, post_stop
from bot.cluster.node import Node, node_of
from bot.console import CONSOLE_TOKEN, console_settings
from bot.memory_api import MemoryBotAPI
from bot.settings import Settings
from handlers.apptypes import AspirasiApp
from nlp.embed import Embedder


def cluster_settings(settings: Settings) -> Settings:
    """The test's settings as one of several copies (PostgreSQL only: a SQLite test is skipped)."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("several copies share PostgreSQL only (advisory locks, row locks); SQLite is single-process")
    config = settings.config
    cluster = config.cluster.model_copy(update={"enabled": True, "poll_seconds": 0.2, "workers": 4})
    return console_settings(Settings(config.model_copy(update={"cluster": cluster}), settings.secrets,
                                     settings.config_path))


class Copy:
    """One copy, started as `run --webhook` starts it (without the HTTP listener)."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.api = MemoryBotAPI()
        self.app: AspirasiApp = build_application(settings, request=self.api, token=CONSOLE_TOKEN, rate_limit=False,
                                                  embedder=embedder, webhook=True)

    async def start(self) -> None:
        await self.app.initialize()
        await post_init(self.app)
        await self.app.start()

    async def stop(self) -> None:
        await self.app.stop()
        await post_stop(self.app)
        await self.app.shutdown()
        await post_shutdown(self.app)

    @property
    def node(self) -> Node:
        node = node_of(self.app)
        assert node is not None
        return node


async def until(check: Callable[[], bool], seconds: float = 20.0) -> float:
    """Wait until `check()` holds; return how long it took (fails the test after `seconds`)."""
    began = time.monotonic()
    while not check():
        assert time.monotonic() - began < seconds, "timed out"
        await asyncio.sleep(0.05)
    return time.monotonic() - began
