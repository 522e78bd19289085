"""The inline keyboards of closing the loop, as JSON the outbox stores (no Telegram types)."""

from typing import Any

from models.satisfaction import Verdict
from services.core import callbacks
from services.core.texts import t


def solved_keyboard(cluster_id: int) -> dict[str, Any]:
    """Sudah / Belum / Sebagian in one row."""
    return {"inline_keyboard": [[{"text": t(f"satisfaction_button_{v.value}"),
                                  "callback_data": callbacks.solved(v.value, cluster_id)} for v in Verdict]]}


def rating_keyboard(reply_id: int) -> dict[str, Any]:
    """👍 / 👎 under a staff answer."""
    return {"inline_keyboard": [[
        {"text": t("rating_up"), "callback_data": callbacks.rating(callbacks.RATE_UP, reply_id)},
        {"text": t("rating_down"), "callback_data": callbacks.rating(callbacks.RATE_DOWN, reply_id)}]]}


def verdict_label(verdict: str) -> str:
    """Sudah, Belum or Sebagian as people read it."""
    return t(f"satisfaction_label_{verdict}")
