"""Digest periods and content, built from rows with chosen times."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from models.clusters import Cluster
from models.digests import Digest
from models.proposals import ProposalState
from models.replies import Reply
from models.suggestions import RegroupSuggestion
from services.core.config import AppConfig
from services.core.tg_html import tg_len, visible_text
from services.digests.chart import category_rows, render_chart
from services.digests.periods import DigestData, build_digest, due_period, scheduled_after, scheduled_before
from services.digests.render import render
from tests.services.digests.digest_data import WITA_MONDAY_8, aspiration, week


def test_schedule_is_monday_0800_wita(config: AppConfig) -> None:
    assert scheduled_before(config, WITA_MONDAY_8) == WITA_MONDAY_8
    assert scheduled_before(config, WITA_MONDAY_8 - timedelta(seconds=1)) == WITA_MONDAY_8 - timedelta(days=7)
    assert scheduled_after(config, WITA_MONDAY_8) == WITA_MONDAY_8 + timedelta(days=7)
    assert scheduled_before(config, week(0, hours=150)) == WITA_MONDAY_8


def test_first_period_starts_at_the_first_aspiration_and_missed_periods_coalesce(
        engine: Engine, config: AppConfig) -> None:
    with Session(engine) as session:
        assert due_period(session=session, config=config, forum_id="bontang-utara", now=week(0)) is None
        first = aspiration(session, text="Perbaiki jalan berlubang di Jl. Pattimura", at=week(0, hours=5))
        aspiration(session, text="Lampu jalan mati di gang Mawar", at=week(2, hours=30))
        assert due_period(session=session, config=config, forum_id="bontang-utara", now=week(0, hours=6)) is None
        period = due_period(session=session, config=config, forum_id="bontang-utara", now=week(3))
        assert period == (first.submitted_at, WITA_MONDAY_8 + timedelta(weeks=3))
        data = build_digest(session=session, config=config, forum_id="bontang-utara", period_end=period[1],
                            now=week(3))
        assert (data.aspirations, data.residents, data.clusters, data.new_clusters) == (2, 2, 2, 2)
        session.add(Digest(forum_id="bontang-utara", period_start=period[0], period_end=period[1]))
        session.flush()
        assert due_period(session=session, config=config, forum_id="bontang-utara", now=week(3, 100)) is None
        assert due_period(session=session, config=config, forum_id="bontang-utara", now=week(4)) == (
            period[1], period[1] + timedelta(weeks=1))


def test_content_orders_by_supporters_with_change_places_quote_and_wait(engine: Engine, config: AppConfig) -> None:
    with Session(engine) as session:
        big = aspiration(session, text="Jalan Pattimura berlubang parah", at=week(-1))
        cluster = session.get(Cluster, big.cluster_id)
        assert cluster is not None
        aspiration(session, text="lubang di pattimura bikin motor jatuh, nomor saya [TELEPON]", at=week(0, 30),
                   cluster=cluster, kelurahan="Guntung")
        aspiration(session, text="Pattimura rusak", at=week(0, 40), cluster=cluster)
        small = aspiration(session, text="Pasang lampu di gang Mawar", at=week(0, 50))
        aspiration(session, text="Spam toko online", at=week(0, 60)).cluster_id  # noqa: B018
        hidden = aspiration(session, text="Iklan pinjol", at=week(0, 61))
        session.get(Cluster, hidden.cluster_id).hidden = True  # type: ignore[union-attr]
        aspiration(session, text="Ditahan moderator", at=week(0, 62), state=ProposalState.HELD)
        aspiration(session, text="Forum lain", at=week(0, 63), forum_id="bontang-barat", kelurahan="Kanaan")
        session.add(Reply(cluster_id=small.cluster_id, text="Sudah kami catat", created_at=week(0, 70)))
        session.add(RegroupSuggestion(kind="merge", cluster_ids=[big.cluster_id, small.cluster_id], score=0.9))
        session.flush()
        data = build_digest(session=session, config=config, forum_id="bontang-utara", period_end=week(1, 0),
                            now=week(1, 1), period_start_at=week(0, 0))
    assert (data.aspirations, data.residents, data.clusters, data.new_clusters) == (4, 4, 3, 2)
    top = data.top[0]
    assert top.code == cluster.code and (top.supporters, top.added, top.previous_added) == (3, 2, 1)
    assert top.places == [("Lok Tuan", 2), ("Guntung", 1)] and not top.new
    assert top.quote == "Pattimura rusak" and [line.code for line in data.top[1:]] == [
        f"K-{small.cluster_id:04d}", f"K-{small.cluster_id + 1:04d}"]
    assert top.waiting_days == 10 and top.overdue
    assert "Iklan pinjol" not in str(data.to_content())
    assert [a.code for a in data.answered] == [f"K-{small.cluster_id:04d}"]
    assert data.suggestions[0].kind == "merge" and len(data.suggestions[0].codes) == 2
    assert DigestData.from_content(data.to_content()) == data


def test_rendering_escapes_and_splits_within_telegram_limits(engine: Engine, config: AppConfig,
                                                              tmp_path: Path) -> None:
    with Session(engine) as session:
        for i in range(25):
            aspiration(session, text=f"<b>Usulan</b> & nomor {i} " + "kata " * 60, at=week(0, i))
        data = build_digest(session=session, config=config, forum_id="bontang-utara", period_end=week(1, 0),
                            now=week(1, 1))
    parts = render(data, config, footer="akhir")
    assert len(parts) > 1 and all(tg_len(visible_text(p)) <= 4096 for p in parts)  # each part valid HTML
    assert "&lt;b&gt;Usulan&lt;/b&gt; &amp; nomor" in "".join(parts) and "<b>Usulan</b>" not in "".join(parts)
    assert parts[-1].endswith("akhir") and len(data.top) == config.digest.max_clusters
    chart = render_chart(data, tmp_path / "c.png", tz=config.city.tz, config=config)
    assert chart is not None and chart.read_bytes()[:4] == b"\x89PNG"


def test_chart_names_categories_by_their_config_labels(config: AppConfig, tmp_path: Path) -> None:
    data = DigestData(forum_id="bontang-utara", forum_name="Forum Warga Bontang Utara", period_start=week(0, 0),
                      period_end=week(1, 0), categories=[("air_bersih", 2, 1), (None, 1, 0), ("infrastruktur", 3, 0)])
    labels = [label for label, _, _ in category_rows(data, config)]
    assert labels == ["Air bersih & sanitasi", "Tanpa kategori", "Infrastruktur"]  # never "air_bersih"
    assert render_chart(data, tmp_path / "none.png", tz=config.city.tz, config=config) is None  # no clusters
