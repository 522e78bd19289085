"""Telegram's limits: the in-memory Bot API refuses what Telegram refuses; long messages go out in parts."""

import pytest
from sqlmodel import Session, select
from telegram.error import BadRequest

from bot.console import Console
from models.clusters import add_support
from models.db import session_scope
from models.outbox import OutboxMessage, OutboxState
from models.proposals import Proposal, ProposalState
from models.replies import Reply
from models.residents import get_or_create_resident
from models.types import utcnow
from services.core.tg_html import tg_len, visible_text
from tests.conftest import RESIDENT
from tests.handlers.answers_seed import engine_of, seed_cluster
from tests.handlers.journey import onboard


@pytest.mark.parametrize(("kwargs", "said"), [
    ({"text": "a" * 4097}, "message is too long"),
    ({"text": "<b>" + "a" * 4096 + "</b>", "parse_mode": "HTML"}, None),  # tags do not count
    ({"text": "<b>tebal", "parse_mode": "HTML"}, "can't parse entities"),
    ({"text": "<blink>x</blink>", "parse_mode": "HTML"}, "can't parse entities"),
    ({"text": "a & b", "parse_mode": "HTML"}, "can't parse entities"),
    ({"text": " "}, "message text is empty"),
    ({"text": "ok", "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "k" * 65}]]}},
     "BUTTON_DATA_INVALID"),
])
async def test_memory_api_refuses_what_telegram_refuses(console: Console, kwargs: dict, said: str | None) -> None:
    if said is None:
        await console.app.bot.send_message(chat_id=RESIDENT, **kwargs)
        return
    with pytest.raises(BadRequest, match=f"(?i){said}"):
        await console.app.bot.send_message(chat_id=RESIDENT, **kwargs)


async def test_memory_api_refuses_a_long_caption(console: Console) -> None:
    with pytest.raises(BadRequest, match="caption is too long"):
        await console.app.bot.send_photo(chat_id=RESIDENT, photo="file-id", caption="c" * 1025)


async def test_status_with_many_aspirations_arrives_in_parts(console: Console) -> None:
    await onboard(console, RESIDENT)
    engine = engine_of(console)
    title = "Perbaikan saluran air & drainase yang tersumbat di sepanjang jalan utama " * 3
    for i in range(10):
        cluster_id, _ = seed_cluster(engine, 1, first_telegram_id=800_000 + i, title=f"{title} {i}")
        with session_scope(engine) as session:
            resident = get_or_create_resident(session=session, telegram_id=RESIDENT)
            proposal = Proposal(code=f"ASP-2026-{900 + i:06d}", source_chat_id=RESIDENT, source_message_id=100 + i,
                                resident_id=resident.id,
                                cluster_id=cluster_id, state=ProposalState.SUBMITTED, submitted_at=utcnow(),
                                text_verbatim=title, text_clean=title, text_redacted=title, kelurahan="Lok Tuan",
                                forum_id="bontang-utara")
            session.add(proposal)
            session.flush()
            add_support(session=session, cluster_id=cluster_id, resident_id=int(resident.id or 0),
                        proposal_id=proposal.id)
            session.add(Reply(cluster_id=cluster_id, text="Jawaban staf: akan dikerjakan <segera> " * 12))
    before = len(console.api.sent(RESIDENT))
    await console.send(console.maker.text(RESIDENT, "/status"))
    parts = [c.params["text"] for c in console.api.sent(RESIDENT)[before:]]
    shown = [visible_text(p) for p in parts]
    assert len(parts) > 1 and all(tg_len(s) <= 4096 for s in shown)
    assert sum(s.count("ASP-") for s in shown) == 10
    with Session(engine) as session:
        assert not session.exec(select(OutboxMessage).where(OutboxMessage.state == OutboxState.FAILED)).all()
