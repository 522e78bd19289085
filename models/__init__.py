"""SQLModel tables, the engine and session, and the plain functions that read and write them."""

from models import (
    audit,
    clusters,
    committed,
    digests,
    forums,
    outbox,
    pending,
    proposals,
    replies,
    residents,
    sequences,
    suggestions,
    updates,
)

# Importing every table module registers it on SQLModel.metadata (Alembic compares against it).
__all__ = [
    "audit", "clusters", "committed", "digests", "forums", "outbox", "pending", "proposals", "replies", "residents",
    "sequences", "suggestions", "updates",
]
