"""Closing the loop typed into the console: staff set selesai, one resident answers Sudah, the other Belum with
a comment, the Belum majority reopens the cluster to ditinjau, staff read the note; then a resident changes
the answer from /status."""

import io
from datetime import UTC, datetime
from pathlib import Path

from bot.console import Console
from bot.settings import Settings
from nlp.embed import Embedder
from services.core.config import SatisfactionConfig
from tests.bot.test_console import Typist
from tests.bot.test_console_walkthrough import press, residents_and_a_held_message

DAY = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 10:00 WITA: questions go out
QUESTION = "Apakah masalah ini sudah terselesaikan?"


def block(shown: str, persona: str, containing: str) -> str:
    """The last message shown to a persona that contains a text (with its buttons)."""
    return [b for b in shown.split("\n🤖 → ")[1:] if b.startswith(f"{persona} · ") and containing in b][-1]


async def test_sudah_belum_and_a_reopen(settings: Settings, embedder: Embedder, tmp_path: Path) -> None:
    # reopen once more than half of at least two answers say Belum (config: satisfaction)
    settings.config = settings.config.model_copy(
        update={"satisfaction": SatisfactionConfig(reopen_min_answers=2, reopen_share=0.4)})
    console = Console(settings, io.StringIO(), embedder=embedder, files_dir=tmp_path)
    await console.start()
    console.app.bot_data["clock"] = lambda: DAY
    type_ = Typist(console)
    try:
        await residents_and_a_held_message(type_)  # warga and warga2 follow K-0001
        await type_("/as staf")
        solved = await type_("/status_kelompok K-0001 selesai", until=QUESTION)
        solved += await type_("/as warga", until=QUESTION)
        assert block(solved, "warga", QUESTION) and block(solved, "warga2", QUESTION)
        await type_("/as warga")
        yes = await type_(press(block(solved, "warga", QUESTION), "Sudah"))
        assert "tercatat: Sudah" in yes
        await type_("/as warga2")
        no = await type_(press(block(solved, "warga2", QUESTION), "Belum"), until="belum selesai")
        assert "tercatat: Belum" in no
        assert "Warga menyatakan belum selesai: 1 dari 2" in no and "→ staf" in no  # 1 of 2 > 40%: reopened
        status = await type_("/status")
        assert "Status: Sedang ditinjau" in status
        assert "Jawaban Anda: Belum" in status
        changed = await type_(press(status, "Sudah (K-0001)"))
        assert "tercatat: Sudah" in changed
    finally:
        await console.stop()
