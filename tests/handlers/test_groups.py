"""Aspirations posted in a forum's group: /usul <teks> and #usul, acknowledged there, confirmed in private."""

import io
from collections.abc import AsyncIterator

import pytest

from bot.console import Console
from bot.settings import Settings
from nlp.embed import Embedder
from tests.conftest import RESIDENT
from tests.handlers.journey import onboard, press, proposals

GROUP = -100_700_001  # a forum's Telegram group


@pytest.fixture
async def console(settings: Settings, embedder: Embedder) -> AsyncIterator[Console]:
    """The bot with GROUP configured as bontang-utara's group (/usul is taken only in forum groups)."""
    forums = [f.model_copy(update={"chat_id": GROUP}) if f.id == "bontang-utara" else f
              for f in settings.config.forums]
    bot = Console(Settings(settings.config.model_copy(update={"forums": forums}), settings.secrets,
                           settings.config_path), io.StringIO(), embedder=embedder)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
TEXT = "Mohon lampu jalan di Jl. Cendana Lok Tuan diperbaiki, sudah seminggu gelap total."


async def test_usul_command_in_a_group_is_acknowledged_there_and_confirmed_in_private(console: Console) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, f"/usul {TEXT}", chat_id=GROUP))
    assert any("usulan sudah diterima" in text for text in console.api.texts(GROUP))
    [draft] = proposals(console)
    assert draft.text_verbatim == TEXT and draft.source_chat_id == GROUP
    await press(console, RESIDENT, "ok:")  # the draft's buttons came to the resident's private chat
    [submitted] = proposals(console)
    assert submitted.code is not None and submitted.cluster_id is not None
    assert all(submitted.code not in text for text in console.api.texts(GROUP))  # the code stays private


async def test_hashtag_usul_in_a_group_stores_the_text_without_the_tag(console: Console) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, f"#usul {TEXT}", chat_id=GROUP))
    [draft] = proposals(console)
    assert draft.text_verbatim == TEXT
    assert any("usulan sudah diterima" in text for text in console.api.texts(GROUP))
    assert any("Kirim" in text or "usulan" in text.lower() for text in console.api.texts(RESIDENT))


async def test_usul_from_a_stranger_is_not_kept_and_points_to_the_private_chat(console: Console) -> None:
    stranger = RESIDENT + 1
    await console.send(console.maker.text(stranger, f"/usul {TEXT}", chat_id=GROUP))
    assert proposals(console) == []  # nothing kept before consent (issue 20): they send it again after /start
    [answer] = [text for text in console.api.texts(GROUP) if "chat pribadi" in text]
    assert "?start=usul" in answer and "kirim ulang" in answer
    assert console.api.texts(stranger) == []  # the bot cannot write first to someone who never started it


async def test_usul_without_text_explains_how(console: Console) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, "/usul", chat_id=GROUP))
    assert any("/usul Mohon perbaikan" in text for text in console.api.texts(GROUP))
    assert proposals(console) == []


async def test_an_ordinary_group_message_is_ignored(console: Console) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, "Selamat pagi semua, jangan lupa kerja bakti Minggu.",
                                          chat_id=GROUP))
    assert console.api.texts(GROUP) == [] and proposals(console) == []
