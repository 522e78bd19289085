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


def _city_with(code: str, name: str = "Lok Tuan") -> dict:
    city = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))["city"]
    city["kecamatan"][0]["kelurahan"][2] = {"code": code, "name": name}
    return city


FORUMS = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))["forums"]


@pytest.mark.parametrize(("change", "message"), [
    ({"city": _city_with("64.74.01.1003." + "9" * 50)}, r"code .* must be 1 to 60 bytes .*callback data"),
    ({"city": _city_with("64.74.01.1002", "Lok Tuan")}, r"code '64\.74\.01\.1002' is used twice"),
    ({"forums": [*FORUMS, {**FORUMS[0], "kelurahan": []}]}, r"id 'bontang-utara' is used by two forums"),
    ({"forums": [{**f, "chat_id": -1001} for f in FORUMS]}, r"chat_id -1001 is the group of two forums"),
    ({"forums": [{**FORUMS[0], "chat_id": -1002}, *FORUMS[1:]], "telegram": {"staff_chat_id": -1002}},
     r"telegram\.staff_chat_id -1002 is also a forum's chat_id"),
    ({"limits": {"min_text_chars": 500, "max_text_chars": 400}}, r"limits: .*min_text_chars \(500\) is larger"),
    ({"digest": {"auto_forward_hours": -1}}, r"digest\.auto_forward_hours: .*greater than or equal to 0"),
    ({"digest": {"misfire_grace_hours": -5}}, r"digest\.misfire_grace_hours: .*greater than or equal to 0"),
    ({"telegram": {"webhook": {"port": 70000}}}, r"telegram\.webhook\.port: .*less than or equal to 65535"),
    ({"forums": [{**FORUMS[0], "kelurahan": FORUMS[0]["kelurahan"][1:]}, *FORUMS[1:]]},
     r"no forum covers the kelurahan Bontang Kuala"),
])
def test_values_that_would_break_the_bot_are_refused_with_key_and_fix(
    tmp_path: Path, change: dict, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_config(write_config(tmp_path, change))
