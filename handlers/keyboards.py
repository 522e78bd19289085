"""Inline keyboards and their callback data: every button carries what it acts on, no hidden state."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from services.core import callbacks
from services.core.config import City
from services.core.texts import t
from services.intake.drafts import ClusterView


def consent_keyboard() -> InlineKeyboardMarkup:
    """The privacy-notice button."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("consent_button"), callback_data=callbacks.CONSENT)]])


def kelurahan_keyboard(city: City) -> InlineKeyboardMarkup:
    """Kelurahan buttons, two per row, under a label row per kecamatan."""
    rows: list[list[InlineKeyboardButton]] = []
    for kecamatan in city.kecamatan:
        rows.append([InlineKeyboardButton(f"— {kecamatan.name} —", callback_data=callbacks.NOOP)])
        buttons = [InlineKeyboardButton(k.name, callback_data=callbacks.kelurahan(k.code)) for k in kecamatan.kelurahan]
        rows.extend(buttons[i : i + 2] for i in range(0, len(buttons), 2))
    return InlineKeyboardMarkup(rows)


def draft_keyboard(proposal_id: int, similar: list[ClusterView]) -> InlineKeyboardMarkup:
    """Support buttons for similar clusters, then send (new) and cancel."""
    def button(label: str, action: str, cluster_id: int | None = None) -> list[InlineKeyboardButton]:
        return [InlineKeyboardButton(label, callback_data=callbacks.draft(action, proposal_id, cluster_id))]

    rows = [button(t("button_support", code=c.code), callbacks.SUPPORT, c.id) for c in similar]
    if similar:  # declining what was shown opens a new cluster (never one of those shown)
        rows.append(button(t("button_send_new"), callbacks.SEND_NEW))
    else:
        rows.append(button(t("button_send"), callbacks.SEND))
    rows.append(button(t("button_cancel"), callbacks.CANCEL))
    return InlineKeyboardMarkup(rows)
