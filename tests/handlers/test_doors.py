"""Doors: a ban does not end a resident's data rights; every button is checked against the roles config gives
now (an Urungkan kept from before a moderator was removed does nothing)."""

from sqlmodel import select

from bot.console import Console
from handlers.deps import deps
from models.residents import Resident
from services.core.texts import t
from tests.conftest import RESIDENT
from tests.handlers.journey import onboard, press, proposals, submit
from tests.handlers.moderation_seed import ADMIN, MODERATOR, command, confirmed, seed, session_of
from tests.handlers.test_moderation_undo import LAMPU, LAMPU_2, keyboard, popups, state, tap

REAL = "Mohon perbaikan jalan berlubang di Jl. Pattimura Lok Tuan, sudah banyak pengendara jatuh."


async def test_a_banned_resident_can_still_see_and_erase_their_data(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, REAL)
    number = proposals(console)[0].resident_id
    assert f"Warga {number} diblokir" in await command(console, ADMIN, f"/ban {number}")
    await console.send(console.maker.text(RESIDENT, "/data_saya"))
    documents = [c for c in console.api.calls if c.method == "sendDocument" and c.params.get("chat_id") == RESIDENT]
    assert documents, console.api.texts(RESIDENT)[-1]
    await console.send(console.maker.text(RESIDENT, REAL + " Lagi."))  # anything else is still refused
    assert t("banned") == console.api.texts(RESIDENT)[-1] and len(proposals(console)) == 1
    await console.send(console.maker.text(RESIDENT, "/hapus_data"))
    await press(console, RESIDENT, "hapus:ya")
    with session_of(console) as session:
        assert session.exec(select(Resident).where(Resident.telegram_id == RESIDENT)).first() is None
    assert proposals(console)[0].text_verbatim is None


def _without(console: Console, user_id: int, forum_id: str | None = None) -> None:
    """Take a moderator out of config (of one forum, or of every forum), as an operator editing it would."""
    d = deps(console.app)
    forums = [f.model_copy(update={"moderator_ids": [m for m in f.moderator_ids if m != user_id]})
              if forum_id in (None, f.id) else f for f in d.config.forums]
    d.config = d.config.model_copy(update={"forums": forums})


async def test_urungkan_is_refused_after_the_moderator_is_removed_from_config(console: Console) -> None:
    keep, absorb = seed(console, RESIDENT, LAMPU), seed(console, 900_011, LAMPU_2)
    await confirmed(console, MODERATOR, f"/gabung {keep.cluster} {absorb.cluster}")
    confirmation, merged = keyboard(console, MODERATOR), state(console)
    _without(console, MODERATOR)
    await tap(console, MODERATOR, confirmation, "pa:undo:")
    assert state(console) == merged and "moderator" in popups(console, MODERATOR)[-1].lower()


async def test_urungkan_is_refused_when_the_cluster_is_no_longer_in_their_forums(console: Console) -> None:
    keep, absorb = seed(console, RESIDENT, LAMPU), seed(console, 900_011, LAMPU_2)
    await confirmed(console, MODERATOR, f"/gabung {keep.cluster} {absorb.cluster}")
    confirmation, merged = keyboard(console, MODERATOR), state(console)
    _without(console, MODERATOR, "bontang-utara")  # still moderates the other forums, not this cluster's
    await tap(console, MODERATOR, confirmation, "pa:undo:")
    assert state(console) == merged and keep.cluster in popups(console, MODERATOR)[-1]
