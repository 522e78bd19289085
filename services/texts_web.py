"""The Indonesian texts of the web page, from texts_web_id.yaml, and dates as people there read them."""

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

TEXTS_FILE = Path(__file__).with_name("texts_web_id.yaml")


@cache
def _texts() -> dict[str, Any]:
    """Load the texts file once."""
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def tw(key: str, **values: object) -> str:
    """Return the web text for a key with its placeholders filled (plain text: the page escapes it)."""
    template = _texts()[key]
    if not isinstance(template, str):
        raise KeyError(f"web text {key!r} is not a plain string")
    return template.format(**values).strip()


def zone_name(tz: ZoneInfo) -> str:
    """WITA, WIB or WIT for Indonesian zones; the zone's own abbreviation elsewhere."""
    return str(_texts()["zones"].get(tz.key) or datetime.now(tz).tzname() or tz.key)


def long_date(moment: datetime, tz: ZoneInfo, *, with_time: bool = True) -> str:
    """E.g. "29 November 2026 12.17 WITA" (or "29 November 2026")."""
    local = moment.astimezone(tz)
    day = f"{local.day} {_texts()['months'][local.month - 1]} {local.year}"
    return f"{day} {local:%H.%M} {zone_name(tz)}" if with_time else day
