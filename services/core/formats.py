"""Numbers, dates and periods as Indonesian readers write them (CLDR data for id_ID through Babel)."""

from datetime import date, datetime, tzinfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALE = "id_ID"


def number(value: float, digits: int = 1) -> str:
    """A number with a decimal comma and dot thousands, at most `digits` decimals: 0,5 · 1.234 · 12,3."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def decimal(value: float, digits: int = 1) -> str:
    """A number with exactly `digits` decimals after a comma: 0,0 · 2,5 · 1.234,0."""
    return format_decimal(value, format="#,##0." + "0" * digits, locale=LOCALE)


def day(value: date) -> str:
    """A calendar day: 29 November 2026."""
    return format_date(value, "d MMMM y", locale=LOCALE)


def moment(value: datetime, tz: tzinfo) -> str:
    """A moment in city time with its zone: 29 November 2026 12.17 WITA."""
    local = value.astimezone(tz)
    return f"{format_datetime(local, 'd MMMM y HH.mm', locale=LOCALE)} {local.tzname()}".strip()


def week(value: date) -> str:
    """The ISO week that holds a day, as its Monday–Sunday span: 23–29 November 2026."""
    monday = date.fromordinal(value.toordinal() - value.weekday())
    sunday = date.fromordinal(monday.toordinal() + 6)
    if monday.month == sunday.month:
        return f"{monday.day}–{day(sunday)}"
    if monday.year == sunday.year:
        return f"{format_date(monday, 'd MMMM', locale=LOCALE)} – {day(sunday)}"
    return f"{day(monday)} – {day(sunday)}"
