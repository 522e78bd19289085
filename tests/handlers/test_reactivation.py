"""A resident who blocked the bot and came back is reachable again: staff answers reach them."""

from sqlmodel import Session, select

from bot.console import Console
from models.db import session_scope
from models.residents import Resident
from tests.conftest import RESIDENT
from tests.handlers.answers_seed import engine_of
from tests.handlers.journey import onboard


async def test_any_new_message_reactivates_a_resident_who_had_blocked_the_bot(console: Console) -> None:
    await onboard(console, RESIDENT)
    with session_scope(engine_of(console)) as session:  # as the outbox marks it on "bot was blocked"
        resident = session.exec(select(Resident).where(Resident.telegram_id == RESIDENT)).one()
        resident.active = False
        session.add(resident)
    await console.send(console.maker.text(RESIDENT, "/status"))  # unblocked and writing again
    with Session(engine_of(console)) as session:
        resident = session.exec(select(Resident).where(Resident.telegram_id == RESIDENT)).one()
        assert resident.active is True
    assert "Anda belum mengirim usulan" in console.api.texts(RESIDENT)[-1]
