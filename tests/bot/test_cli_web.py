"""`aspirasi web link --as ID` prints a working login link for people with a web role; web.* is validated."""

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import SettingsError, load_config
from services.weblogin import read_token, signing_key
from tests.conftest import ROOT


def _config(tmp_path: Path, web: dict, admin_ids: list[int]) -> Path:
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["web"] = {**data["web"], **web}
    data["telegram"]["admin_ids"] = admin_ids
    data["data_dir"] = str(tmp_path / "data")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_link_for_an_admin_and_a_clear_no_for_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASPIRASI_WEB_SECRET", raising=False)
    monkeypatch.setenv("ASPIRASI_CONFIG", str(_config(tmp_path, {"base_url": "https://aspirasi.example.id/"}, [77])))
    result = CliRunner().invoke(app, ["web", "link", "--as", "77"])
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("https://aspirasi.example.id/masuk/")
    key = signing_key(tmp_path / "data")
    assert (tmp_path / "data" / "web_secret.key").stat().st_mode & 0o077 == 0  # owner-only
    assert read_token(key=key, token=link.rsplit("/", 1)[1])[0] == 77
    refused = CliRunner().invoke(app, ["web", "link", "--as", "78"])
    assert refused.exit_code == 2 and "telegram.staff_ids" in refused.output


@pytest.mark.parametrize(("web", "key"), [
    ({"port": 70000}, "web.port"), ({"base_url": "aspirasi.local"}, "web.base_url"),
    ({"session_hours": 0}, "web.session_hours"), ({"tamu": 1}, "web.tamu"),
])
def test_wrong_web_settings_name_the_key(tmp_path: Path, web: dict, key: str) -> None:
    with pytest.raises(SettingsError, match=key.replace(".", r"\.")):
        load_config(_config(tmp_path, web, []))
