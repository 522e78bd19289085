"""A resident's data rights (UU No. 27/2022): /data_saya shows what is stored, /hapus_data erases it."""

import asyncio
import json
import shutil
from typing import Any

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from models.db import forget_deleted
from models.residents import find_resident
from services.core import callbacks
from services.core.texts import t
from services.digests.delivery import chart_dir
from services.intake.index import save_index, snapshot_of
from services.privacy.rights import Erasure, closing_the_loop_summary, erase_resident, personal_data


async def my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/data_saya: send a summary and a JSON document with everything stored about the resident."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    tz = deps(context).config.city.tz

    def _data(session: Session) -> dict[str, Any] | None:
        resident = find_resident(session=session, telegram_id=user.id)
        return None if resident is None else personal_data(session=session, resident=resident, tz=tz)

    data = await run_db(context, _data)
    if data is None:
        await reply(update, context, "my_data_none", t("my_data_none"))
        return
    summary = t("my_data", number=data["nomor_warga"], telegram_id=data["telegram_id"],
                kelurahan=data["kelurahan"] or "-", consent=data["persetujuan_privasi"] or "-",
                proposals=data["usulan_terkirim"], supports=len(data["dukungan"]),
                replies=len(data["tanggapan_anda"]))
    loop = closing_the_loop_summary(data)
    summary = f"{summary}\n\n{loop}" if loop else summary
    await reply(update, context, "my_data", summary)
    document = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await context.bot.send_document(chat.id, InputFile(document, filename="data-saya.json"),
                                    caption=t("my_data_caption"))


async def erase_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/hapus_data: explain what is erased and ask for confirmation."""
    await reply(update, context, "erase_confirm", t("erase_confirm"), erase_keyboard())


def erase_keyboard() -> InlineKeyboardMarkup:
    """Hapus / Batal under the erasure question."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("button_erase"), callback_data=callbacks.ERASE)],
                                 [InlineKeyboardButton(t("button_cancel"), callback_data=callbacks.KEEP)]])


def _save_index_without_them(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Save the grouping index again at once: the saved one still holds the erased proposals' terms."""
    d = deps(context)
    place, key = snapshot_of(d.engine, d.config, d.grouping)
    try:
        save_index(d.grouping, place, key)
    except OSError:  # the saved index cannot be trusted now: the next start rebuilds it from the database
        shutil.rmtree(place, ignore_errors=True)


async def erase_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Erase the resident's data on confirmation; answer by editing the prompt (nothing is queued to them)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    await query.answer()
    if query.data == callbacks.KEEP:
        await query.edit_message_text(t("erase_cancelled"), parse_mode="HTML")
        return
    grouping, charts = deps(context).grouping, chart_dir(deps(context).config)

    def _erase(session: Session) -> Erasure | None:
        resident = find_resident(session=session, telegram_id=user.id)
        if resident is None or resident.id is None:
            return None
        return erase_resident(session=session, config=deps(context).config, resident_id=resident.id,
                              grouping=grouping, charts=charts)

    done = await run_db(context, _erase)
    if done is not None:
        await asyncio.to_thread(forget_deleted, deps(context).engine)
        await asyncio.to_thread(_save_index_without_them, context)
    text = t("erase_done" if done is not None else "erase_nothing")
    if done is not None and (done.chats.edited or done.chats.deleted or done.chats.unreachable):
        text += "\n" + t("erase_done_chats", edited=done.chats.edited, deleted=done.chats.deleted,
                         unreachable=done.chats.unreachable)
    await query.edit_message_text(text, parse_mode="HTML")
