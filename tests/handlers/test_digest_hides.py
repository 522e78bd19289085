"""A moderator's hide in /ringkasan lasts for the period: later looks show it hidden, Teruskan ke staf leaves it out."""

from datetime import timedelta

from bot.console import Console
from models.digests import Digest
from models.types import utcnow
from tests.handlers.journey import button_data
from tests.handlers.test_digests import (
    MODERATOR,
    STAFF_CHAT,
    moderator_digest,
    set_clock,
    settle,
    stored,
    two_aspirations,
)


async def ringkasan(console: Console, seconds: int) -> dict[str, object]:
    """A moderator's /ringkasan at a later moment; return the message with the review buttons."""
    set_clock(console, utcnow() + timedelta(seconds=seconds))
    await console.send(console.maker.text(MODERATOR, "/ringkasan bontang-utara"))
    return moderator_digest(console)


async def hide_posyandu(console: Console) -> tuple[dict[str, object], Digest, dict[str, object], dict[str, object]]:
    """Two aspirations, a /ringkasan, the posyandu cluster hidden on it, and a second /ringkasan 30 s later.

    Returns the first look, its draft digest, the hidden cluster's line and the second look."""
    await two_aspirations(console)
    first = await ringkasan(console, 0)
    [draft] = stored(console, Digest)
    [posyandu] = [c for c in draft.content["top"] if "Posyandu" in c["title"]]
    await console.send(console.maker.press(MODERATOR, first, f"dg:h:{draft.id}:{posyandu['id']}"))
    second = await ringkasan(console, 30)
    return first, draft, posyandu, second


async def test_a_hide_holds_for_the_next_ringkasan_and_the_forward(console: Console) -> None:
    first, _draft, posyandu, second = await hide_posyandu(console)
    assert second["message_id"] != first["message_id"]
    labels = [b["text"] for row in second["reply_markup"]["inline_keyboard"] for b in row]  # type: ignore[index]
    assert f"↩️ Tampilkan lagi {posyandu['code']}" in labels
    assert "Disembunyikan moderator" in console.api.texts(MODERATOR)[-1]
    third = await ringkasan(console, 60)  # a third look still holds it; forwarding from it leaves it out
    forward = next(d for d in button_data(third) if d.startswith("dg:f:"))
    await console.send(console.maker.press(MODERATOR, third, forward))
    await settle(console)
    staff = "\n".join(console.api.texts(STAFF_CHAT))
    assert "Pattimura" in staff and "Posyandu" not in staff


async def test_showing_it_again_on_a_later_look_lets_it_through(console: Console) -> None:
    first, draft, posyandu, second = await hide_posyandu(console)
    show = next(d for d in button_data(second) if d.endswith(f":{posyandu['id']}"))
    await console.send(console.maker.press(MODERATOR, second, show))
    await ringkasan(console, 60)
    assert "Disembunyikan moderator" not in console.api.texts(MODERATOR)[-1]
    await console.send(console.maker.press(MODERATOR, first, f"dg:f:{draft.id}"))  # the oldest look agrees too
    await settle(console)
    assert "Posyandu" in "\n".join(console.api.texts(STAFF_CHAT))
