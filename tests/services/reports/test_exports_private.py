"""Exports carry only answers meant for the whole cluster, never a private one-to-one staff answer."""

from sqlmodel import select

from bot.settings import Settings
from models.db import make_engine, session_scope, upgrade
from models.replies import Reply
from models.residents import Resident
from services.reports.exports import CLUSTER_COLUMNS, build_tables
from tests.handlers.answers_seed import seed_cluster


def test_latest_answer_column_leaves_out_private_answers(database_url: str, settings: Settings) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        cluster_id, _ = seed_cluster(engine, 2)
        with session_scope(engine) as session:
            session.add(Reply(cluster_id=cluster_id, text="Jalan diperbaiki bulan depan."))
            session.flush()
            resident_id = session.exec(select(Resident.id)).first()
            session.add(Reply(cluster_id=cluster_id, resident_id=resident_id,
                              text="Bu Sari, kami datang ke Jl. Melati 7 besok."))
        with session_scope(engine) as session:
            tables = build_tables(session=session, config=settings.config)
        column = CLUSTER_COLUMNS.index("Jawaban terakhir")
        assert [str(row[column]).split(": ", 1)[1] for row in tables.clusters] == ["Jalan diperbaiki bulan depan."]
    finally:
        engine.dispose()
