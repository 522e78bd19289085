"""Settings fail fast with messages that name the key and the fix."""

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import SettingsError, load_config, load_settings
from tests.conftest import ROOT


def write_config(tmp_path: Path, change: dict) -> Path:
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data.update(change)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_project_config_is_valid_and_covers_the_city() -> None:
    config = load_config(ROOT / "config.yaml")
    assert len(config.city.all_kelurahan()) == 15
    assert config.forum_of("Lok Tuan").id == "bontang-utara"  # type: ignore[union-attr]
    assert config.city.kelurahan_by_code("64.74.03.1003").name == "Kanaan"  # type: ignore[union-attr]


def test_missing_token_explains_botfather(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASPIRASI_CONFIG", str(ROOT / "config.yaml"))
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert "@BotFather" in result.output and "TELEGRAM_BOT_TOKEN" in result.output and ".env" in result.output


def test_unknown_kelurahan_in_forum_names_the_key(tmp_path: Path) -> None:
    forums = [{"id": "x", "name": "X", "kelurahan": ["Lok Tuan", "Loktuan Raya"]}]
    with pytest.raises(SettingsError, match=r"forums\[x\]\.kelurahan.*Loktuan Raya"):
        load_config(write_config(tmp_path, {"forums": forums}))


def test_bad_schedule_and_unknown_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"digest\.schedule.*'mon 08:00'"):
        load_config(write_config(tmp_path, {"digest": {"schedule": "every monday"}}))
    with pytest.raises(SettingsError, match=r"telegarm"):
        load_config(write_config(tmp_path, {"telegarm": {}}))


def test_aspirasi_config_selects_another_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write_config(tmp_path, {"data_dir": "elsewhere"})
    monkeypatch.setenv("ASPIRASI_CONFIG", str(path))
    monkeypatch.setenv("DATABASE_URL", "sqlite:///other.db")
    settings = load_settings()
    assert settings.config_path == path and str(settings.data_dir) == "elsewhere"
    assert settings.database_url == "sqlite:///other.db"
