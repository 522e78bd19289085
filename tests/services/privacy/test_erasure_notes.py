"""A reopen note still waiting in the outbox when a resident it quotes is erased is written again without
their line (found by provenance), not left with a blanked comment under their label."""

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.clusters import Cluster, ClusterStatus
from models.db import session_scope
from models.outbox import OutboxMessage, OutboxState
from models.residents import Resident
from models.satisfaction import SatisfactionAsk, open_round
from services.answers.satisfaction import record_answer, release_due
from services.core.config import AppConfig
from services.privacy.rights import erase_resident
from services.privacy.scrub import ERASED
from tests.handlers.answers_seed import STAFF_CHAT, seed_cluster

DAY = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 10:00 WITA: questions go out
MINE = "Gorong-gorong depan mushola Al Ikhlas masih mampet kalau hujan"
THEIRS = "Aspalnya cuma ditambal separuh, sisi utara dekat pasar Rawa Indah belum"


def reopen_note(session: Session) -> OutboxMessage:
    """The reopen note queued for the staff chat."""
    return session.exec(select(OutboxMessage).where(col(OutboxMessage.dedupe_key).startswith("reopen:"))).one()


def test_an_unsent_note_loses_the_erased_residents_line(engine: Engine, config: AppConfig) -> None:
    config = config.model_copy(update={"telegram": config.telegram.model_copy(update={"staff_chat_id": STAFF_CHAT})})
    cluster_id, chats = seed_cluster(engine, 3)
    with session_scope(engine) as session:
        cluster = session.get(Cluster, cluster_id)
        assert cluster is not None
        cluster.status = ClusterStatus.SELESAI  # as staff set it
        open_round(session=session, cluster=cluster, now=DAY)
        assert release_due(session=session, config=config, now=DAY) == 3
        asks = session.exec(select(SatisfactionAsk).order_by(col(SatisfactionAsk.resident_id))).all()
        for ask, comment in zip(asks, (MINE, THEIRS), strict=False):
            ask.comment = comment  # what record_comment stores for a reply to the question
        for chat, verdict in zip(chats, ("belum", "sebagian", "belum"), strict=True):
            record_answer(session=session, config=config, telegram_id=chat, cluster_id=cluster_id, verdict=verdict,
                          now=DAY)
        assert MINE in reopen_note(session).payload["text"]
        first = session.exec(select(Resident).where(Resident.telegram_id == chats[0])).one()
        erase_resident(session=session, config=config, resident_id=first.id or 0)

    with Session(engine) as session:
        note = reopen_note(session)
        text = note.payload["text"]
    assert note.state == OutboxState.PENDING
    assert MINE not in text and ERASED not in text and f"Warga {first.id} " not in text
    assert THEIRS in text and "Warga menyatakan belum selesai: 2 dari 3" in text
