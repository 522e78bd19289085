"""Retention: a daily job removes verbatim texts, photos and locations older than retention.verbatim_days."""

from datetime import timedelta

from sqlmodel import Session, select

from bot.console import Console
from handlers.deps import deps
from handlers.retention import purge_now
from models.outbox import OutboxMessage
from models.proposals import Proposal
from models.types import utcnow
from tests.conftest import RESIDENT
from tests.handlers.journey import onboard, proposals, submit

OLD = "Mohon pembangunan pos ronda di RT 05 Kelurahan Lok Tuan, sering ada pencurian motor malam hari."
NEW = "Mohon penambahan tempat sampah di taman kota Lok Tuan, sampah berserakan setiap akhir pekan."


async def test_retention_job_is_registered_daily_with_grace_and_coalesce(console: Console) -> None:
    assert console.app.job_queue is not None
    job = console.app.job_queue.scheduler.get_job("retention:verbatim")
    assert job is not None and job.coalesce is True and job.misfire_grace_time >= 3600


async def test_purge_removes_only_what_is_older_than_the_retention_period(console: Console) -> None:
    engine = deps(console.app).engine
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, OLD)
    await submit(console, RESIDENT, NEW)
    days = deps(console.app).config.retention.verbatim_days
    with Session(engine) as session:
        old = session.exec(select(Proposal).where(Proposal.text_verbatim == OLD)).one()
        old.created_at = utcnow() - timedelta(days=days + 1)
        old.latitude, old.longitude, old.photo_file_id = 0.13, 117.48, "photo-x"
        session.add(old)
        for row in session.exec(select(OutboxMessage)):
            if OLD in str(row.payload):
                row.created_at = old.created_at
                session.add(row)
        session.commit()
    assert purge_now(engine, days) == 1
    by_text = {p.text_redacted: p for p in proposals(console)}
    purged, kept = by_text[OLD], by_text[NEW]
    assert purged.text_verbatim is None and purged.photo_file_id is None and purged.latitude is None
    assert purged.text_redacted == OLD and kept.text_verbatim == NEW  # redacted text and recent ones stay
    with Session(engine) as session:
        assert not [r for r in session.exec(select(OutboxMessage)) if OLD in str(r.payload)]
    assert purge_now(engine, days) == 0
