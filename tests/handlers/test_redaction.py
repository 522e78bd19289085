"""Redaction through the real Application: what staff and moderators see of a caption full of numbers."""

import re

from bot.console import Console
from tests.conftest import RESIDENT
from tests.handlers.answers_seed import STAFF_CHAT, post_to_staff
from tests.handlers.journey import onboard, press, proposals
from tests.handlers.moderation_seed import MODERATOR, command

CAPTION = ("Jembatan kayu di Gang Mawar Lok Tuan patah, anak sekolah tidak bisa lewat. "
           "NIK saya 64.74.03.680891.0004, hp 0812–3456–7890, email warga.lokTuan [at] gmail.com")
SECRETS = ("680891", "3456", "7890", "gmail", "warga.lokTuan")


async def test_a_caption_with_nik_phone_and_email_reaches_staff_and_moderators_redacted(console: Console) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.photo(RESIDENT, caption=CAPTION))
    await press(console, RESIDENT, "ok:")
    [mine] = [p for p in proposals(console) if p.cluster_id is not None]
    assert "[NIK]" in mine.text_redacted and "[nomor telepon]" in mine.text_redacted and "[email]" in mine.text_redacted
    card = await post_to_staff(console, mine.cluster_id)
    await command(console, MODERATOR, "/ringkasan")
    await console.flush_outbox()
    shown = [card["text"], *console.api.texts(MODERATOR), *console.api.texts(STAFF_CHAT), mine.text_redacted]
    assert "Jembatan kayu" in card["text"]
    assert [s for s in SECRETS for text in shown if s in text] == []
    assert not [text for text in shown if re.search(r"\d{6,}", text)]
