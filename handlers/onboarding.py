"""/start, the privacy consent and the kelurahan choice."""

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.intake import show_draft
from handlers.keyboards import consent_keyboard, kelurahan_keyboard
from models.proposals import latest_draft
from models.residents import get_or_create_resident, give_consent, set_kelurahan
from services.core import callbacks
from services.core.texts import t


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, then ask for consent, else for the kelurahan, else say where the resident is registered."""
    user = update.effective_user
    assert user is not None
    resident = await run_db(context, lambda s: get_or_create_resident(session=s, telegram_id=user.id))
    city = deps(context).config.city
    await reply(update, context, "greeting", t("greeting", city=city.name), resident_id=resident.id)
    if resident.consent_at is None:
        await reply(update, context, "privacy", t("privacy"), consent_keyboard(), resident_id=resident.id)
    elif resident.kelurahan is not None:  # registered: no need to ask again
        await reply(update, context, "registered", t("start_registered", kelurahan=resident.kelurahan),
                    resident_id=resident.id)
    else:
        await choose_kelurahan(update, context)


async def choose_kelurahan(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the kelurahan keyboard grouped by kecamatan."""
    markup = kelurahan_keyboard(deps(context).config.city)
    await reply(update, context, "kelurahan", t("choose_kelurahan"), markup)


async def kecamatan_heading(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain a kecamatan heading of the kelurahan keyboard in a pop-up."""
    query = update.callback_query
    assert query is not None
    await query.answer(t("kecamatan_heading_hint"), show_alert=True)


async def consent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record consent, then ask for the kelurahan."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None

    def _consent(session: Session):
        give_consent(session=session, resident=get_or_create_resident(session=session, telegram_id=user.id))

    await run_db(context, _consent)
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await choose_kelurahan(update, context)


async def kelurahan_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store the chosen kelurahan and continue with a waiting draft, if any."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.data is not None and user is not None
    config = deps(context).config
    kelurahan = config.city.kelurahan_by_code(callbacks.matched(callbacks.KELURAHAN_PATTERN, query.data)[0])
    if kelurahan is None:  # a forged button, or a kelurahan taken out of config since
        await query.answer(t("kelurahan_unknown"), show_alert=True)
        return
    await query.answer()
    forum = config.forum_of(kelurahan.name)
    kecamatan = next(k.name for k in config.city.kecamatan if kelurahan in k.kelurahan)

    def _save(session: Session):
        resident = get_or_create_resident(session=session, telegram_id=user.id)
        give_consent(session=session, resident=resident)
        set_kelurahan(session=session, resident=resident, kelurahan=kelurahan.name,
                      forum_id=forum.id if forum else None)
        assert resident.id is not None
        return latest_draft(session=session, resident_id=resident.id)

    draft = await run_db(context, _save)
    text = t("kelurahan_saved", kelurahan=kelurahan.name, kecamatan=kecamatan)
    await query.edit_message_text(text, parse_mode="HTML")
    if draft is not None:
        await show_draft(update, context, draft)
