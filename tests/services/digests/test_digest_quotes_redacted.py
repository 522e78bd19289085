"""A digest quotes a resident's words redacted, even words stored by an older redactor."""


from sqlalchemy import Engine
from sqlmodel import Session

from models.clusters import Cluster
from services.core.config import AppConfig
from services.digests.periods import build_digest
from tests.services.digests.digest_data import aspiration, week

STORED = "Saya Budi Santoso, rumah di Gang Mawar No. 7A kebanjiran, wa 0812\u180e3456\u180e7890"


def test_the_quote_is_redacted(engine: Engine, config: AppConfig) -> None:
    with Session(engine) as session:
        first = aspiration(session, text="Banjir di Gang Mawar Lok Tuan", at=week(0, 10))
        aspiration(session, text=STORED, at=week(0, 20), cluster=session.get(Cluster, first.cluster_id))
        data = build_digest(session=session, config=config, forum_id="bontang-utara", period_end=week(1, 0),
                            now=week(1, 1), period_start_at=week(0, 0))
    quote = data.top[0].quote or ""
    assert "Gang Mawar" in quote and "[nama]" in quote
    assert not [s for s in ("Budi", "Santoso", "7A", "3456") if s in quote]
