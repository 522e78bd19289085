"""A resident's text (or captioned photo, or location) becomes a draft, then a proposal or a support."""

import time

from sqlmodel import Session
from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.common import reply, reply_message, run_db
from handlers.deps import deps
from handlers.keyboards import consent_keyboard, draft_keyboard, kelurahan_keyboard
from handlers.sender import deliver_now, queue_and_claim, send_claimed
from models.outbox import OutboxBase, OutboxMessage
from models.proposals import Proposal, latest_draft
from models.residents import Resident, find_resident, get_or_create_resident
from services.answers.attachments import coordinates
from services.core import callbacks
from services.core.texts import status_label, t
from services.core.vulnerable import office_note
from services.intake import drafts as intake
from services.intake.drafts import ClusterView, IntakeError
from services.intake.grouping import Prepared
from services.intake.spam import Held
from services.intake.textcheck import TextProblem, check_text, usul_text, visible_text

ECHO_LIMIT = 3000  # keeps the confirmation within Telegram's 4096 characters
DRAFT_LIMIT_TOLD = "draft_limit_told"  # user_data: when the resident was last told the draft limit


def attached_lines(draft: Proposal) -> str:
    """What the draft carries besides its words: the photo, the location pin ("" when neither)."""
    lines = [t("draft_photo_attached")] if draft.photo_file_id else []
    if draft.latitude is not None and draft.longitude is not None:
        lines.append(t("draft_pin_attached", where=coordinates(draft.latitude, draft.longitude)))
    return "\n".join(lines)


def render_draft(text: str, similar: list[ClusterView], attached: str = "") -> str:
    """The confirmation text: the resident's own words, what is attached, then similar clusters if any."""
    shown = visible_text(text)
    if len(shown) > ECHO_LIMIT:
        shown = shown[:ECHO_LIMIT].rsplit(" ", 1)[0] + " …"
    extra = f"\n{attached}" if attached else ""
    if not similar:
        return t("draft_confirm", text=shown) + extra
    items = [
        t("similar_item", code=c.code, title=c.title[:120], supporters=c.supporters,
          places=", ".join(c.kelurahan) or "-", status=status_label(c.status))
        for c in similar
    ]
    return t("draft_confirm_similar", text=shown) + extra + "\n\n" + "\n".join(items)


async def offer(context: ContextTypes.DEFAULT_TYPE, draft: Proposal) -> list[ClusterView]:
    """The similar clusters to show with a draft (remembered on it)."""
    d = deps(context)
    assert draft.id is not None
    draft_id = draft.id

    def _similar(session: Session) -> list[ClusterView]:
        return intake.offer_similar(session=session, grouping=d.grouping, proposal_id=draft_id,
                                    k=d.config.nlp.suggestions)

    return await run_db(context, _similar)


async def show_draft(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Proposal, *, chat_id: int | None = None,
    similar: list[ClusterView] | None = None,
) -> None:
    """Show a draft with the clusters that already ask for the same thing (in this chat or chat_id);
    `similar`: those clusters when already found."""
    if similar is None:
        similar = await offer(context, draft)
    await deliver_now(context.bot, deps(context).engine, draft_message(update, draft, similar, chat_id=chat_id))


def draft_message(update: Update, draft: Proposal, similar: list[ClusterView], *, chat_id: int | None = None
                  ) -> OutboxBase:
    """The reply that shows a draft with its similar clusters and buttons."""
    assert draft.id is not None
    text = render_draft(draft.text_verbatim or draft.text_redacted, similar, attached_lines(draft))
    return reply_message(update, f"draft{draft.id}", text, draft_keyboard(draft.id, similar), chat_id=chat_id,
                         resident_id=draft.resident_id)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Take a private text or captioned photo as an aspiration draft."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    d = deps(context)
    text = message.text or message.caption
    if message.photo and not message.caption:
        await reply(update, context, "photo", t("photo_needs_caption"))
        return
    problem = check_text(text, max_chars=d.config.limits.max_text_chars, min_chars=d.config.limits.min_text_chars)
    if problem is not None:
        await _explain(update, context, problem, len(visible_text(text or "")))
        return
    photo = message.photo[-1].file_id if message.photo else None
    try:
        if (known := await admitted(context, user.id, message.chat_id, message.message_id)) is None:
            await _ask_consent(update, context)
            return
        ahead: list[intake.Ahead] = []

        def _search(prepared: Prepared) -> None:
            ahead.append(intake.search_ahead(d.grouping, prepared, known.kelurahan, d.config.nlp.suggestions))

        # Embedded with the texts arriving alongside, and searched for similar clusters at once; stored in
        # arrival order (services/intake/embed_queue.py).
        async with d.grouping.batcher.turn(visible_text(text or ""),
                                           _search if known.kelurahan is not None else None) as prepared:

            def _save(session: Session) -> tuple[Resident, OutboxMessage | None]:
                """Store the draft, find what to offer with it and queue the reply, in one transaction."""
                resident = find_resident(session=session, telegram_id=user.id)
                assert resident is not None  # admitted above; residents are never deleted, only emptied
                draft, _ = intake.save_draft(session=session, grouping=d.grouping, resident=resident,
                                             source_chat_id=message.chat_id, source_message_id=message.message_id,
                                             text=text or "", photo_file_id=photo, prepared=prepared,
                                             drafts_per_hour=d.config.limits.drafts_per_hour)
                if resident.kelurahan is None:  # asked for first; the draft is shown (and compared) after
                    return resident, None
                assert draft.id is not None
                similar = intake.offer_similar(session=session, grouping=d.grouping, proposal_id=draft.id,
                                               k=d.config.nlp.suggestions, ahead=next(iter(ahead), None))
                return resident, queue_and_claim(session, draft_message(update, draft, similar))

            resident, shown = await run_db(context, _save)
    except IntakeError as exc:
        await tell_draft_limit(update, context, exc)
        return
    if not await _needs_onboarding(update, context, resident):
        await send_claimed(context.bot, d.engine, shown)


async def admitted(context: ContextTypes.DEFAULT_TYPE, user_id: int, chat_id: int, message_id: int) -> Resident | None:
    """The resident who may leave a draft now, checked before anything is embedded or stored: None without consent
    (nothing is kept before it), IntakeError("drafts_limited") past the draft limit."""
    d = deps(context)

    def _admit(session: Session) -> Resident | None:
        resident = find_resident(session=session, telegram_id=user_id)
        if resident is None or resident.consent_at is None:
            return None
        intake.check_draft_limit(session=session, resident=resident, source_chat_id=chat_id,
                                 source_message_id=message_id, drafts_per_hour=d.config.limits.drafts_per_hour)
        return resident

    return await run_db(context, _admit)


async def tell_draft_limit(update: Update, context: ContextTypes.DEFAULT_TYPE, exc: IntakeError) -> None:
    """Say once an hour that no more drafts are taken for now (the rest of a flood gets no answer)."""
    remembered = context.user_data if context.user_data is not None else {}  # a courtesy, not durable state:
    told, now = remembered.get(DRAFT_LIMIT_TOLD), time.monotonic()  # after a restart it may be said once more
    if isinstance(told, float) and now - told < 3600:
        return
    remembered[DRAFT_LIMIT_TOLD] = now
    await reply(update, context, exc.key, t(exc.key, **exc.values))


async def _ask_consent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for consent before anything is kept; the resident sends the aspiration again afterwards."""
    await reply(update, context, "consent_needed", t("consent_needed"))
    await reply(update, context, "privacy", t("privacy"), consent_keyboard())


async def _needs_onboarding(update: Update, context: ContextTypes.DEFAULT_TYPE, resident: Resident | None) -> bool:
    """Ask for the kelurahan first (the draft is stored: consent was given); return True if asked."""
    if resident is not None and resident.kelurahan is None:
        await reply(update, context, "kelurahan", t("choose_kelurahan"), kelurahan_keyboard(deps(context).config.city))
        return True
    return False


async def _explain(update: Update, context: ContextTypes.DEFAULT_TYPE, problem: TextProblem, length: int) -> None:
    """Tell the resident in plain Indonesian why the text was not taken."""
    limit = deps(context).config.limits.max_text_chars
    await reply(update, context, problem.value, t(problem.value, length=length, limit=limit))


async def location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Attach a shared location to the resident's latest draft."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.location is not None and user is not None
    place = message.location

    def _attach(session: Session) -> Proposal | None:
        resident = find_resident(session=session, telegram_id=user.id)  # nothing is made for a stranger's pin
        if resident is None or resident.id is None:
            return None
        draft = latest_draft(session=session, resident_id=resident.id)
        if draft is not None:
            draft.latitude, draft.longitude = place.latitude, place.longitude
            session.add(draft)
        return draft

    draft = await run_db(context, _attach)
    if draft is None:
        await reply(update, context, "location_without_draft", t("location_without_draft"))
        return
    await reply(update, context, "location_attached", t("location_attached") + "\n" + attached_lines(draft))


async def draft_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle Kirim, Kirim sebagai usulan baru, Dukung K-… and Batal on a draft."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.data is not None and user is not None
    action, proposal_id, cluster_id = callbacks.parse_draft(query.data)
    d = deps(context)

    def _act(session: Session):
        resident = get_or_create_resident(session=session, telegram_id=user.id)
        if action == callbacks.CANCEL:
            intake.cancel(session=session, resident=resident, proposal_id=proposal_id)
            return None, resident
        if intake.over_rate_limit(session=session, resident=resident, per_hour=d.config.limits.aspirations_per_hour):
            raise IntakeError("rate_limited")
        return intake.confirm(session=session, grouping=d.grouping, resident=resident,
                              proposal_id=proposal_id, cluster_id=cluster_id, screen=True,
                              new_cluster=action == callbacks.SEND_NEW), resident

    await query.answer()
    try:
        outcome, _ = await run_db(context, _act)
    except IntakeError as exc:
        if exc.key == "draft_was_cancelled":  # a stale button under a draft cancelled with /batal
            await _edit(query, t(exc.key))
            return
        await reply(update, context, exc.key, t(exc.key, count=d.config.limits.aspirations_per_hour, **exc.values))
        return
    if outcome is None:
        text = t("draft_cancelled")
    elif isinstance(outcome, Held):  # looks like spam: waits for a moderator (issue 6)
        text = t("held_for_review", code=outcome.code)
    else:
        key = "supported" if action == callbacks.SUPPORT else "submitted"
        text = t(key, code=outcome.code, cluster=outcome.cluster.code, supporters=outcome.cluster.supporters)
        cluster_id = outcome.cluster.id
        note = await run_db(context, lambda session: office_note(session, cluster_id))
        text += "\n" + note if note else ""
    await _edit(query, text)


async def _edit(query: CallbackQuery, text: str) -> None:
    """Replace the draft message's text and buttons; an identical edit (a repeat) is harmless."""
    try:
        await query.edit_message_text(text, parse_mode="HTML")
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel the resident's latest draft."""
    user = update.effective_user
    assert user is not None

    def _cancel(session: Session):
        resident = get_or_create_resident(session=session, telegram_id=user.id)
        assert resident.id is not None
        draft = latest_draft(session=session, resident_id=resident.id)
        if draft is not None and draft.id is not None:
            intake.cancel(session=session, resident=resident, proposal_id=draft.id)
        return draft is not None

    key = "draft_cancelled" if await run_db(context, _cancel) else "nothing_to_cancel"
    await reply(update, context, key, t(key))


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer stickers, voice notes and other media the bot cannot read."""
    await reply(update, context, "unsupported", t("unsupported_media"))


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: an open draft takes the new text (and is shown again); a sent aspiration stays."""
    message, user = update.edited_message, update.effective_user
    assert message is not None and user is not None
    d = deps(context)
    private = message.chat.type == "private"
    text = (message.text or message.caption or "") if private else usul_text(message.text or "")
    problem = check_text(text, max_chars=d.config.limits.max_text_chars, min_chars=d.config.limits.min_text_chars)

    if problem is not None:
        proposal, updated = None, False
    else:
        async with d.grouping.batcher.turn(visible_text(text)) as prepared:

            def _edit(session: Session) -> tuple[Proposal | None, bool]:
                return intake.edit_draft(session=session, grouping=d.grouping, source_chat_id=message.chat_id,
                                         source_message_id=message.message_id, text=text, prepared=prepared)

            proposal, updated = await run_db(context, _edit)
    if updated and proposal is not None:
        await show_draft(update, context, proposal, chat_id=user.id)
    elif proposal is not None and proposal.code is not None and proposal.state != "cancelled":
        await reply(update, context, "edited", t("edited_sent", code=proposal.code), chat_id=user.id)
    elif private:
        await reply(update, context, "edited", t("edited_ignored"))
