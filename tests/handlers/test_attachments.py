"""What residents attach reaches the people who act: the draft says what is attached, the digest and the staff
card show "📷 1 · 📍 1", and /lampiran sends the photos (by file id, without the sender) and the pins with map
links to the staff chat or a moderator's chat; nobody else may open them."""

from sqlmodel import Session, select

from bot.console import Console
from handlers.deps import deps
from models.clusters import Cluster
from tests.conftest import RESIDENT
from tests.handlers.answers_seed import STAFF_CHAT, STAFF_USER, post_to_staff, wait_until_sent
from tests.handlers.journey import onboard, press, proposals
from tests.handlers.moderation_seed import MODERATOR, command

TEXT = "Mohon perbaikan jalan berlubang di Jl. Pattimura Lok Tuan, sudah banyak pengendara jatuh."


async def _photo_and_pin(console: Console) -> tuple[int, str, str]:
    """A resident sends a captioned photo and a pin, then Kirim; return the cluster id, code and file id."""
    await onboard(console, RESIDENT)
    await console.send(console.maker.photo(RESIDENT, caption=TEXT))
    draft_text = console.api.texts(RESIDENT)[-1]
    assert "📷 Foto Anda ikut terlampir" in draft_text
    await console.send(console.maker.location(RESIDENT, 0.1301, 117.4862))
    assert "0.13010, 117.48620" in console.api.texts(RESIDENT)[-1]
    await press(console, RESIDENT, "ok:")
    [stored] = proposals(console)
    assert stored.cluster_id is not None and stored.photo_file_id is not None
    with Session(deps(console.app).engine) as session:
        cluster = session.get(Cluster, stored.cluster_id)
        assert cluster is not None and cluster.code is not None
        return stored.cluster_id, cluster.code, stored.photo_file_id


async def test_digest_and_staff_card_show_photos_and_pins(console: Console) -> None:
    cluster_id, code, _ = await _photo_and_pin(console)
    await console.send(console.maker.text(MODERATOR, "/ringkasan"))
    digest = "\n".join(console.api.texts(MODERATOR))
    assert "📷 1 · 📍 1" in digest and f"/lampiran {code}" in digest, digest
    card = await post_to_staff(console, cluster_id)
    assert "📷 1 · 📍 1" in card["text"] and f"/lampiran {code}" in card["text"]


async def test_staff_open_the_photos_in_their_chat_by_file_id_without_the_sender(console: Console) -> None:
    _, code, file_id = await _photo_and_pin(console)
    await console.send(console.maker.text(STAFF_USER, f"/lampiran {code}", chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    [photo] = console.api.sent(STAFF_CHAT, "sendPhoto")
    assert photo.params["photo"] == file_id and code in photo.params["caption"]
    assert str(RESIDENT) not in photo.params["caption"] and "Lok Tuan" in photo.params["caption"]
    pins = [c for c in console.api.sent(STAFF_CHAT, "sendMessage") if "openstreetmap.org" in c.params["text"]]
    assert pins and "0.13010, 117.48620" in pins[0].params["text"] and str(RESIDENT) not in pins[0].params["text"]
    assert any("1 foto, 1 titik lokasi" in text for text in console.api.texts(STAFF_CHAT))


async def test_a_moderator_opens_them_privately_and_a_resident_cannot(console: Console) -> None:
    _, code, file_id = await _photo_and_pin(console)
    await console.send(console.maker.text(MODERATOR, f"/lampiran {code}"))
    await wait_until_sent(console)
    assert [c.params["photo"] for c in console.api.sent(MODERATOR, "sendPhoto")] == [file_id]
    refused = await command(console, RESIDENT, f"/lampiran {code}")
    assert "hanya bisa dibuka staf" in refused
    assert not console.api.sent(RESIDENT, "sendPhoto")
    with Session(deps(console.app).engine) as session:  # nothing about the resident was queued elsewhere
        assert session.exec(select(Cluster).where(Cluster.code == code)).one().hidden is False
