"""Fixtures of the service tests: the project's config, a migrated database with the forums, and a migrated
database session with a real grouping service."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.settings import Settings, load_config
from models.db import make_engine, session_scope, upgrade
from models.forums import sync_forums
from nlp.embed import Embedder
from services.core.config import AppConfig
from services.intake.grouping import GroupingService

# One request (broken street lights on Jalan Merdeka, Guntung) as three residents write it.
LAMP = [
    "Mohon perbaikan lampu penerangan jalan di Jl. Merdeka Guntung yang sudah mati dua minggu.",
    "lampu jln merdeka guntung mati semua min, gelap bgt klo malam",
    "PJU di Jalan Merdeka, Kelurahan Guntung, padam total. Mohon segera diganti.",
]


@pytest.fixture
def world(settings: Settings, embedder: Embedder) -> Iterator[tuple[Session, GroupingService]]:
    """A session on a migrated database and a grouping service with the real embedder."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        yield session, GroupingService(settings.config, embedder)
    engine.dispose()


@pytest.fixture
def config() -> AppConfig:
    """The project's config."""
    return load_config(Path(__file__).resolve().parents[2] / "config.yaml")


@pytest.fixture
def engine(database_url: str, config: AppConfig) -> Iterator[Engine]:
    """A migrated database with the forums."""
    engine = make_engine(database_url)
    upgrade(engine)
    with Session(engine) as session:
        sync_forums(session=session, forums={f.id: f.name for f in config.forums})
        session.commit()
    yield engine
    engine.dispose()
