"""Start-up refuses what would fail later or leave a door open: an empty webhook secret, a forum id the
database cannot hold, a page on the network over plain http; `run --webhook` serves the web page where config
says (web.host:web.port), and an open staff chat (no telegram.staff_ids) is announced loudly."""

import logging
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr
from starlette.testclient import TestClient
from typer.testing import CliRunner

from bot.app import build_application, post_init
from bot.cli import app
from bot.memory_api import MemoryBotAPI
from bot.serve import webhook_listeners
from bot.settings import Secrets, Settings, SettingsError, load_config
from bot.webhook import webhook_app
from handlers.deps import deps
from nlp.embed import Embedder
from tests.conftest import ROOT


def _config_file(tmp_path: Path, **changes: object) -> Path:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["data_dir"] = str(tmp_path / "data")
    raw["nlp"]["model"] = str(tmp_path / "no-such-model")  # loading it would fail with another error
    for key, value in changes.items():
        section, name = key.split("__")
        raw.setdefault(section, {})[name] = value
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize("secret", ["", "  ", "with space", "ü" * 8, "x" * 257])
def test_an_empty_or_malformed_webhook_secret_is_refused_at_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    path = _config_file(tmp_path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["telegram"]["webhook"] = {"url": "https://bot.example.id/tg"}
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("ASPIRASI_CONFIG", str(path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:test")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", secret)
    result = CliRunner().invoke(app, ["run", "--webhook"])
    assert result.exit_code == 2, result.output
    assert "TELEGRAM_WEBHOOK_SECRET" in result.output and "no-such-model" not in result.output
    assert not (tmp_path / "a.db").exists()  # nothing was started


def test_the_webhook_app_itself_refuses_an_empty_secret(
        tmp_path: Path, database_url: str, model_dir: Path, embedder: Embedder) -> None:
    settings = _settings(tmp_path, database_url, model_dir)
    application = build_application(settings, webhook=True, embedder=embedder, request=MemoryBotAPI())
    try:
        for secret in ("", "   "):
            with pytest.raises(ValueError, match="secret"):
                webhook_app(application, path="tg", secret=secret)
    finally:
        deps(application).engine.dispose()


def test_a_forum_id_longer_than_the_database_keeps_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["forums"][0]["id"] = "f" * 65
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(SettingsError, match=r"forums\.0\.id.*64"):
        load_config(path)


@pytest.mark.parametrize(("host", "base_url", "ok"), [
    ("0.0.0.0", "http://203.0.113.5:8080", False), ("192.168.1.10", "http://192.168.1.10:8080", False),
    ("0.0.0.0", "https://aspirasi.example.id", True), ("127.0.0.1", "http://127.0.0.1:8080", True),
])
def test_the_web_page_is_served_beyond_this_machine_only_over_https(
        tmp_path: Path, host: str, base_url: str, ok: bool) -> None:
    path = _config_file(tmp_path, web__host=host, web__base_url=base_url)
    if ok:
        assert load_config(path).web.host == host
    else:
        with pytest.raises(SettingsError, match=r"web.*https"):
            load_config(path)


def _settings(tmp_path: Path, database_url: str, model_dir: Path, **telegram: object) -> Settings:
    config = load_config(ROOT / "config.yaml")
    web = config.web.model_copy(update={"enabled": True, "port": 8099})
    hook = config.telegram.webhook.model_copy(update={"url": "https://bot.example.id/tg", "port": 8443})
    config = config.model_copy(update={
        "data_dir": str(tmp_path / "data"), "web": web, "nlp": config.nlp.model_copy(update={"model": str(model_dir)}),
        "telegram": config.telegram.model_copy(update={"webhook": hook, **telegram})})
    secrets = Secrets(database_url=database_url, telegram_bot_token=SecretStr("123:test"),
                      telegram_webhook_secret=SecretStr("s3cret-token"))
    return Settings(config, secrets, ROOT / "config.yaml")


def test_run_webhook_serves_the_web_page_on_its_own_listener_as_configured(
        tmp_path: Path, database_url: str, model_dir: Path, embedder: Embedder,
        caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest) -> None:
    settings = _settings(tmp_path, database_url, model_dir)
    caplog.set_level(logging.INFO)
    application = build_application(settings, webhook=True, embedder=embedder, request=MemoryBotAPI())
    hook, page = webhook_listeners(settings, application)
    request.addfinalizer(page.config.app.state.web.engine.dispose)
    request.addfinalizer(deps(application).engine.dispose)
    assert (hook.config.host, hook.config.port) == ("0.0.0.0", 8443)
    assert (page.config.host, page.config.port) == (settings.config.web.host, 8099)
    with TestClient(hook.config.app) as client:  # the webhook's public port answers Telegram only
        assert client.get("/").status_code == 404 and client.get("/kelompok").status_code == 404
    with TestClient(page.config.app, base_url=settings.config.web.base_url) as client:
        assert client.get("/").status_code == 401  # the page, asking for a login
    assert f"{settings.config.web.host}:8099" in caplog.text


async def test_an_open_staff_chat_is_announced_loudly_at_start(
        tmp_path: Path, database_url: str, model_dir: Path, embedder: Embedder,
        caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(tmp_path, database_url, model_dir, staff_chat_id=-100_123, staff_ids=[])
    application = build_application(settings, embedder=embedder, request=MemoryBotAPI(), rate_limit=False)
    await application.initialize()
    try:
        await post_init(application)
    finally:
        await application.shutdown()
        await application.post_shutdown(application)  # type: ignore[misc]
    [warning] = [r for r in caplog.records if "staff_ids" in r.getMessage()]
    assert warning.levelno == logging.WARNING and "anyone" in warning.getMessage()
