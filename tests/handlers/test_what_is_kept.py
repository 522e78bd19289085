"""What is kept: nothing before consent beyond what asking for it needs, drafts limited per hour (a flood
stores, embeds and answers only so much), and drafts never sent emptied after retention.draft_days by the
daily retention job."""

from datetime import timedelta

from sqlmodel import Session, select

from bot.console import Console
from handlers.deps import deps
from models.outbox import OutboxMessage
from models.proposals import Proposal, ProposalState
from models.residents import Resident
from models.types import utcnow
from models.updates import InboundUpdate
from services.core.texts import t
from tests.conftest import RESIDENT
from tests.handlers.journey import button_data, last_message_with_buttons, onboard, press, proposals, submit

BEFORE_START = "Tolong perbaiki atap Posyandu Melati di RT 07 Guntung, bocor parah setiap hujan deras."
PLACES = ["Lok Tuan", "Guntung", "Kanaan", "Belimbing", "Satimpo", "Api-Api", "Berbas Pantai", "Tanjung Laut"]
NEEDS = ["lampu jalan mati", "jalan berlubang", "drainase tersumbat", "sampah menumpuk", "air PDAM keruh"]


def _everything_stored(console: Console) -> str:
    """Every proposal, resident, outbox payload and stored update, as one text to search."""
    with Session(deps(console.app).engine) as session:
        rows = [*session.exec(select(Proposal)), *session.exec(select(Resident)),
                *session.exec(select(OutboxMessage)), *session.exec(select(InboundUpdate))]
    return "\n".join(str(r.model_dump()) for r in rows)


async def test_a_text_before_start_is_not_stored(console: Console) -> None:
    await console.send(console.maker.text(RESIDENT, BEFORE_START))
    assert t("consent_needed").split(".")[0] in console.api.texts(RESIDENT)[-2]
    assert "Saya setuju" in str(last_message_with_buttons(console, RESIDENT)["reply_markup"])
    assert proposals(console) == [] and "Posyandu" not in _everything_stored(console)
    await press(console, RESIDENT, "consent")
    await press(console, RESIDENT, "kel:64.74.01.1003")
    assert proposals(console) == []  # no draft waited: the resident sends it again, now with consent
    await submit(console, RESIDENT, BEFORE_START)
    assert [p.text_verbatim for p in proposals(console)] == [BEFORE_START]


async def test_a_flood_of_texts_stores_embeds_and_answers_only_up_to_the_draft_limit(console: Console) -> None:
    await onboard(console, RESIDENT)
    answered = len(console.api.texts(RESIDENT))
    limit = deps(console.app).config.limits.drafts_per_hour
    for n in range(40):
        text = f"Mohon {NEEDS[n % len(NEEDS)]} di RT {n + 1:02d} {PLACES[n % len(PLACES)]} segera ditangani."
        await console.send(console.maker.text(RESIDENT, text))
    stored = proposals(console)
    assert len(stored) == limit < 40
    assert len([p for p in stored if p.embedding is not None]) == limit
    answers = console.api.texts(RESIDENT)[answered:]
    assert len(answers) == limit + 1 and answers[-1] == t("drafts_limited", count=limit)


async def test_unsent_drafts_are_emptied_by_the_retention_job_after_draft_days(console: Console) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, "Lampu jalan di Jl. Cendana Lok Tuan mati, mohon diganti."))
    waiting = last_message_with_buttons(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, "Saluran air di Gang Kenanga Guntung mampet dan bau sekali."))
    await press(console, RESIDENT, "batal:")
    await submit(console, RESIDENT, "Mohon penambahan tempat sampah di taman kota Lok Tuan, sampah berserakan.")
    days = deps(console.app).config.retention.draft_days
    assert days <= 14
    with Session(deps(console.app).engine) as session:
        for row in session.exec(select(Proposal)):
            row.created_at = utcnow() - timedelta(days=days, hours=1)
            session.add(row)
        session.commit()
    assert console.app.job_queue is not None
    [job] = console.app.job_queue.get_jobs_by_name("retention:verbatim")
    await job.run(console.app)
    by_state = {p.state: p for p in proposals(console) if p.state != ProposalState.SUBMITTED}
    assert set(by_state) == {ProposalState.CANCELLED} and len(proposals(console)) == 3
    for draft in [p for p in proposals(console) if p.state != ProposalState.SUBMITTED]:
        assert (draft.text_verbatim, draft.text_clean, draft.text_redacted, draft.embedding) == (None, "", "", None)
    [sent] = [p for p in proposals(console) if p.state == ProposalState.SUBMITTED]
    assert sent.text_verbatim is not None  # a sent aspiration keeps its text until retention.verbatim_days
    stored = _everything_stored(console)
    assert "Cendana" not in stored and "Kenanga" not in stored and "taman kota" in stored
    await console.send(console.maker.press(RESIDENT, waiting, button_data(waiting)[0]))  # an old Kirim button
    assert [p.state for p in proposals(console)].count(ProposalState.SUBMITTED) == 1
