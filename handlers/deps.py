"""What handlers need from the running bot, kept in bot_data under one typed key."""

from dataclasses import dataclass, field

from sqlalchemy import Engine
from telegram.ext import ContextTypes

from services.config import AppConfig
from services.grouping import GroupingService


@dataclass
class Deps:
    """The database, config and services shared by all handlers."""

    engine: Engine
    config: AppConfig
    grouping: GroupingService
    failed_updates: set[int] = field(default_factory=set)


def deps(context: ContextTypes.DEFAULT_TYPE) -> Deps:
    """Return the shared dependencies stored by the application factory."""
    value = context.bot_data["deps"]
    assert isinstance(value, Deps)
    return value
