"""Authorisation by ownership: home forums, /pindah, Dukung only for an offered visible cluster, staff_ids."""

import io
from collections.abc import AsyncIterator

import pytest

from bot.console import Console
from bot.settings import Settings
from models.proposals import ProposalState
from nlp.embed import Embedder
from tests.conftest import RESIDENT
from tests.handlers.answers_seed import STAFF_CHAT, STAFF_USER, engine_of, post_to_staff, seed_cluster
from tests.handlers.journey import button_data, last_message_with_buttons, onboard, press, proposals
from tests.handlers.moderation_seed import (
    ADMIN,
    MODERATOR,
    audit,
    cluster,
    command,
    confirmed,
    proposal,
    seed,
    supporters,
)

NORTH, SOUTH = 900_013, 900_010  # moderators of Bontang Utara only, of Bontang Selatan only
OUTSIDER = 900_020  # a member of the staff chat who is not listed in telegram.staff_ids
LAMPU = "Lampu jalan di Jl. Cendana Lok Tuan mati sudah sebulan, mohon diperbaiki."
DRAINASE = "Drainase di Jl. Pupuk Raya Tanjung Laut tersumbat sampah sehingga air meluap ke rumah warga."


@pytest.fixture
async def console(settings: Settings, embedder: Embedder) -> AsyncIterator[Console]:
    """A bot with one moderator per forum for two forums, and staff_ids naming only STAFF_USER."""
    extra = {"bontang-utara": NORTH, "bontang-selatan": SOUTH}
    forums = [f.model_copy(update={"moderator_ids": [*f.moderator_ids, extra[f.id]]}) if f.id in extra else f
              for f in settings.config.forums]
    telegram = settings.config.telegram.model_copy(update={"staff_ids": [STAFF_USER]})
    config = settings.config.model_copy(update={"forums": forums, "telegram": telegram})
    bot = Console(Settings(config, settings.secrets, settings.config_path), io.StringIO(), embedder=embedder)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


async def test_a_moderator_acts_only_on_clusters_whose_home_is_their_forum(console: Console) -> None:
    south = seed(console, 900_012, DRAINASE, kelurahan="Tanjung Laut")
    backer = seed(console, 900_011, DRAINASE + " Mohon segera.", cluster=south.cluster)  # a Lok Tuan resident
    assert proposal(console, backer.proposal).forum_id == "bontang-utara"
    for text in (f"/judul {south.cluster} Judul lain", f"/sembunyikan {south.cluster}",
                 f"/sembunyikan {backer.proposal}", f"/pisah {backer.proposal}",
                 f"/pindah {south.cluster} bontang-utara"):
        assert "bukan bagian dari forum" in await command(console, NORTH, text)
    assert not cluster(console, south.cluster).hidden and audit(console) == []
    assert "disembunyikan" in await confirmed(console, SOUTH, f"/sembunyikan {backer.proposal}")


async def test_pindah_moves_a_cluster_home_and_with_it_who_may_moderate_it(console: Console) -> None:
    south = seed(console, 900_012, DRAINASE, kelurahan="Tanjung Laut")
    assert cluster(console, south.cluster).home_forum_id == "bontang-selatan"
    assert "tidak dikenal" in await command(console, SOUTH, f"/pindah {south.cluster} bontang-timur")
    assert "hanya untuk moderator" in await command(console, RESIDENT, f"/pindah {south.cluster} bontang-utara")
    assert "Bontang Utara" in await confirmed(console, SOUTH, f"/pindah {south.cluster} bontang-utara")
    assert cluster(console, south.cluster).home_forum_id == "bontang-utara"
    assert "bukan bagian dari forum" in await command(console, SOUTH, f"/judul {south.cluster} Judul lain")
    assert "Judul baru" in await confirmed(console, NORTH, f"/judul {south.cluster} Judul baru")
    assert "Bontang Selatan" in await confirmed(console, ADMIN, f"/pindah {south.cluster} bontang-selatan")
    moves = [(e.actor, e.before, e.after) for e in audit(console) if e.action == "move_home"]
    assert moves == [(f"moderator:{SOUTH}", {"forum": "bontang-selatan"}, {"forum": "bontang-utara"}),
                     (f"admin:{ADMIN}", {"forum": "bontang-utara"}, {"forum": "bontang-selatan"})]


async def _draft(console: Console, text: str) -> tuple[int, dict]:
    """Send a text as the resident; return the draft's id and the message with its buttons."""
    await console.send(console.maker.text(RESIDENT, text))
    message = last_message_with_buttons(console, RESIDENT)
    # the send button: Kirim, or Kirim sebagai usulan baru when clusters are shown
    send = next(d for d in button_data(message) if d.startswith(("ok:", "baru:")))
    return int(send.split(":")[1]), message


async def test_a_forged_dukung_for_a_cluster_not_offered_changes_nothing(console: Console) -> None:
    south = seed(console, 900_012, DRAINASE, kelurahan="Tanjung Laut")
    south_id = cluster(console, south.cluster).id
    await onboard(console, RESIDENT)
    draft, message = await _draft(console, LAMPU)
    assert not any(d.startswith("dukung:") for d in button_data(message))  # nothing similar was offered
    await console.send(console.maker.press(RESIDENT, message, f"dukung:{draft}:{south_id}"))
    assert "tidak bisa didukung" in console.api.texts(RESIDENT)[-1]
    assert len(supporters(console, south.cluster)) == 1
    assert [p.state for p in proposals(console) if p.id == draft] == [ProposalState.DRAFT]


async def test_dukung_on_an_offered_cluster_hidden_since_never_reopens_it(console: Console) -> None:
    lamp = seed(console, 900_011, LAMPU)
    await onboard(console, RESIDENT)
    draft, message = await _draft(console, LAMPU + " Tolong segera.")
    lamp_id = cluster(console, lamp.cluster).id
    assert f"dukung:{draft}:{lamp_id}" in button_data(message)
    assert "disembunyikan" in await confirmed(console, MODERATOR, f"/sembunyikan {lamp.cluster}")
    await console.send(console.maker.press(RESIDENT, message, f"dukung:{draft}:{lamp_id}"))
    assert "tidak bisa didukung" in console.api.texts(RESIDENT)[-1]
    assert cluster(console, lamp.cluster).hidden and len(supporters(console, lamp.cluster)) == 1
    await press(console, RESIDENT, "baru:")  # "Kirim sebagai usulan baru": a cluster of its own
    [mine] = [p for p in proposals(console) if p.id == draft]
    assert mine.state == ProposalState.SUBMITTED and mine.cluster_id != lamp_id


async def test_only_listed_staff_act_in_the_staff_chat_and_refusals_are_audited(console: Console) -> None:
    lamp = seed(console, RESIDENT, LAMPU)
    await console.send(console.maker.text(OUTSIDER, f"/balas {lamp.cluster} jawaban", chat_id=STAFF_CHAT))
    assert "belum terdaftar sebagai staf" in console.api.texts(STAFF_CHAT)[-1]
    await console.send(console.maker.text(OUTSIDER, f"/status_kelompok {lamp.cluster} selesai", chat_id=STAFF_CHAT))
    assert cluster(console, lamp.cluster).status == "baru"
    refusals = [(e.actor, e.target) for e in audit(console) if e.action == "staff_refused"]
    assert refusals == [(f"user:{OUTSIDER}", "staff:balas"), (f"user:{OUTSIDER}", "staff:status_kelompok")]
    await console.flush_outbox()
    assert not any("jawaban" in t for t in console.api.texts(RESIDENT))
    await console.send(console.maker.text(STAFF_USER, f"/balas {lamp.cluster} Sudah diteruskan.", chat_id=STAFF_CHAT))
    assert "dikirim" in console.api.texts(STAFF_CHAT)[-1]


async def test_the_staff_guard_stops_an_unlisted_members_answer_and_status_button(console: Console) -> None:
    cluster_id, _ = seed_cluster(engine_of(console), 1)
    card = await post_to_staff(console, cluster_id)
    await console.send(console.maker.reply_to(OUTSIDER, card, "jawaban dari luar", chat_id=STAFF_CHAT))
    assert "belum terdaftar sebagai staf" in console.api.texts(STAFF_CHAT)[-1]
    await console.send(console.maker.press(OUTSIDER, card, f"st:{cluster_id}:selesai"))
    assert [c for c in console.api.calls if c.method == "answerCallbackQuery"][-1].params.get("show_alert")
    refusals = [(e.actor, e.target) for e in audit(console) if e.action == "staff_refused"]
    assert refusals == [(f"user:{OUTSIDER}", "staff:reply"), (f"user:{OUTSIDER}", "staff:st")]
    before = len(console.api.texts(STAFF_CHAT))
    refusal = max((m for (chat, _), m in console.api.messages.items() if chat == STAFF_CHAT),
                  key=lambda m: m["message_id"])
    assert refusal["message_id"] != card["message_id"]
    await console.send(console.maker.reply_to(OUTSIDER, refusal, "ngobrol saja", chat_id=STAFF_CHAT))  # not a card
    assert len(console.api.texts(STAFF_CHAT)) == before and len(audit(console)) == 2
    await console.send(console.maker.reply_to(STAFF_USER, card, "Sudah kami teruskan ke dinas.", chat_id=STAFF_CHAT))
    assert "dikirim" in console.api.texts(STAFF_CHAT)[-1]
