"""Closing the loop on the web page: Ringkasan's share confirmed solved, days to solved and reopened clusters,
and a cluster's answers, ratings and residents' comments, from services.core.counting like every other screen."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from models.clusters import Cluster, ClusterStatus, get_cluster_by_code
from models.db import session_scope
from models.replies import Reply
from models.residents import Resident
from models.satisfaction import AnswerRating, SatisfactionAsk, SatisfactionRound, Verdict
from models.types import utcnow
from services.core import counting
from tests.web.seed import STAFF, City, logged_in


@pytest.fixture
def staff(city: City) -> Iterator[TestClient]:
    yield from logged_in(city, STAFF)


def resolve_water(city: City) -> int:
    """Staff set the water cluster selesai; its residents answer Belum, Belum, Sudah (one comments) and one
    rates the answer; the Belum majority reopened it."""
    with session_scope(city.engine) as session:
        cluster = get_cluster_by_code(session=session, code=city.codes["air"])
        assert cluster is not None and cluster.id is not None
        now = utcnow()
        round_ = SatisfactionRound(cluster_id=cluster.id, status=ClusterStatus.SELESAI, started_at=now,
                                   reopened_at=now, belum=2, answered=3)
        session.add(round_)
        session.flush()
        residents = session.exec(select(Resident).order_by(Resident.id)).all()  # type: ignore[arg-type]
        for resident, verdict in zip(residents, (Verdict.BELUM, Verdict.BELUM, Verdict.SUDAH), strict=False):
            assert resident.id is not None and round_.id is not None
            session.add(SatisfactionAsk(cluster_id=cluster.id, resident_id=resident.id, round_id=round_.id,
                                        verdict=verdict, answered_at=now + timedelta(minutes=1),
                                        comment="Air masih keruh" if verdict == Verdict.BELUM else None))
        reply = session.exec(select(Reply).where(Reply.cluster_id == cluster.id)).one()
        assert reply.id is not None and residents[0].id is not None
        session.add(AnswerRating(cluster_id=cluster.id, resident_id=residents[0].id, reply_id=reply.id, value=1))
        cluster.status = ClusterStatus.DITINJAU
        session.add(cluster)
        return cluster.id


def test_ringkasan_and_the_cluster_page_show_the_count_layers_figures(city: City, staff: TestClient) -> None:
    cluster_id = resolve_water(city)
    with session_scope(city.engine) as session:
        figures = counting.satisfaction(session, counting.Scope())
        code = str(session.get(Cluster, cluster_id).code)  # type: ignore[union-attr]
    assert (figures.sudah, figures.answered, figures.reopened, figures.up) == (1, 3, 1, 1)
    summary = staff.get("/").text
    assert f"{round(100 * (figures.solved_share or 0))}% (1 dari 3 jawaban)" in summary
    assert "<dt>Kelompok dibuka lagi oleh warga</dt><dd>1</dd>" in summary
    page = staff.get(f"/kelompok/{code}").text
    assert "Sudah 1 · Belum 2 · Sebagian 0" in page and "👍 1 · 👎 0" in page
    assert page.count("Air masih keruh") == 2
