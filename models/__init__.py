"""SQLModel tables, the engine and session, and the plain functions that read and write them."""

from models import (
    attachments,
    audit,
    clusters,
    committed,
    digests,
    forums,
    outbox,
    pending,
    proposals,
    provenance,
    replies,
    residents,
    satisfaction,
    sequences,
    suggestions,
    tags,
    updates,
    websessions,
)

# Importing every table module registers it on SQLModel.metadata (Alembic compares against it).
__all__ = [
    "attachments", "audit", "clusters", "committed", "digests", "forums", "outbox", "pending", "proposals",
    "provenance", "replies", "residents", "satisfaction", "sequences", "suggestions", "tags", "updates",
    "websessions",
]
