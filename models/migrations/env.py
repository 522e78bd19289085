"""Alembic environment: migrates the engine handed over by models.db, or the configured database."""

from alembic import context
from sqlalchemy import Engine
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on the metadata)
from models.db import make_engine
from models.types import render_column_type

target_metadata = SQLModel.metadata


def _engine() -> Engine:
    """Use the engine passed in by the caller, else the URL from settings (the `alembic` CLI)."""
    engine: Engine | None = context.config.attributes.get("engine")
    if engine is not None:
        return engine
    from bot.settings import load_settings  # only when run from the alembic command line

    return make_engine(load_settings(require_token=False).database_url)


def run_migrations_online() -> None:
    """Run the migrations in one transaction."""
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_column_type,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
