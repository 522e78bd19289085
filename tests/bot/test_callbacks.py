"""Every button a keyboard builds reaches exactly the handler registered for it, and forged data reaches none.

The keyboards are the real builders (handlers' InlineKeyboardMarkups and the services' JSON keyboards); the
patterns are the ones bot/app.py registers, read back from the built Application.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import CallbackQuery, InlineKeyboardMarkup, Update, User
from telegram.ext import Application, CallbackQueryHandler

from bot.app import build_application
from bot.settings import Settings
from handlers import (
    digests,
    intake,
    moderation,
    moderation_queue,
    onboarding,
    privacy,
    satisfaction,
    staff,
    status,
)
from handlers.deps import deps
from handlers.keyboards import consent_keyboard, draft_keyboard, kelurahan_keyboard
from models.pending import PendingAction
from nlp.embed import Embedder
from services.answers.satisfaction_keys import rating_keyboard, solved_keyboard
from services.answers.staffchat import status_keyboard
from services.answers.status import StatusLine
from services.core import callbacks
from services.digests.data import ClusterLine, DigestData
from services.digests.delivery import review_keyboard
from services.intake.drafts import ClusterView

NOW = datetime(2026, 11, 30, tzinfo=UTC)
VIEW = ClusterView(id=41, code="K-0041", title="Lampu jalan", supporters=3, kelurahan=("Lok Tuan",), status="baru")
LINE = ClusterLine(id=41, code="K-0041", title="Lampu jalan", category=None, status="baru", supporters=3, added=1,
                   previous_added=0, new=True, places=[("Lok Tuan", 3)], waiting_days=None, overdue=False, quote=None)


def _data(keyboard: InlineKeyboardMarkup | dict[str, Any] | None) -> Iterator[str]:
    """The callback data of every button of a keyboard (Telegram object or Bot API JSON)."""
    assert keyboard is not None
    rows = keyboard.to_dict() if isinstance(keyboard, InlineKeyboardMarkup) else keyboard
    for row in rows["inline_keyboard"]:
        for button in row:
            yield button["callback_data"]


def built_buttons(settings: Settings) -> list[tuple[str, Callable[..., Any]]]:
    """(callback data, the handler meant to receive it) for every keyboard the bot builds."""
    pending = PendingAction(id=12, token="0a1b2c3d", user_id=1, action="merge", args={})
    line = StatusLine(code="ASP-2026-000001", submitted_at=NOW, cluster=VIEW, latest_answer=None)
    digest = DigestData(forum_id="bontang-utara", forum_name="Forum", period_start=NOW, period_end=NOW, top=[LINE])
    expected: list[tuple[Any, Callable[..., Any]]] = [
        (consent_keyboard(), onboarding.consent),
        (draft_keyboard(7, [VIEW]), intake.draft_button),  # Dukung, Kirim sebagai usulan baru, Batal
        (draft_keyboard(7, []), intake.draft_button),  # Kirim, Batal
        (privacy.erase_keyboard(), privacy.erase_button),
        (status.unfollow_keyboard([line]), status.unfollow_button),
        (review_keyboard(5, digest, set()), digests.digest_button),
        (moderation.confirm_keyboard(pending), moderation.confirm_button),
        (moderation.undo_keyboard(pending), moderation.confirm_button),  # Urungkan
        (moderation_queue.suggestion_keyboard(9), moderation_queue.suggestion_button),
        (moderation_queue.held_keyboard("ASP-2026-000123"), moderation_queue.held_button),
        (status_keyboard(41, "baru"), staff.status_button),
        (solved_keyboard(41), satisfaction.solved_button),
        (rating_keyboard(77), satisfaction.rating_button),
    ]
    pairs = [(data, handler) for keyboard, handler in expected for data in _data(keyboard)]
    for data in _data(kelurahan_keyboard(settings.config.city)):
        pairs.append((data, onboarding.kecamatan_heading if data == callbacks.NOOP else onboarding.kelurahan_chosen))
    return pairs


def receivers(application: Application, data: str) -> list[Callable[..., Any]]:  # type: ignore[type-arg]
    """The callbacks of the registered button handlers that would take this data."""
    query = CallbackQuery("1", User(1, "warga", False), "chat", data=data)
    update = Update(1, callback_query=query)
    return [h.callback for group in application.handlers.values() for h in group
            if isinstance(h, CallbackQueryHandler) and h.check_update(update)]


@pytest.fixture
def application(settings: Settings, embedder: Embedder) -> Iterator[Application]:  # type: ignore[type-arg]
    """The application as the bot builds it (not started: only its registered handlers are read)."""
    built = build_application(settings, embedder=embedder, rate_limit=False)
    yield built
    deps(built).engine.dispose()


def test_every_built_button_reaches_exactly_its_handler(settings: Settings, application: Application  # type: ignore[type-arg]
                                                        ) -> None:
    pairs = built_buttons(settings)
    assert {handler for _, handler in pairs} == {
        h.callback for group in application.handlers.values() for h in group if isinstance(h, CallbackQueryHandler)}
    for data, handler in pairs:
        assert len(data.encode()) <= 64, data
        assert receivers(application, data) == [handler], data


def test_forged_data_of_another_prefix_or_with_junk_reaches_no_other_handler(
        settings: Settings, application: Application) -> None:  # type: ignore[type-arg]
    pairs = built_buttons(settings)
    prefixes = {callbacks.KELURAHAN_PREFIX, callbacks.UNFOLLOW_PREFIX, callbacks.DIGEST_PREFIX,
                callbacks.PENDING_PREFIX, callbacks.REGROUP_PREFIX, callbacks.HELD_PREFIX, callbacks.STATUS_PREFIX,
                callbacks.SOLVED_PREFIX, callbacks.RATING_PREFIX, "hapus:", "ok:", "baru:", "dukung:", "batal:"}
    owner = {data.split(":", 1)[0] + ":": handler for data, handler in pairs if ":" in data}
    for data, _ in pairs:
        assert receivers(application, data + "\n") == [], data
        if not data.startswith(callbacks.KELURAHAN_PREFIX):  # a kelurahan code is any config string
            assert receivers(application, data + ":9") == [], data
        rest = data.split(":", 1)[1] if ":" in data else data
        for prefix in prefixes - {data.split(":", 1)[0] + ":"}:
            forged = prefix + rest
            assert set(receivers(application, forged)) <= {owner[prefix]}, forged  # only its own prefix's handler


def test_builders_and_parsers_agree() -> None:
    assert callbacks.parse_draft(callbacks.draft(callbacks.SUPPORT, 7, 41)) == (callbacks.SUPPORT, 7, 41)
    assert callbacks.parse_draft(callbacks.draft(callbacks.SEND_NEW, 7)) == (callbacks.SEND_NEW, 7, None)
    assert callbacks.parse_digest(callbacks.digest_hide(5, 41)) == (callbacks.DIGEST_HIDE, 5, 41)
    assert callbacks.parse_digest(callbacks.digest_forward(5)) == (callbacks.DIGEST_FORWARD, 5, None)
    assert callbacks.matched(callbacks.STATUS_PATTERN, callbacks.status(41, "selesai")) == ("41", "selesai")
    with pytest.raises(ValueError):
        callbacks.draft(callbacks.SEND, 7, 41)  # only Dukung names a cluster
    with pytest.raises(ValueError):
        callbacks.parse_draft("dukung:7")
