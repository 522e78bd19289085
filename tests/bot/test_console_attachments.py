"""In the console, as a newcomer would try it: a resident sends a captioned photo and a pin, the draft says so,
the moderator's digest shows "📷 1 · 📍 1", and staff open them with /lampiran."""

from pathlib import Path

from bot.settings import Settings
from nlp.embed import Embedder
from tests.bot.test_console import started
from tests.bot.test_console_walkthrough import onboard, press

TEXT = "Mohon perbaikan jalan berlubang di Jl. Pattimura Lok Tuan, sudah banyak pengendara jatuh."


async def test_a_photo_and_a_pin_reach_the_moderator_and_staff(settings: Settings, embedder: Embedder,
                                                             tmp_path: Path) -> None:
    console, type_ = await started(settings, embedder, tmp_path / "files")
    try:
        await onboard(type_, "warga")
        draft = await type_(f"/foto {TEXT}")
        assert "Foto Anda ikut terlampir" in draft
        pinned = await type_("/lokasi 0.1301 117.4862")
        assert "0.13010, 117.48620" in pinned
        sent = await type_(press(draft, "Kirim"))
        assert "K-0001" in sent
        await type_("/as moderator")
        digest = await type_("/ringkasan")
        assert "📷 1 · 📍 1" in digest and "/lampiran K-0001" in digest
        await type_("/as staf")
        opened = await type_("/lampiran K-0001", until="openstreetmap.org")
        assert "foto 1 dari 1" in opened and "0.13010, 117.48620" in opened
    finally:
        await console.stop()
