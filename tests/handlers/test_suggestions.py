"""SPEC §3 step 3: a resident sees clusters that ask for the same thing and can support one."""

from sqlmodel import Session, select

from bot.console import Console
from handlers.deps import deps
from models.clusters import Support
from models.proposals import Proposal, ProposalState
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


async def _stale_support_button(console: Console, user_id: int, text: str) -> dict:
    """A draft whose Dukung K-0001 button was offered before K-0001 became the resident's own (e.g. an older
    screen, or a merge in between): the offer is stored on the draft as the bot would have."""
    await console.send(console.maker.text(user_id, text))
    draft = last_message_with_buttons(console, user_id)
    with Session(console.app.bot_data["deps"].engine) as session:
        row = session.get(Proposal, int(button_data(draft)[0].split(":")[1]))
        assert row is not None and row.state == ProposalState.DRAFT
        row.offered_clusters = "1"
        session.add(row)
        session.commit()
        await console.send(console.maker.press(user_id, draft, f"dukung:{row.id}:1"))
        return {"id": row.id, "message": draft}


def _state(console: Console) -> tuple[list[tuple[int | None, str, str | None]], list[int]]:
    """Every proposal's cluster, state and code, and the residents supporting K-0001."""
    with Session(console.app.bot_data["deps"].engine) as session:
        rows = [(p.cluster_id, p.state, p.code) for p in session.exec(select(Proposal).order_by(Proposal.id))]
        backers = sorted(s.resident_id for s in session.exec(select(Support).where(Support.cluster_id == 1)))
    return rows, backers


async def test_supporting_ones_own_cluster_says_so_and_changes_nothing(console: Console) -> None:
    await onboard(console, FIRST)
    await submit(console, FIRST, LAMPS)
    before = _state(console)
    draft = await _stale_support_button(console, FIRST, "lampu jln merdeka guntung mati semua, gelap bgt klo malam")
    text = console.api.texts(FIRST)[-1]
    assert "usulan Anda sendiri" in text and "K-0001" in text and "1 pendukung" in text and "tercatat" not in text
    rows, backers = _state(console)
    assert rows[:-1] == before[0] and rows[-1] == (None, ProposalState.DRAFT, None)  # no code, not sent
    assert backers == before[1]
    assert button_data(console.api.messages[(FIRST, draft["message"]["message_id"])])  # the draft keeps its buttons


async def test_supporting_a_cluster_twice_says_it_is_already_counted(console: Console) -> None:
    await onboard(console, FIRST)
    await submit(console, FIRST, LAMPS)
    await onboard(console, SECOND, "64.74.01.1004")
    await console.send(console.maker.text(SECOND, "lampu jln merdeka guntung mati semua min, gelap bgt klo malam"))
    await press(console, SECOND, "dukung:")
    before = _state(console)
    await _stale_support_button(console, SECOND, "Lampu PJU Jl. Merdeka Guntung padam, mohon segera diganti.")
    text = console.api.texts(SECOND)[-1]
    assert "sudah mendukung" in text and "2 pendukung" in text
    assert _state(console)[0][:-1] == before[0] and _state(console)[1] == before[1]
