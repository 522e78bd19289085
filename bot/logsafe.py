"""Logs without personal data: every record is redacted and Telegram ids become pseudonyms before any handler.

`PrivacyFilter` rewrites a record in place (its message, arguments and traceback text): arguments that are
whole objects (an Update, a payload dict) or long strings are logged by their type and size only, because
they hold residents' names and words (python-telegram-bot's debug log prints every update and every Bot API
call); phone numbers, NIK and e-mail addresses become placeholders, SQL parameters are dropped, and every
number long enough to be a
Telegram user or chat id becomes `id:<8 hex>`, a keyed hash that is stable within one run (so an operator
can still follow one chat through the log) and unlinkable across runs. `install()` puts it on every handler
of the root logger; the CLI, the console and the tests call it where they configure logging.
"""

import hashlib
import hmac
import logging
import re
import secrets

from nlp.redact import redact

_KEY = secrets.token_bytes(16)
# Telegram user ids and chat ids: 6 or more digits, group and channel ids negative ("-100...").
_ID = re.compile(r"(?<![\w.,:-])-?\d{6,}(?![\w])")
_SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
SHORT = 60  # longer string arguments may be a resident's text


def pseudonym(value: int | str) -> str:
    """A stable, unlinkable stand-in for a Telegram id within this process."""
    digest = hmac.new(_KEY, str(value).encode(), hashlib.sha256).hexdigest()[:8]
    return f"id:{digest}"


def scrub(text: str) -> str:
    """Redact personal numbers and addresses, drop SQL parameters, replace ids by pseudonyms."""
    text = _SQL_PARAMETERS.sub("[parameters: disembunyikan]", text)
    return _ID.sub(lambda m: pseudonym(m.group(0)), redact(text))


def _argument(value: object) -> object:
    """A log argument as it may be shown: numbers, short strings and errors as they are, the rest by type."""
    if value is None or isinstance(value, bool | int | float | BaseException):
        return value
    if isinstance(value, str):
        return value if len(value) <= SHORT else f"<teks {len(value)} karakter>"
    return f"<{type(value).__name__}>"


class PrivacyFilter(logging.Filter):
    """Rewrite each record so that no handler ever sees personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the message, the traceback and the stack; always let the record through."""
        if getattr(record, "privacy_scrubbed", False):
            return True
        if isinstance(record.args, dict):
            record.args = {k: _argument(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_argument(a) for a in record.args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        record.privacy_scrubbed = True
        return True


FILTER = PrivacyFilter()


def install(*handlers: logging.Handler) -> None:
    """Put the privacy filter on the given handlers and on every handler of the root logger."""
    for handler in (*handlers, *logging.getLogger().handlers, logging.lastResort):
        if handler is not None and FILTER not in handler.filters:
            handler.addFilter(FILTER)
