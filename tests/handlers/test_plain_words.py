"""Honest statuses in plain words: answered clusters, held aspirations, /data_saya, codes, category labels."""

import re

from sqlmodel import Session

from bot.console import Console
from models.clusters import Cluster
from models.proposals import ProposalState
from models.types import utcnow
from tests.conftest import RESIDENT
from tests.handlers.answers_seed import STAFF_CHAT, STAFF_USER, engine_of, post_to_staff, wait_until_sent
from tests.handlers.journey import onboard, press, proposals, submit
from tests.handlers.moderation_seed import confirmed

LAMP = "Lampu jalan di Jl. Ahmad Yani Lok Tuan mati sudah sebulan, mohon diperbaiki"
SHOP = "Promo lampu LED tenaga surya murah meriah, cek https://shopee.co.id/lampu-surya sekarang juga."
WATER = "Air PDAM di RT 5 Guntung keruh dan berbau sejak seminggu, mohon diperiksa"


def cluster_of(console: Console, cluster_id: int) -> Cluster:
    """A cluster as stored now."""
    with Session(engine_of(console), expire_on_commit=False) as session:
        cluster = session.get(Cluster, cluster_id)
        assert cluster is not None
        session.expunge(cluster)
        return cluster


async def status_text(console: Console) -> str:
    """What /status shows the resident."""
    await console.send(console.maker.text(RESIDENT, "/status"))
    return console.api.texts(RESIDENT)[-1]


async def test_first_answer_marks_answered_and_a_status_staff_chose_stays(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, LAMP)
    cluster_id = proposals(console)[-1].cluster_id
    assert cluster_id is not None
    code = cluster_of(console, cluster_id).code
    assert "Status: <b>Baru</b>" in await status_text(console)
    await console.send(console.maker.text(STAFF_USER, f"/balas {code} Sudah kami catat untuk Dinas PUPR.",
                                          chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    assert cluster_of(console, cluster_id).status == "ditanggapi"
    shown = await status_text(console)
    assert "Sudah dijawab staf" in shown and "Jawaban terakhir" in shown and "Baru" not in shown
    month = utcnow().astimezone(console.settings.config.city.tz).strftime("%Y")
    assert re.search(rf"\d{{1,2}} [A-Z][a-z]+ {month}", shown)  # "29 November 2026", not 29-11-2026
    await console.send(console.maker.text(STAFF_USER, f"/status_kelompok {code} diteruskan", chat_id=STAFF_CHAT))
    await console.send(console.maker.text(STAFF_USER, f"/balas {code} Jadwal perbaikan minggu depan.",
                                          chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    assert cluster_of(console, cluster_id).status == "diteruskan"
    assert "Diteruskan ke dinas terkait" in await status_text(console)
    assert "OPD" not in "\n".join(console.api.texts(RESIDENT))


async def test_staff_cards_and_moderators_see_category_labels_not_codes(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, WATER)
    cluster_id = proposals(console)[-1].cluster_id
    assert cluster_id is not None
    with Session(engine_of(console)) as session:
        cluster = session.get(Cluster, cluster_id)
        assert cluster is not None
        cluster.category, code = "air_bersih", cluster.code
        session.add(cluster)
        session.commit()
    card = await post_to_staff(console, cluster_id)
    assert "Air bersih &amp; sanitasi" in card["text"] or "Air bersih & sanitasi" in card["text"]
    assert "air_bersih" not in card["text"]
    moderator = 900_002
    await console.send(console.maker.text(moderator, f"/kategori {code} bantuan_sosial"))
    answer = console.api.texts(moderator)[-1]
    assert "Bantuan sosial" in answer and "bantuan_sosial" not in answer  # the preview
    done = await confirmed(console, moderator, f"/kategori {code} bantuan_sosial")
    assert "Bantuan sosial" in done and "bantuan_sosial" not in done
    await console.flush_outbox()
    notice = console.api.texts(RESIDENT)[-1]  # the resident follows the cluster: told in words
    assert "kategori <b>Bantuan sosial</b>" in notice and "bantuan_sosial" not in notice


async def test_held_aspiration_shows_in_status_with_neutral_words(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, SHOP)
    held_notice = console.api.calls[-1].params["text"]
    assert "diperiksa" in held_notice and "iklan" not in held_notice and "pernah dikirim" not in held_notice
    [held] = proposals(console)
    assert held.state == ProposalState.HELD and held.code is not None
    shown = await status_text(console)
    assert held.code in shown and "sedang diperiksa moderator" in shown


async def test_data_saya_counts_sent_aspirations_and_codes_have_no_gaps(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, LAMP)
    await console.send(console.maker.text(RESIDENT, "Saya batal saja, ada usulan tentang taman bermain anak"))
    await press(console, RESIDENT, "batal:")
    await console.send(console.maker.text(RESIDENT, "Usulan kedua yang tidak jadi dikirim tentang pasar"))
    await console.send(console.maker.text(RESIDENT, "/batal"))
    await submit(console, RESIDENT, WATER)
    sent = [p for p in proposals(console) if p.state == ProposalState.SUBMITTED]
    assert [p.code[-6:] for p in sent if p.code] == ["000001", "000002"]
    assert all(p.code is None for p in proposals(console) if p.state == ProposalState.CANCELLED)
    await console.send(console.maker.text(RESIDENT, "/data_saya"))
    summary = next(text for text in reversed(console.api.texts(RESIDENT)) if "Data Anda yang kami simpan" in text)
    assert "Usulan terkirim: 2" in summary
    assert "WITA" in summary and "+08:00" not in summary and not re.search(r"\d{4}-\d{2}-\d{2}T", summary)
