"""State columns hold StrEnum members in Python and the same plain strings in the database."""

import pytest
from alembic.autogenerate import render_python_code
from alembic.operations import ops
from sqlalchemy import Column, text
from sqlalchemy.exc import StatementError
from sqlmodel import select

from models.db import make_engine, session_scope, upgrade
from models.digests import Digest, DigestState
from models.forums import Forum
from models.types import EnumText, render_column_type, utcnow


def test_states_read_back_as_members_and_are_stored_as_their_strings(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        session.add(Forum(id="f", name="F"))
        session.flush()
        session.add(Digest(forum_id="f", period_start=utcnow(), period_end=utcnow(), state=DigestState.DRAFT))
    with session_scope(engine) as session:
        loaded = session.exec(select(Digest)).one()
        stored = session.connection().execute(text("SELECT state FROM digest")).scalar_one()
    engine.dispose()
    assert loaded.state is DigestState.DRAFT
    assert stored == "draft" and type(stored) is str


def test_a_value_that_is_no_member_is_refused_before_it_is_written(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    with pytest.raises(StatementError, match="'sent' is not a valid DigestState"), session_scope(engine) as session:
        session.add(Forum(id="f", name="F"))
        session.flush()
        session.add(Digest(forum_id="f", period_start=utcnow(), period_end=utcnow(), state="sent"))
    engine.dispose()


def test_autogenerate_writes_a_state_column_as_a_plain_string() -> None:
    add = ops.AddColumnOp("digest", Column("kind", EnumText(DigestState, 20)))
    code = render_python_code(ops.UpgradeOps(ops=[add]), render_item=render_column_type)
    assert "sa.String(length=20)" in code and "EnumText" not in code
