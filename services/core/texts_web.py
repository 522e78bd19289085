"""The Indonesian texts of the web page, from texts_web_id.yaml, and dates as people there read them."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from services.core import formats
from services.core.texts import load_texts

TEXTS_FILE = Path(__file__).with_name("texts_web_id.yaml")


def tw(key: str, **values: object) -> str:
    """Return the web text for a key with its placeholders filled (plain text: the page escapes it)."""
    template = load_texts(TEXTS_FILE)[key]
    if not isinstance(template, str):
        raise KeyError(f"web text {key!r} is not a plain string")
    return template.format(**values).strip()


def long_date(value: datetime, tz: ZoneInfo, *, with_time: bool = True) -> str:
    """E.g. "29 November 2026 12.17 WITA" (or "29 November 2026"): the bot's own formats."""
    return formats.moment(value, tz) if with_time else formats.day(value.astimezone(tz).date())
