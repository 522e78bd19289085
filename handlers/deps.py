"""What handlers need from the running bot, kept in bot_data under one typed key.

`deps(...)` is the one way to reach them: from a handler's or job's context, from the Application (start-up,
jobs, the console) alike; `install` is the one place that stores them.
"""

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine

from services.core.config import AppConfig
from services.intake.grouping import GroupingService

DEPS_KEY = "deps"


@dataclass
class Deps:
    """The database, config and services shared by all handlers."""

    engine: Engine
    config: AppConfig
    grouping: GroupingService
    failed_updates: set[int] = field(default_factory=set)
    show_progress: bool = True  # progress bars at start (re-embedding, index); the console shows them with --verbose


class HoldsBotData(Protocol):
    """An Application or a CallbackContext: both carry the application's bot_data."""

    @property
    def bot_data(self) -> Any: ...


def install(application: HoldsBotData, value: Deps) -> None:
    """Store the shared dependencies (the application factory does, once)."""
    application.bot_data[DEPS_KEY] = value


def deps(holder: HoldsBotData) -> Deps:
    """Return the shared dependencies stored by the application factory."""
    value = holder.bot_data[DEPS_KEY]
    assert isinstance(value, Deps)
    return value
