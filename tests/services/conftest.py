"""Fixtures of the service tests: a migrated database session with a real grouping service."""

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from bot.settings import Settings
from models.db import make_engine, session_scope, upgrade
from nlp.embed import Embedder
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
