"""`aspirasi digest --forum ID [--send]` prints the running period and issues it (closing the period there)."""

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import load_config
from models.db import make_engine, upgrade
from models.digests import Digest
from models.forums import sync_forums
from models.outbox import OutboxMessage
from models.types import utcnow
from services.digests.periods import scheduled_before
from tests.services.digests.digest_data import aspiration

ROOT = Path(__file__).resolve().parents[2]


def test_cli_prints_then_sends_once(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["data_dir"] = str(tmp_path / "data")
    raw["forums"][0]["moderator_ids"] = [900_002]
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("ASPIRASI_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    config = load_config(tmp_path / "config.yaml")
    engine = make_engine(database_url)
    upgrade(engine)
    with Session(engine) as session:
        sync_forums(session=session, forums={f.id: f.name for f in config.forums})
        before_last_digest_time = scheduled_before(config, utcnow()) - timedelta(hours=1)
        aspiration(session, text="Lampu jalan <mati> di Jl. Cendana", at=before_last_digest_time)
        session.commit()
    runner = CliRunner()
    printed = runner.invoke(app, ["digest", "--forum", "bontang-utara"])
    assert printed.exit_code == 0, printed.output
    assert "Ringkasan Forum Warga Bontang Utara" in printed.output and "Lampu jalan <mati>" in printed.output
    assert "Periode berjalan" in printed.output
    sent = runner.invoke(app, ["digest", "--forum", "bontang-utara", "--send"])
    again = runner.invoke(app, ["digest", "--forum", "bontang-utara", "--send"])
    assert "queued for the moderators" in sent.output and "nothing was sent" in again.output
    assert "Tidak ada aspirasi baru" in again.output
    with Session(engine) as session:
        [issued] = session.exec(select(Digest).where(Digest.state != "draft")).all()
        assert issued.period_start < issued.period_end and issued.content["aspirations"] == 1
        assert {r.chat_id for r in session.exec(select(OutboxMessage))} == {900_002}
    engine.dispose()
    assert runner.invoke(app, ["digest", "--forum", "nope"]).exit_code == 2
