"""Inline keyboards and their callback data: every button carries what it acts on, no hidden state."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from services.config import City
from services.intake import ClusterView
from services.texts import t

CONSENT = "consent"
NOOP = "noop"


def consent_keyboard() -> InlineKeyboardMarkup:
    """The privacy-notice button."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("consent_button"), callback_data=CONSENT)]])


def kelurahan_keyboard(city: City) -> InlineKeyboardMarkup:
    """Kelurahan buttons, two per row, under a label row per kecamatan."""
    rows: list[list[InlineKeyboardButton]] = []
    for kecamatan in city.kecamatan:
        rows.append([InlineKeyboardButton(f"— {kecamatan.name} —", callback_data=NOOP)])
        buttons = [InlineKeyboardButton(k.name, callback_data=f"kel:{k.code}") for k in kecamatan.kelurahan]
        rows.extend(buttons[i : i + 2] for i in range(0, len(buttons), 2))
    return InlineKeyboardMarkup(rows)


def draft_keyboard(proposal_id: int, similar: list[ClusterView]) -> InlineKeyboardMarkup:
    """Support buttons for similar clusters, then send (new) and cancel."""
    rows = [
        [InlineKeyboardButton(t("button_support", code=c.code), callback_data=f"dukung:{proposal_id}:{c.id}")]
        for c in similar
    ]
    if similar:  # declining what was shown opens a new cluster (never one of those shown)
        rows.append([InlineKeyboardButton(t("button_send_new"), callback_data=f"baru:{proposal_id}")])
    else:
        rows.append([InlineKeyboardButton(t("button_send"), callback_data=f"ok:{proposal_id}")])
    rows.append([InlineKeyboardButton(t("button_cancel"), callback_data=f"batal:{proposal_id}")])
    return InlineKeyboardMarkup(rows)
