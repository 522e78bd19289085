"""`aspirasi export` and `aspirasi stats`: the admin's exports and statistics from the command line."""

from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer

from bot.cli_common import settings_or_exit
from bot.settings import Settings


class Format(StrEnum):
    """Export file formats."""

    CSV = "csv"
    XLSX = "xlsx"


def _scope(settings: Settings, forum: str | None, since: str | None) -> tuple[str | None, datetime | None]:
    """Check the forum id and read the date; exit with a clear message when wrong."""
    from handlers.admin import parse_scope

    if forum is not None and settings.config.forum(forum) is None:
        known = ", ".join(f.id for f in settings.config.forums)
        typer.echo(f"aspirasi: unknown forum {forum!r}; use one of: {known}", err=True)
        raise typer.Exit(2)
    try:
        return parse_scope(settings.config, [a for a in (forum, since) if a])
    except ValueError as exc:
        typer.echo(f"aspirasi: --since {exc} is not a date; use YYYY-MM-DD, e.g. 2026-01-31", err=True)
        raise typer.Exit(2) from exc


def export(
    fmt: Format = typer.Option(Format.XLSX, "--format", help="xlsx (two sheets) or csv (two files, or a .zip)."),
    forum: str | None = typer.Option(None, "--forum", help="Only this forum (id from config.yaml)."),
    since: str | None = typer.Option(None, "--since", help="Only aspirations from this day on (YYYY-MM-DD, WITA)."),
    out: Path | None = typer.Option(None, "--out", help="Output file (csv: a .zip, or a name for two files)."),
) -> None:
    """Export clusters and aspirations (redacted texts only) for planners and Musrenbang."""
    from models.db import migrated_session
    from services.core.payloads import plain
    from services.core.texts import status_label, t
    from services.reports.exports import build_tables, export_name, write_csv, write_xlsx

    settings = settings_or_exit()
    forum_id, start = _scope(settings, forum, since)
    with migrated_session(settings.database_url) as session:
        tables = build_tables(session=session, config=settings.config, forum_id=forum_id, since=start,
                              status_label=status_label)
    target = out or Path(export_name(forum_id, datetime.now(settings.config.city.tz).date(), fmt.value))
    if fmt == Format.XLSX:
        write_xlsx(tables, target)
        paths = [target]
    else:
        paths = write_csv(tables, target)
    typer.echo(plain(t("export_written", clusters=len(tables.clusters), aspirations=len(tables.aspirations),
                       paths=", ".join(str(p) for p in paths))))


def stats(
    forum: str | None = typer.Option(None, "--forum", help="Only this forum (id from config.yaml)."),
) -> None:
    """Print aspirations per week, kelurahan and category, the share answered and the median days to answer."""
    from models.db import migrated_session
    from services.core.payloads import plain
    from services.core.texts import t
    from services.reports.stats import compute_stats
    from services.reports.stats_render import render_stats

    settings = settings_or_exit()
    forum_id, _ = _scope(settings, forum, None)
    with migrated_session(settings.database_url) as session:
        result = compute_stats(session=session, tz=settings.config.city.tz, forum_id=forum_id)
    typer.echo(plain(render_stats(result, forum_id or t("export_scope_all"), settings.config)))
