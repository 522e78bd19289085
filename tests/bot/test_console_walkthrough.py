"""The whole journey typed into the console (its harness, as piped input would), asserting what each persona
sees: a photo and a pin that reach the moderator and staff, a hide that lasts, a staff answer from the web page;
then the same database after a restart of the console."""

import io
import re
from pathlib import Path

from sqlmodel import Session, select

from bot.console import Console
from bot.settings import Settings
from models.clusters import Cluster
from nlp.embed import Embedder
from tests.bot.test_console import Typist
from tests.web.seed import City, client_for, csrf_of, login
from tests.web.test_forms import FORM_ID

STAFF_USER = 900_004  # the console's staff persona, staff on the web page too (console.web_roles)

FIRST = "Mohon perbaikan jalan berlubang di Jl. Pattimura Lok Tuan, sudah banyak pengendara jatuh."
SECOND = "Jalan Pattimura di Lok Tuan rusak parah dan berlubang, tolong segera diperbaiki, sering ada kecelakaan."
ADVERT = "Dijual pulsa murah meriah gratis ongkir, order sekarang hubungi 0812-3456-7890."
WATER = "Air PDAM di Jl. Cendana Lok Tuan sudah seminggu tidak mengalir, mohon segera diperbaiki."


def number_of(shown: str, persona: str, containing: str = "") -> int:
    """The message number (#N) of the last message shown to a persona (containing a text)."""
    blocks = [b for b in shown.split("\n🤖 → ")[1:] if b.startswith(f"{persona} · #") and containing in b]
    return int(re.match(rf"{persona} · #(\d+)", blocks[-1]).group(1))  # type: ignore[union-attr]


def codes_of(console: Console) -> dict[str, str | None]:
    """Every cluster code and the code it was merged into, if any."""
    with Session(console.app.bot_data["deps"].engine) as session:
        clusters = {c.id: c for c in session.exec(select(Cluster))}
    return {str(c.code): clusters[c.merged_into_id].code if c.merged_into_id else None for c in clusters.values()}


def buttons(shown: str) -> list[str]:
    """The numbered buttons of the last keyboard shown."""
    rows = [line for line in shown.splitlines() if line.startswith("   [1]")]
    return re.findall(r"\[\d+\] ([^\[]+?)(?=\s{2}\[|$)", rows[-1]) if rows else []


async def onboard(type_: Typist, persona: str) -> None:
    """A resident starts, consents and chooses Lok Tuan."""
    await type_(f"/as {persona}")
    await type_("/start")
    await type_("1")
    shown = await type_("4")  # [1] is the Bontang Utara heading, then Bontang Kuala, Bontang Baru, Lok Tuan
    assert "Lok Tuan" in shown


def press(shown: str, label: str) -> str:
    """The number to type for the button whose label contains `label`."""
    return str(next(i for i, b in enumerate(buttons(shown), 1) if label in b))


async def residents_and_a_held_message(type_: Typist) -> None:
    """Two residents ask for the same road repair (the second supports the first's cluster), the second also
    sends a water complaint, and an advert that is held."""
    await onboard(type_, "warga")
    draft = await type_(f"/foto {FIRST}")
    assert "Foto Anda ikut terlampir" in draft
    assert "0.13010, 117.48620" in await type_("/lokasi 0.1301 117.4862")
    sent = await type_(press(draft, "Kirim"))
    assert "ASP-2026-000001" in sent and "K-0001" in sent and "→ warga ·" in sent
    await onboard(type_, "warga2")
    draft = await type_(SECOND)
    assert "mirip" in draft and "Dukung K-0001" in draft and "→ warga2" in draft
    supported = await type_(press(draft, "Dukung"))
    assert "dukungan Anda untuk K-0001" in supported and "2 pendukung" in supported
    held = await type_(press(await type_(ADVERT), "Kirim"))
    assert "diperiksa moderator" in held and "0812" not in held.split("diubah")[1]
    water = await type_(press(await type_(WATER), "Kirim"))
    assert "K-0002" in water


async def digest_to_staff(type_: Typist) -> str:
    """The moderator looks at the running period and hides K-0002; a second look still has it hidden; Teruskan
    from there forwards K-0001 alone (with its photo and pin), one card for staff."""
    await type_("/as moderator")
    digest = await type_("/ringkasan bontang-utara")
    assert "Ringkasan Forum Warga Bontang Utara" in digest and "K-0001" in digest and "K-0002" in digest
    assert "Dijual" not in digest and "Teruskan ke staf" in digest  # the held advert is in no digest
    assert "📷 1 · 📍 1" in digest and "/lampiran K-0001" in digest
    hidden = await type_(press(digest, "Sembunyikan K-0002"))
    assert "K-0002" in hidden
    again = await type_("/ringkasan bontang-utara")
    assert "Disembunyikan moderator" in again and "Tampilkan lagi K-0002" in again  # the hide lasts
    forwarded = await type_(press(again, "Teruskan"), until="📌 K-0001")
    assert "pop-up → moderator: ⏳ Meneruskan ringkasan" in forwarded and "📨 Ringkasan diteruskan" in forwarded
    assert "📌 K-0001" in forwarded and "📌 K-0002" not in forwarded and "→ staf" in forwarded
    assert "/lampiran K-0001" in forwarded  # staff see that K-0001 has a photo and a pin
    assert "Nama900" not in forwarded and "pengguna900" not in forwarded  # no Telegram identities for staff
    await type_("/as staf")
    opened = await type_("/lampiran K-0001", until="openstreetmap.org")
    assert "foto 1 dari 1" in opened and "0.13010, 117.48620" in opened
    return forwarded


async def web_answer(type_: Typist) -> None:
    """Staff answer K-0001 on the web page (same database); both residents get it through the bot."""
    deps = type_.console.app.bot_data["deps"]
    city = City(engine=deps.engine, config=deps.config, codes={}, first_resident=0)
    client = client_for(city)
    login(client, city, STAFF_USER)
    page = client.get("/kelompok/K-0001").text
    form = FORM_ID.search(page)
    assert form is not None and "📷" in page  # the photo is on the cluster page
    done = client.post("/kelompok/K-0001/jawab", data={"csrf": csrf_of(page), "form_id": form.group(1),
                                                        "text": "Tim sudah survei lokasi Jl. Pattimura."})
    assert "Jawaban dikirim ke 2 warga." in done.text
    await type_.console.flush_outbox()
    for resident in (900_001, 900_102):  # warga, warga2
        assert any("survei lokasi" in text for text in type_.console.api.texts(resident))


async def answers_follow_up_and_status(type_: Typist, cards: str) -> None:
    """Staff answer K-0001 by replying to its card; a resident replies to the answer; staff set a status."""
    await type_("/as staf")
    answered = await type_(f"/reply {number_of(cards, 'staf', '📌 K-0001')} Perbaikan Jl. Pattimura dijadwalkan "
                           "bulan depan.")
    assert "Jawaban untuk K-0001 dikirim ke 2 warga" in answered
    assert "→ warga ·" in answered and "→ warga2 ·" in answered and "dijadwalkan bulan depan" in answered
    await type_("/as warga")
    follow_up = await type_(f"/reply {number_of(answered, 'warga', 'dijadwalkan')} Terima kasih, mohon kabari "
                            "tanggalnya.")
    assert "→ staf" in follow_up and "mohon kabari tanggalnya" in follow_up and "K-0001" in follow_up
    await type_("/as staf")
    card = re.search(r"✏️ → staf · pesan #\d+ diubah:.*?(?=\n(?:🤖|✏️)|\Z)", answered, re.S)  # the edited card
    assert card is not None  # its status buttons (residents' answers now carry 👍/👎 buttons of their own)
    status = await type_(press(card.group(0), "ditindaklanjuti"))
    assert "pop-up → staf: Status K-0001: Sedang ditindaklanjuti" in status
    assert "diubah" in status and "→ warga ·" in status and "→ warga2 ·" in status  # card edited, residents told


async def merge_and_export(type_: Typist, files: Path) -> None:
    """A moderator merges two clusters (short codes) after a preview, takes it back with Urungkan (residents told
    both times, codes exactly as before); an admin exports."""
    await type_("/as moderator")
    preview = await type_("/gabung K-1 K-2")
    assert "Gabungkan K-0002 ke K-0001" in preview and "Kategori berbeda" in preview and "→ warga2" not in preview
    merged = await type_(press(preview, "Ya"))
    assert "K-0002" in merged and "digabung ke" in merged and "→ warga2" in merged
    assert "Urungkan" in buttons(merged)[0] and "ditangani bersama" in merged.split("→ warga2")[1]
    undone = await type_(press(merged, "Urungkan"))
    edited = re.search(r"→ moderator · pesan #\d+ diubah", merged)  # the confirmation, edited in place
    assert edited is not None and edited.group(0) in undone and "Diurungkan" in undone and buttons(undone) == []
    assert "K-0002 kembali seperti semula" in undone.split("→ warga2")[1]
    assert codes_of(type_.console) == {"K-0001": None, "K-0002": None}  # its own code back, no third one
    await type_("/as warga2")
    status = await type_("/status")
    assert "K-0001" in status and "K-0002" in status and "PDAM" in status
    await type_("/as admin")
    exported = await type_("/ekspor")
    assert "📎 berkas:" in exported and "→ admin" in exported
    assert any(path.suffix == ".xlsx" for path in files.iterdir())


async def test_walkthrough_then_restart(settings: Settings, embedder: Embedder, tmp_path: Path) -> None:
    console = Console(settings, io.StringIO(), embedder=embedder, files_dir=tmp_path)
    await console.start()
    type_ = Typist(console)
    try:
        await residents_and_a_held_message(type_)
        cards = await digest_to_staff(type_)
        await answers_follow_up_and_status(type_, cards)
        await web_answer(type_)
        await merge_and_export(type_, tmp_path)
    finally:
        await console.stop()

    again = Console(settings, io.StringIO(), embedder=embedder, files_dir=tmp_path)
    await again.start()
    type_ = Typist(again)
    try:
        status = await type_("/status")
        assert "→ warga" in status and "K-0001" in status and "survei lokasi" in status  # the latest answer: the web
        assert codes_of(again) == {"K-0001": None, "K-0002": None}  # the undone merge stays undone
        await type_("/as warga2")
        status = await type_("/status")
        assert "K-0001" in status and "K-0002" in status
        draft = await type_("Lampu jalan di gang Mawar Lok Tuan mati sudah seminggu, mohon diganti segera.")
        assert "→ warga2" in draft and "[1]" in draft
        await type_("/as moderator")
        assert "Ringkasan Forum Warga Bontang Utara" in await type_("/ringkasan")
        await type_("/as staf")
        answered = await type_(f"/reply {number_of(cards, 'staf', '📌 K-0001')} Jadwal: minggu kedua.",
                               until="dikirim ke 2 warga")  # the staff chat's sends are paced (20 a minute)
        assert "dikirim ke 2 warga" in answered and "minggu kedua" in answered
        await type_("/as admin")
        assert "📎 berkas:" in await type_("/ekspor")
        await type_("/as moderator")
        issued = await type_("/digest")  # the period since Teruskan: closed now, sent to the moderators
        assert "(ringkasan diterbitkan: 3)" in issued and "→ moderator" in issued
    finally:
        await again.stop()
