"""Grouping through the real pipeline: the converted model, the database, the index, the eval command."""

import json
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import Settings
from models.clusters import Cluster
from models.db import make_engine, session_scope, upgrade
from models.proposals import Proposal
from models.residents import get_or_create_resident, set_kelurahan
from nlp.embed import Embedder
from services.intake import drafts as intake
from services.intake.evaluation import evaluate, read_jsonl
from services.intake.grouping import GroupingService
from services.intake.index import load_index

FIXTURE = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "eval_small.jsonl"


def test_same_request_in_slang_and_formal_joins_one_cluster_and_other_requests_do_not(
    settings: Settings, embedder: Embedder
) -> None:
    report = evaluate(settings.config, embedder, read_jsonl(FIXTURE))
    clusters = {line["id"]: line["cluster"] for line in report.assignments}
    assert clusters["s1"] == clusters["s4"] == clusters["s7"]
    assert clusters["s2"] == clusters["s6"] and clusters["s5"] == clusters["s8"]
    assert len({clusters["s1"], clusters["s2"], clusters["s3"], clusters["s5"]}) == 4
    assert report.f1 == 1.0 and report.hit3 == 1.0
    assert report.online.f1 == 1.0 and report.resident.f1 == 1.0


def test_two_runs_in_one_process_give_the_same_figures(settings: Settings, embedder: Embedder) -> None:
    rows = read_jsonl(FIXTURE)
    first, second = (evaluate(settings.config, embedder, rows) for _ in range(2))
    assert first.lines()[1:] == second.lines()[1:]  # the first line is throughput
    assert first.assignments == second.assignments


def test_eval_command_prints_machine_readable_line_and_assignments(
    settings: Settings, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.yaml"
    config.write_text(settings.config_path.read_text(encoding="utf-8").replace(
        "model: intfloat/multilingual-e5-small", f"model: {settings.config.nlp.model}"), encoding="utf-8")
    monkeypatch.setenv("ASPIRASI_CONFIG", str(config))
    out = tmp_path / "assign.jsonl"
    result = CliRunner().invoke(app, ["eval", str(FIXTURE), "--assignments", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "eval: f1=1.000 online=1.000 resident=1.000 hit3=1.000 n=8"
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [f"s{i}" for i in range(1, 9)]
    assert all(set(line) == {"id", "cluster", "online", "resident"} for line in lines)
    assert lines[0]["cluster"] == lines[3]["cluster"] and lines[0]["online"].startswith("K-")


def test_index_is_rebuilt_from_stored_embeddings_and_model_change_reembeds(
    settings: Settings, embedder: Embedder
) -> None:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    grouping = GroupingService(settings.config, embedder)
    with session_scope(engine) as session:
        for i, row in enumerate(read_jsonl(FIXTURE)[:2]):
            resident = get_or_create_resident(session=session, telegram_id=500 + i)
            draft, _ = intake.save_draft(session=session, grouping=grouping, resident=resident,
                                         source_chat_id=500 + i, source_message_id=1, text=row["text"])
            intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id or 0)
        session.exec(select(Proposal)).first().embedding_model = "old-model"  # type: ignore[union-attr]
    fresh = GroupingService(settings.config, embedder)
    with session_scope(engine) as session:
        assert load_index(session=session, grouping=fresh) == 2
    with Session(engine) as session:
        assert {p.embedding_model for p in session.exec(select(Proposal))} == {embedder.identity}
    probe = fresh.prepare("lampu jalan merdeka di guntung mati, mohon diganti")
    assert [s.cluster_id for s in fresh.suggest(probe, 3)][:1] == [1]
    engine.dispose()


def test_a_new_cluster_belongs_to_the_forum_of_the_place_it_is_about(settings: Settings, embedder: Embedder) -> None:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    grouping = GroupingService(settings.config, embedder)
    texts = ["Lampu jalan di Berbas Pantai mati semua, mohon diperbaiki", "Drainase depan rumah kami tersumbat"]
    with session_scope(engine) as session:
        resident = get_or_create_resident(session=session, telegram_id=900)
        set_kelurahan(session=session, resident=resident, kelurahan="Lok Tuan", forum_id="bontang-utara")
        homes = []
        for number, text in enumerate(texts, 1):
            draft, _ = intake.save_draft(session=session, grouping=grouping, resident=resident,
                                         source_chat_id=900, source_message_id=number, text=text)
            done = intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id or 0)
            assert isinstance(done, intake.Submitted)
            homes.append(session.get(Cluster, done.cluster.id).home_forum_id)  # type: ignore[union-attr]
    assert homes == ["bontang-selatan", "bontang-utara"]
    engine.dispose()


def test_eval_prints_figures_per_voice_and_the_precision_of_regroup_proposals(
    settings: Settings, embedder: Embedder
) -> None:
    rows = read_jsonl(FIXTURE)
    voices = ["formal", "chat", "chat", "chat", "formal", "banjar", "formal", "chat"]
    for row, voice in zip(rows, voices, strict=True):
        row["voice"] = voice
    report = evaluate(settings.config, embedder, rows)
    assert [(v.key, v.value, v.n) for v in report.by_value] == [
        ("voice", "banjar", 1), ("voice", "chat", 4), ("voice", "formal", 3)]
    chat = next(v for v in report.by_value if v.value == "chat")
    assert chat.hit3 == 1.0 and chat.online == 1.0 and chat.final == 1.0  # s4 is shown s1's cluster, s8 s5's
    lines = report.lines()
    assert any(line.startswith("voice chat") and "hit@3 1.000" in line for line in lines)
    assert any(line.startswith("regroup proposals 0  precision 1.000") for line in lines)
