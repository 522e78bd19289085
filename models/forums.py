"""Forums (forum warga) mirrored from config so that rows can refer to them."""

from sqlmodel import Field, Session, SQLModel


class Forum(SQLModel, table=True):
    """A community forum covering one or more kelurahan; its truth is config.yaml."""

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)


def sync_forums(*, session: Session, forums: dict[str, str]) -> None:
    """Insert or rename forums so the table matches config (id -> name); none are deleted."""
    for forum_id, name in forums.items():
        row = session.get(Forum, forum_id)
        if row is None:
            session.add(Forum(id=forum_id, name=name))
        elif row.name != name:
            row.name = name
            session.add(row)
