"""Column types shared by the tables: timezone-aware UTC datetimes and StrEnum states on every database."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal, TypeVar

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC; SQLite gives them back naive, so re-attach UTC on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes and convert aware ones to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use models.types.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class EnumText(TypeDecorator[E]):
    """A StrEnum kept as its value in a plain VARCHAR column (no database enum type: the schema is the same
    string column as before, and a new member needs no migration). Rows read back as members; a value that is
    not a member is refused before it is written."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length=length)
        self.enum, self.length = enum, length

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        """Write the member's value (a plain string equal to a member is accepted)."""
        return None if value is None else str(self.enum(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        """Read the stored value back as its member."""
        return None if value is None else self.enum(value)


def render_column_type(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Alembic's render_item: autogenerate writes an EnumText column as the VARCHAR it is in the database."""
    if kind == "type" and isinstance(obj, EnumText):
        return f"sa.String(length={obj.length})"
    return False  # anything else as alembic renders it
