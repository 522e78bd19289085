"""The bot's `Application` type, spelt out once for python-telegram-bot's generics."""

from typing import Any, TypeAlias, cast

from telegram.ext import Application, ContextTypes, ExtBot, JobQueue

# The bot is an ExtBot whose rate limiter (handlers.pacing.TelegramLimits) takes the outbox's OutboxCall per call;
# callbacks get the default context, and user/chat/bot data are plain dicts.
AspirasiApp: TypeAlias = Application[
    ExtBot[Any],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]


def app_of(context: ContextTypes.DEFAULT_TYPE) -> AspirasiApp:
    """The context's application as AspirasiApp (PTB annotates `context.application` with an unsolved type
    variable for the context type, which matches no concrete Application)."""
    return cast(AspirasiApp, context.application)
