"""Remove a resident's words and Telegram id from every text and JSON column, and expire old verbatim texts.

The erasure of one resident knows the tables it handles itself (resident, proposal, reply, cluster); this
module sweeps all the others by reflecting the metadata, so tables added later (digests, outbox payloads,
stored updates, audit values, suggestions) are covered without being listed here.
"""

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import JSON, String, Table, Text, cast, func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from models.outbox import OutboxMessage, OutboxState
from models.proposals import Proposal
from models.updates import InboundUpdate
from services.answers.photo_cache import delete_cached_photos
from services.intake.textcheck import visible_text

ERASED = "[dihapus]"
PREFIX_CHARS = 40  # a text cut short (a title, a quote, a chart label) is still recognised by its beginning
LINE_CHARS = 25  # a line of a multi-line text this long is looked for on its own too


def flat(text: str) -> str:
    """A text with every run of whitespace made one space (as titles and digest lines show it)."""
    return " ".join(text.split())


def _loose(text: str) -> str:
    """A regex for a text whatever its whitespace: any run of spaces and line breaks matches any other."""
    return r"\s+".join(re.escape(word) for word in text.split())


@dataclass(frozen=True)
class Needles:
    """What to look for: texts (whole, or their beginning when cut short) and a Telegram id.

    Matching ignores case and whitespace: a title or digest line shows a text with its line breaks and
    double spaces collapsed (and sometimes a capital letter), and must still be found.
    """

    texts: tuple[str, ...]
    prefixes: tuple[str, ...]
    telegram_id: int | None
    lines: tuple[str, ...] = ()  # long lines of multi-line texts, looked for last

    @classmethod
    def of(cls, texts: Iterable[str | None], telegram_id: int | None) -> "Needles":
        """Build the needles for texts a resident wrote, in the forms they are stored and shown in."""
        forms: set[str] = set()
        lines: set[str] = set()
        for text in texts:
            if text and text.strip():
                for form in (text, visible_text(text), html.escape(text, quote=False)):
                    forms.add(flat(form))
                    lines.update(flat(line) for line in form.splitlines() if len(flat(line)) >= LINE_CHARS)
        whole = tuple(sorted((f for f in forms if len(f) >= 4), key=len, reverse=True))
        prefixes = tuple(sorted({f[:PREFIX_CHARS].rstrip() for f in whole if len(f) > PREFIX_CHARS}))
        return cls(whole, prefixes, telegram_id, tuple(sorted(lines - forms, key=len, reverse=True)))

    def sql_patterns(self) -> list[str]:
        """Lower-case substrings one of which a matching column value (stored or JSON text) contains.

        Whole texts are looked for by their first word, so that any spacing of the rest still matches;
        the exact check is `scrub_text` on the rows found.
        """
        needles = [*self.texts, *self.prefixes, *self.lines]
        firsts = {n.split()[0] for n in needles if n.split()}
        heads = {n[:PREFIX_CHARS] for n in needles}
        raw = {n.lower() for n in (firsts if len(firsts) <= 50 else heads)}
        patterns = raw | {json.dumps(n)[1:-1] for n in raw}
        if self.telegram_id is not None:
            patterns.add(str(self.telegram_id))
        return sorted(patterns)

    @cached_property
    def _whole(self) -> re.Pattern[str] | None:
        """One pattern for every whole text, longest first."""
        return re.compile("|".join(_loose(t) for t in self.texts), re.IGNORECASE) if self.texts else None

    @cached_property
    def _lines(self) -> re.Pattern[str] | None:
        """One pattern for every long line of a multi-line text, longest first."""
        return re.compile("|".join(_loose(t) for t in self.lines), re.IGNORECASE) if self.lines else None

    @cached_property
    def _cut(self) -> re.Pattern[str] | None:
        """One pattern for every beginning of a text cut short, up to the end of its line."""
        if not self.prefixes:
            return None
        return re.compile("(?:" + "|".join(_loose(p) for p in self.prefixes) + r")[^\n]*", re.IGNORECASE)

    def scrub_text(self, value: str) -> str:
        """Replace the resident's texts (a cut-short one up to the end of its line) and their id."""
        if self._whole is not None:
            value = self._whole.sub(ERASED, value)
        if self._cut is not None:
            value = self._cut.sub(ERASED, value)
        if self._lines is not None:
            value = self._lines.sub(ERASED, value)
        if self.telegram_id is not None:
            value = re.sub(rf"(?<!\d){self.telegram_id}(?!\d)", ERASED, value)
        return value

    def mentions_id(self, doc: Any) -> bool:
        """Tell whether a JSON document holds the Telegram id anywhere (then it goes as a whole)."""
        if self.telegram_id is None:
            return False
        if isinstance(doc, dict):
            return any(self.mentions_id(v) for v in doc.values())
        if isinstance(doc, list):
            return any(self.mentions_id(v) for v in doc)
        return bool(doc == self.telegram_id or doc == str(self.telegram_id))

    def scrub_json(self, doc: Any) -> Any:
        """Replace the resident's texts inside a JSON document."""
        if isinstance(doc, dict):
            return {k: self.scrub_json(v) for k, v in doc.items()}
        if isinstance(doc, list):
            return [self.scrub_json(v) for v in doc]
        return self.scrub_text(doc) if isinstance(doc, str) else doc


def _scrub_table(session: Session, table: Table, needles: Needles) -> int:
    """Scrub the text and JSON columns of one table; return how many rows changed."""
    texts = [c for c in table.columns if isinstance(c.type, String | Text) and not c.primary_key]
    docs = [c for c in table.columns if isinstance(c.type, JSON)]
    keys = list(table.primary_key.columns)
    if not (texts or docs) or not keys:
        return 0
    patterns = needles.sql_patterns()
    found = or_(*[func.lower(cast(c, Text)).contains(p, autoescape=True) for c in [*texts, *docs] for p in patterns])
    rows = session.connection().execute(sa_select(*keys, *texts, *docs).where(found)).mappings().all()
    changed = 0
    for row in rows:
        changes: dict[str, Any] = {}
        for c in texts:
            if isinstance(row[c.name], str) and (new := needles.scrub_text(row[c.name])) != row[c.name]:
                changes[c.name] = new
        for c in docs:
            doc = row[c.name]
            if needles.mentions_id(doc):
                changes[c.name] = None if c.nullable else {}
            elif doc is not None and (new_doc := needles.scrub_json(doc)) != doc:
                changes[c.name] = new_doc
        if changes:
            changed += 1
            session.connection().execute(update(table).where(*[k == row[k.name] for k in keys]).values(**changes))
    return changed


def scrub_everywhere(*, session: Session, needles: Needles, skip: set[str]) -> int:
    """Scrub every table except those handled by the caller; return how many rows were touched."""
    session.flush()
    return sum(_scrub_table(session, table, needles)
               for table in SQLModel.metadata.sorted_tables if table.name not in skip)


def purge_expired(*, session: Session, before: datetime) -> int:
    """Delete verbatim texts, photos and locations older than a moment, and old copies in sent messages."""
    old = session.exec(select(Proposal).where(
        col(Proposal.created_at) < before,
        or_(col(Proposal.text_verbatim).is_not(None), col(Proposal.photo_file_id).is_not(None),
            col(Proposal.latitude).is_not(None)),
    )).all()
    delete_cached_photos(session=session, proposal_ids={p.id for p in old if p.id is not None})
    for proposal in old:
        proposal.text_verbatim = proposal.photo_file_id = None
        proposal.latitude = proposal.longitude = None
        session.add(proposal)
    session.connection().execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.created_at) < before, col(OutboxMessage.chat_id) > 0,
               col(OutboxMessage.state).in_([OutboxState.SENT, OutboxState.FAILED, OutboxState.BLOCKED]))
        .values(payload={}))
    session.connection().execute(
        update(InboundUpdate).where(col(InboundUpdate.received_at) < before).values(payload=None))
    return len(old)
