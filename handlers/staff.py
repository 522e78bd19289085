"""The staff chat: answer a cluster (reply to its message, or /balas), answer one resident, change status.

Only the staff chat may do this, and when `telegram.staff_ids` is set only those members of it: the guard
`guards.require_staff` refuses anyone else before these handlers run.
"""

import logging

from sqlmodel import Session
from telegram import Message, Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.digests import clock
from handlers.outbox_worker import wake_outbox
from models.clusters import ClusterStatus, get_cluster_by_code
from models.types import utcnow
from services.answers.followups import staff_target
from services.answers.satisfaction import release_due
from services.answers.staff_answers import AnswerError, Outcome, answer_cluster, answer_resident, change_status
from services.answers.staffchat import post_overdue_report
from services.core import callbacks
from services.core.texts import status_label, t

log = logging.getLogger(__name__)
CODES = ", ".join(s.value for s in ClusterStatus)


def _source(message: Message) -> str:
    """A key that names one staff message for good (the same update handled twice gives the same key)."""
    return f"tg:{message.chat.id}:{message.message_id}"


def _actor(update: Update) -> str:
    """The staff member in the audit log and on the web page's conversation, e.g. "staff:123"."""
    user = update.effective_user
    return f"staff:{user.id if user else '?'}"


def _cluster_id(session: Session, code: str) -> int:
    """Find a cluster by code or raise AnswerError."""
    cluster = get_cluster_by_code(session=session, code=code)
    if cluster is None or cluster.id is None:
        raise AnswerError("staff_unknown_cluster", code=code)
    return cluster.id


async def _report(update: Update, context: ContextTypes.DEFAULT_TYPE, outcome: Outcome | AnswerError,
                  text: str) -> None:
    """Wake the outbox after a change and tell the staff what happened (or what was wrong)."""
    if isinstance(outcome, AnswerError):
        text = t(outcome.key, **outcome.values)
    else:
        wake_outbox(context)
    await reply(update, context, "staff", text)


async def staff_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the cluster, or the one resident, that a reply in the staff chat points at."""
    message, config = update.effective_message, deps(context).config
    replied = message.reply_to_message if message is not None else None
    if message is None or replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return  # staff talking among themselves
    target = await run_db(context, lambda s: staff_target(session=s, config=config, message_id=replied.message_id))
    if target is None:
        return
    text, source, actor = message.text or "", _source(message), _actor(update)

    def _answer(session: Session) -> Outcome:
        if target.resident_id is None:
            return answer_cluster(session=session, config=config, cluster_id=target.cluster_id, text=text,
                                  source_key=source, actor=actor)
        return answer_resident(session=session, cluster_id=target.cluster_id, resident_id=target.resident_id,
                               text=text, source_key=source, actor=actor)

    try:
        outcome = await run_db(context, _answer)
    except AnswerError as exc:
        return await _report(update, context, exc, "")
    await _report(update, context, outcome, _answer_text(outcome, target.resident_id))


def _answer_text(outcome: Outcome, resident_id: int | None) -> str:
    """What staff are told after an answer."""
    if resident_id is not None:
        return t("staff_answer_one_sent", label=outcome.label, code=outcome.code)
    key = "staff_answer_sent" if outcome.count else "staff_answer_nobody"
    return t(key, code=outcome.code, count=outcome.count)


async def balas(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/balas K-0042 <teks>: answer every resident of a cluster."""
    message = update.effective_message
    assert message is not None
    parts = (message.text or "").split(maxsplit=2)
    if len(parts) < 3:
        await reply(update, context, "staff", t("staff_balas_usage"))
        return
    code, text, source, actor = parts[1], parts[2], _source(message), _actor(update)
    config = deps(context).config

    def _answer(session: Session) -> Outcome:
        return answer_cluster(session=session, config=config, cluster_id=_cluster_id(session, code), text=text,
                              source_key=source, actor=actor)

    try:
        outcome = await run_db(context, _answer)
    except AnswerError as exc:
        return await _report(update, context, exc, "")
    await _report(update, context, outcome, _answer_text(outcome, None))


async def _set_status(update: Update, context: ContextTypes.DEFAULT_TYPE, cluster_ref: str | int, status: str,
                      note: str) -> Outcome | AnswerError:
    """Change a cluster's status (by code or id) on behalf of the staff member."""
    actor, config = _actor(update), deps(context).config

    def _change(session: Session) -> Outcome:
        cluster_id = cluster_ref if isinstance(cluster_ref, int) else _cluster_id(session, cluster_ref)
        outcome = change_status(session=session, config=config, cluster_id=cluster_id, status=status, note=note,
                                source_key=f"u{update.update_id}", actor=actor)
        release_due(session=session, config=config, now=clock(context.bot_data))  # "solved?"
        return outcome

    try:
        return await run_db(context, _change)
    except AnswerError as exc:
        return exc


def _status_text(outcome: Outcome) -> str:
    """What staff are told after a status change."""
    key = "staff_status_changed" if outcome.changed else "staff_status_same"
    return t(key, code=outcome.code, status=status_label(outcome.status), count=outcome.count)


async def status_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status_kelompok K-0042 <status> [catatan]: change a cluster's status and tell its residents."""
    message = update.effective_message
    assert message is not None
    parts = (message.text or "").split(maxsplit=3)
    if len(parts) < 3:
        await reply(update, context, "staff", t("staff_status_usage", codes=CODES))
        return
    outcome = await _set_status(update, context, parts[1], parts[2], parts[3] if len(parts) > 3 else "")
    text = "" if isinstance(outcome, AnswerError) else _status_text(outcome)
    await _report(update, context, outcome, text)


async def status_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A status button (callbacks.status) under a cluster's message in the staff chat."""
    query = update.callback_query
    assert query is not None
    cluster_id, status = callbacks.matched(callbacks.STATUS_PATTERN, query.data)
    outcome = await _set_status(update, context, int(cluster_id), status, "")
    if isinstance(outcome, AnswerError):
        await query.answer(t(outcome.key, **outcome.values), show_alert=True)
        return
    wake_outbox(context)
    await query.answer(t("staff_status_toast", code=outcome.code, status=status_label(outcome.status)))


async def overdue_report_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Daily: list the clusters past their answer deadline in the staff chat (once per day)."""
    config = deps(context).config
    if config.telegram.staff_chat_id is None:
        return
    row = await run_db(context, lambda s: post_overdue_report(session=s, config=config, now=utcnow()))
    if row is not None:
        wake_outbox(context)
    log.info("overdue report: %s", "queued" if row is not None else "nothing overdue")
