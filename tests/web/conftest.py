"""Fixtures for the web page: a seeded city on SQLite and PostgreSQL."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.seed import City, seed


@pytest.fixture
def city(database_url: str, tmp_path: Path) -> Iterator[City]:
    """Three clusters in three forums on a fresh database."""
    seeded = seed(database_url, tmp_path)
    try:
        yield seeded
    finally:
        seeded.engine.dispose()
