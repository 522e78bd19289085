"""`aspirasi run --webhook` without its URL or secret stops at once with a clear message."""

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app

ROOT = Path(__file__).resolve().parents[2]


def test_webhook_without_url_or_secret_fails_before_loading_the_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["data_dir"] = str(tmp_path / "data")
    raw["nlp"]["model"] = str(tmp_path / "no-such-model")  # loading it would fail with another error
    raw["telegram"].pop("webhook", None)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("ASPIRASI_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:test")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    result = CliRunner().invoke(app, ["run", "--webhook"])
    assert result.exit_code == 2, result.output
    assert "telegram.webhook.url" in result.output and "TELEGRAM_WEBHOOK_SECRET" in result.output
    assert "INFO" not in result.output and "no-such-model" not in result.output
    assert not (tmp_path / "a.db").exists()  # nothing was started


@pytest.mark.parametrize(("args", "database", "said"), [
    (["run"], "postgresql://postgres@127.0.0.1:5432/test", "polling is refused"),
    (["run", "--webhook"], "sqlite:///{tmp}/a.db", "needs PostgreSQL"),
])
def test_a_copy_of_a_cluster_refuses_polling_and_sqlite(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], database: str, said: str) -> None:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["data_dir"] = str(tmp_path / "data")
    raw["nlp"]["model"] = str(tmp_path / "no-such-model")
    raw["cluster"] = {"enabled": True}
    raw["telegram"]["webhook"] = {"url": "https://contoh.invalid/tg"}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("ASPIRASI_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setenv("DATABASE_URL", database.format(tmp=tmp_path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:test")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "rahasia")
    result = CliRunner().invoke(app, ["run", *args[1:]])
    assert result.exit_code == 2, result.output
    assert said in result.output and "no-such-model" not in result.output
    assert not (tmp_path / "a.db").exists()
