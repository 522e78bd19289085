"""Working days in WITA with Indonesian public holidays and configured days off; overdue clusters."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from bot.settings import load_config
from models.clusters import ClusterStatus, create_cluster
from models.db import make_engine, session_scope, upgrade
from models.proposals import Proposal, ProposalState
from services.core.config import AppConfig
from services.core.deadlines import (
    answer_due,
    is_working_day,
    overdue_clusters,
    report_time,
    waiting_since_before,
    working_days_between,
)

ROOT = Path(__file__).resolve().parents[3]


def wita(day: int, hour: int = 10, month: int = 3) -> datetime:
    """A moment in March 2026, WITA (UTC+8), as UTC."""
    return datetime(2026, month, day, hour, tzinfo=ZoneInfo("Asia/Makassar")).astimezone(UTC)


@pytest.fixture
def config() -> AppConfig:
    """The project's config with a cuti bersama day off and a 3-working-day deadline."""
    base = load_config(ROOT / "config.yaml")
    deadlines = base.deadlines.model_copy(update={"extra_holidays": [date(2026, 3, 20)], "answer_working_days": 3})
    return base.model_copy(update={"deadlines": deadlines})


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated empty database."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_national_holidays_weekends_and_configured_days_are_not_working_days(config: AppConfig) -> None:
    assert not is_working_day(date(2026, 3, 19), config=config)  # Hari Suci Nyepi
    assert not is_working_day(date(2026, 3, 20), config=config)  # cuti bersama from config
    assert not is_working_day(date(2026, 3, 21), config=config)  # Idul Fitri, a Saturday
    assert not is_working_day(date(2026, 8, 17), config=config)  # Hari Kemerdekaan
    assert is_working_day(date(2026, 3, 18), config=config)


def test_working_days_skip_the_holidays_in_between(config: AppConfig) -> None:
    monday = wita(16)
    # Tue 17, Wed 18 work; Thu 19 Nyepi; Fri 20 cuti bersama; weekend; Mon 23 works
    assert working_days_between(monday, wita(23), config=config) == 3
    assert working_days_between(monday, wita(20), config=config) == 2
    assert answer_due(monday, config=config) == date(2026, 3, 23)


def test_city_time_zone_decides_the_date(config: AppConfig) -> None:
    late_evening_utc = datetime(2026, 3, 17, 17, 0, tzinfo=UTC)  # already Wed 18 01:00 WITA
    assert working_days_between(wita(16), late_evening_utc, config=config) == 2
    assert report_time(config).hour == 8 and report_time(config).tzinfo == config.city.tz


def _cluster_with_proposal(engine: Engine, submitted: datetime, **changes: object) -> int:
    """A cluster whose first proposal was submitted at a given moment."""
    with session_scope(engine) as session:
        cluster = create_cluster(session=session, title="Perbaikan jalan berlubang", home_forum_id="bontang-utara")
        for key, value in changes.items():
            setattr(cluster, key, value)
        session.add(Proposal(source_chat_id=1, source_message_id=submitted.toordinal() + int(cluster.id or 0),
                             cluster_id=cluster.id, state=ProposalState.SUBMITTED, submitted_at=submitted,
                             text_redacted="jalan"))
        assert cluster.id is not None
        return cluster.id


def test_overdue_only_unanswered_open_visible_clusters_past_the_deadline(engine: Engine, config: AppConfig) -> None:
    late = _cluster_with_proposal(engine, wita(16))
    _cluster_with_proposal(engine, wita(16), first_answer_at=wita(17))
    _cluster_with_proposal(engine, wita(16), status=ClusterStatus.SELESAI)
    _cluster_with_proposal(engine, wita(16), hidden=True)
    _cluster_with_proposal(engine, wita(20))
    with session_scope(engine) as session:
        on_due_day = overdue_clusters(session=session, config=config, now=wita(23, 16))
        next_day = overdue_clusters(session=session, config=config, now=wita(24))
    assert on_due_day == []
    assert [item.cluster_id for item in next_day] == [late]
    assert next_day[0].working_days == 4 and next_day[0].due == date(2026, 3, 23)


def test_the_overdue_boundary_for_sql_agrees_with_counting_working_days(config: AppConfig) -> None:
    # every start hour over six weeks around Nyepi, a weekend and the configured day off, seen from several moments
    for now in (wita(23, 9), wita(25, 23), wita(30, 0), wita(2, 12, month=4)):
        boundary = waiting_since_before(now, config=config)
        for day in range(1, 29):
            for hour in range(0, 24, 3):
                since = datetime(2026, 2, 28, tzinfo=UTC) + timedelta(days=day, hours=hour)
                overdue = working_days_between(since, now, config=config) > config.deadlines.answer_working_days
                assert overdue == (since < boundary), (now, since)
