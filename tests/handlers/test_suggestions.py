"""SPEC §3 step 3: a resident sees clusters that ask for the same thing and can support one."""

from sqlmodel import Session, select

from bot.console import Console
from handlers.deps import deps
from models.clusters import Support
from tests.handlers.journey import button_data, last_message_with_buttons, onboard, press, proposals, submit

FIRST, SECOND = 900_101, 900_102
LAMPS = "Mohon perbaikan lampu penerangan jalan di Jl. Merdeka Guntung, mati sejak dua minggu."


async def test_support_keeps_the_residents_words_and_follows_the_cluster(console: Console) -> None:
    await onboard(console, FIRST)
    await submit(console, FIRST, LAMPS)
    await onboard(console, SECOND, "64.74.01.1004")
    await console.send(console.maker.text(SECOND, "lampu jln merdeka guntung mati semua min, gelap bgt klo malam"))
    draft = last_message_with_buttons(console, SECOND)
    assert "K-0001" in draft["text"] and "mirip" in draft["text"]
    assert button_data(draft)[0].startswith("dukung:") and button_data(draft)[0].endswith(":1")
    await press(console, SECOND, "dukung:")
    assert "dukungan Anda untuk <b>K-0001</b>" in console.api.messages[(SECOND, draft["message_id"])]["text"]
    stored = proposals(console)
    assert [p.cluster_id for p in stored] == [1, 1]
    assert stored[1].text_verbatim.startswith("lampu jln merdeka")  # type: ignore[union-attr]
    with Session(deps(console.app).engine) as session:
        supports = session.exec(select(Support).where(Support.cluster_id == 1)).all()
    assert sorted(s.resident_id for s in supports) == sorted({p.resident_id for p in stored})
    assert all(s.following for s in supports)


async def test_a_different_request_on_the_same_street_is_not_suggested(console: Console) -> None:
    await onboard(console, FIRST)
    await submit(console, FIRST, LAMPS)
    await onboard(console, SECOND, "64.74.01.1004")
    potholes = "Jalan Merdeka di Guntung banyak lubang besar, aspalnya hancur, tolong diaspal ulang."
    await console.send(console.maker.text(SECOND, potholes))
    draft = last_message_with_buttons(console, SECOND)
    assert not any(d.startswith("dukung:") for d in button_data(draft))
    await press(console, SECOND, "ok:")
    assert len({p.cluster_id for p in proposals(console)}) == 2


async def test_send_as_new_after_suggestions_opens_a_new_cluster(console: Console) -> None:
    await onboard(console, FIRST)
    await submit(console, FIRST, LAMPS)
    await onboard(console, SECOND, "64.74.01.1004")
    await console.send(console.maker.text(SECOND, "lampu jln merdeka guntung mati semua min, gelap bgt klo malam"))
    draft = last_message_with_buttons(console, SECOND)
    assert any(d.startswith("dukung:") for d in button_data(draft))
    assert not any(d.startswith("ok:") for d in button_data(draft))  # the send button declines what was shown
    await press(console, SECOND, "baru:")
    assert "K-0002" in console.api.messages[(SECOND, draft["message_id"])]["text"]
    assert [p.cluster_id for p in proposals(console)] == [1, 2]
