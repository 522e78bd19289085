"""The console as a stand-in for Telegram: personas, numbering across restarts, pop-ups, edits, documents,
replies, photos, locations, and quiet libraries."""

import asyncio
import io
import logging
import os
from pathlib import Path

import pytest

from bot.console import QUIET_LOGGERS, Console, run_console
from bot.settings import Settings
from nlp.embed import Embedder


class Typist:
    """Types lines into a console and returns what it printed for each."""

    def __init__(self, console: Console) -> None:
        self.console = console
        assert isinstance(console.out, io.StringIO)
        self.out: io.StringIO = console.out

    async def __call__(self, line: str, *, until: str | None = None) -> str:
        """Type a line; with `until`, also wait for background messages until that text was printed."""
        start = len(self.out.getvalue())
        assert await self.console.handle_line(line)
        for _ in range(3000):  # paced sends (a group chat's 20 a minute) arrive in the background: up to a minute
            if until is None or until in self.out.getvalue()[start:]:
                break
            await asyncio.sleep(0.02)
            await self.console.flush_outbox()
        return self.out.getvalue()[start:]


async def started(settings: Settings, embedder: Embedder, files: Path) -> tuple[Console, Typist]:
    """A console on the settings' database, started."""
    console = Console(settings, io.StringIO(), embedder=embedder, files_dir=files)
    await console.start()
    return console, Typist(console)


async def test_personas_are_distinct_and_unknown_names_are_refused(console: Console) -> None:
    type_ = Typist(console)
    refused = await type_("/as moderatr")
    assert "moderatr" in refused and "warga2" in refused and "moderator" in refused
    assert console.persona.name == "warga"
    assert "sebagai warga2" in await type_("/as warga2")
    shown = await type_("/start")
    assert "→ warga2" in shown and console.persona.user_id != 900_001
    assert "sebagai staf" in await type_("/as staff")
    assert "sebagai warga" in await type_("/as warga")
    assert "→ warga ·" in await type_("/start")


async def test_a_restart_on_the_same_database_answers_at_once(settings: Settings, embedder: Embedder,
                                                              tmp_path: Path) -> None:
    first, type_ = await started(settings, embedder, tmp_path)
    await type_("/start")
    await type_("1")  # consent
    await type_("2")  # Bontang Kuala ([1] is the kecamatan heading)
    sent = await type_("Mohon perbaikan jalan berlubang di Jl. Pattimura Lok Tuan, banyak pengendara jatuh.")
    assert "[1]" in sent
    await first.stop()
    second, type_ = await started(settings, embedder, tmp_path)
    try:
        assert second.maker.text(1, "x")["update_id"] > 1
        assert "→ warga" in await type_("/bantuan")
        assert "→ warga" in await type_("/status")
        again = await type_("Lampu jalan di gang Mawar Lok Tuan mati sudah seminggu, mohon diperbaiki segera.")
        assert "Usulan Anda" in again and "[1]" in again
    finally:
        await second.stop()


async def test_pop_ups_edits_and_documents_are_shown(console: Console, tmp_path: Path) -> None:
    console.view.files_dir = tmp_path / "berkas"
    type_ = Typist(console)
    await type_("/as admin")
    shown = await type_("/ekspor")
    assert "📎 berkas:" in shown
    path = Path(shown.split("📎 berkas:")[1].split()[0])
    assert path.parent == (tmp_path / "berkas").resolve() and path.suffix == ".xlsx" and path.stat().st_size > 0
    await type_("/as warga")
    await type_("/start")
    edited = await type_("1")  # consent: the privacy message's buttons go, a new question comes
    assert "→ warga" in edited


async def test_reply_photo_and_location_reach_the_bot_as_telegram_would(console: Console) -> None:
    type_ = Typist(console)
    await type_("/start")
    await type_("1")
    await type_("2")
    shown = await type_("/foto Jalan berlubang besar di depan SD Lok Tuan, mohon segera ditambal.")
    assert "→ warga" in shown
    assert "Cara pakai" in await type_("/lokasi utara")
    assert "→ warga" in await type_("/lokasi 0.1336 117.4856")
    assert "Cara pakai" in await type_("/reply 99999 halo")
    number = next(n for (chat, n) in console.api.messages if chat == 900_001)
    await type_(f"/reply {number} terima kasih")
    last = console.api.calls[-1]
    assert last.method in {"sendMessage", "answerCallbackQuery", "copyMessage"}


async def test_piped_input_runs_quietly_unless_verbose(settings: Settings, embedder: Embedder, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for logger in (logging.getLogger(), *(logging.getLogger(name) for name in QUIET_LOGGERS)):
        monkeypatch.setattr(logger, "level", logger.level)  # put back after the test: others read the logs
    for name in ("TQDM_DISABLE", "HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY", "TOKENIZERS_PARALLELISM"):
        monkeypatch.setenv(name, "-")  # recorded, so the value the console sets is undone after the test
        monkeypatch.delenv(name)
    out = io.StringIO()
    await run_console(settings, io.StringIO("/as nobody\n/start\n/quit\n"), out, files_dir=tmp_path,
                      embedder=embedder)
    assert "Peran nobody tidak dikenal" in out.getvalue() and "→ warga" in out.getvalue()
    assert os.environ["TQDM_DISABLE"] == "1" and logging.getLogger().level == logging.ERROR
    assert logging.getLogger("sentence_transformers").level == logging.ERROR


async def test_a_button_on_an_earlier_message_can_be_pressed(console: Console) -> None:
    type_ = Typist(console)
    first = await type_("/start")
    await type_("/start")  # a second privacy notice: its buttons are the latest now
    number = int(first.rsplit("→ warga · #", 1)[1].split(":")[0])  # the first privacy notice, with [1]
    assert f"#{number} di obrolan ini tidak punya tombol [9]" in await type_(f"#{number} 9")
    pressed = await type_(f"#{number} 1")  # consent on the first notice
    assert "Bontang Kuala" in pressed and "[2]" in pressed  # the kelurahan question, with its buttons
    assert "Bontang Kuala" in await type_("/kelurahan")


async def test_the_prompt_comes_back_after_a_message_in_the_background(console: Console) -> None:
    """A message that arrives while the person is typing is printed, then the prompt again."""
    from bot.console import read_line

    loop = asyncio.get_running_loop()

    class SlowTyping(io.StringIO):
        def readline(self, size: int | None = -1) -> str:
            """While the person types, the bot sends a message (as the outbox would in the background)."""
            sent = asyncio.run_coroutine_threadsafe(console.app.bot.send_message(900_001, "Kabar dari staf"), loop)
            sent.result(timeout=30)
            return "/quit\n"

    assert await read_line(console, SlowTyping()) == "/quit\n"
    printed = console.out.getvalue()
    assert printed.rstrip().endswith("[warga] >") and "Kabar dari staf" in printed
    assert printed.index("Kabar dari staf") < printed.rindex("[warga] >")


async def test_no_progress_bars_without_verbose(settings: Settings, embedder: Embedder, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for logger in (logging.getLogger(), *(logging.getLogger(name) for name in QUIET_LOGGERS)):
        monkeypatch.setattr(logger, "level", logger.level)
    for name in ("TQDM_DISABLE", "HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY", "TOKENIZERS_PARALLELISM"):
        monkeypatch.setenv(name, "-")
        monkeypatch.delenv(name)
    import transformers.utils.logging as transformers_logging

    monkeypatch.setattr(transformers_logging, "_tqdm_active", True)  # on, as after an import; put back after
    await run_console(settings, io.StringIO("/quit\n"), io.StringIO(), files_dir=tmp_path, embedder=embedder)
    captured = capsys.readouterr()
    assert "usulan" not in captured.err and "index" not in captured.err and "it/s" not in captured.err
    assert not transformers_logging.is_progress_bar_enabled()  # "Loading weights" bars off too
    await run_console(settings, io.StringIO("/quit\n"), io.StringIO(), files_dir=tmp_path, embedder=embedder,
                      verbose=True)
    assert "index" in capsys.readouterr().err  # --verbose keeps them


async def test_digest_says_so_at_once_then_each_forum_then_the_result(console: Console) -> None:
    from sqlmodel import Session, select

    from models.digests import Digest

    def digests() -> int:
        with Session(console.app.bot_data["deps"].engine) as session:
            return len(session.exec(select(Digest)).all())

    class Watched(io.StringIO):
        """Notes how many digests existed when each line was printed."""

        def __init__(self) -> None:
            super().__init__()
            self.lines: list[tuple[str, int]] = []

        def write(self, text: str) -> int:
            if text.strip():
                self.lines.append((text.strip(), digests()))
            return super().write(text)

    console.out = console.view.out = Watched()
    await console.handle_line("/as moderator")
    await console.handle_line("/digest")
    lines = console.out.lines
    start = next(i for i, (text, _) in enumerate(lines) if "menerbitkan ringkasan 3 forum" in text)
    assert lines[start][1] == 0  # said before any digest was built
    forums = [n for text, n in lines if "ringkasan dibuat" in text]
    assert forums == [1, 2, 3]  # then each forum as it is done
    assert any("(ringkasan diterbitkan: 3)" in text for text, _ in lines[start:])
