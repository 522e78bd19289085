"""One copy of a cluster: its chat worker, its sender and scheduler candidacies, and its health page."""

import asyncio
import logging
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.cluster.follow import IndexFollower
from bot.cluster.leaders import Leader
from bot.cluster.worker import ChatWorker
from handlers.apptypes import AspirasiApp
from handlers.deps import deps
from handlers.outbox_worker import pacer_of, start_outbox, stop_outbox
from handlers.pacing import MINUTE as GROUP_WINDOW
from models.claims import health_figures, mark_uncertain, recent_group_sends
from models.db import session_scope
from models.types import utcnow

log = logging.getLogger(__name__)
BOT_DATA_KEY = "cluster_node"
LOSE_SENDS_WITHIN = 2.0  # seconds a sender that lost its lock gives the sends in flight


@dataclass
class Node:
    """What this copy runs beside the webhook."""

    worker: ChatWorker
    sender: Leader
    scheduler: Leader
    follower: IndexFollower
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    uncertain_taken: int = 0  # rows this copy flagged uncertain when it became the sender
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


async def _become_sender(application: AspirasiApp) -> int:
    """Flag the rows a dead sender left `sending`, then start the outbox worker; return how many were flagged."""
    d = deps(application)
    pacer = pacer_of(application.bot)
    # The sender before us makes no new call later than one look (poll_seconds) after losing its lock. Wait
    # that long and one pacing window more, so no window holds calls of both of us (Telegram's 30/s, a chat's
    # 1/s), and its last sends are settled before we flag them.
    await asyncio.sleep(d.config.cluster.poll_seconds + pacer.window)

    def _flag() -> tuple[int, dict[int, list[float]]]:
        with session_scope(d.engine) as session:
            recent = recent_group_sends(session=session, now=utcnow(), seconds=GROUP_WINDOW + pacer.window)
            return mark_uncertain(session=session), recent

    flagged, recent = await asyncio.to_thread(_flag)
    for chat_id, ages in recent.items():  # a group's last minute counts whoever sent it
        pacer.seed_group(chat_id, ages)
    if flagged:
        log.warning("%d outbox message(s) were in flight when the last sender stopped: sent again, flagged "
                    "uncertain (each may reach its chat twice)", flagged)
    await start_outbox(application)
    return flagged


async def _become_scheduler(application: AspirasiApp) -> None:
    """Register today's scheduled jobs (each idempotent per period) and catch up on missed digests."""
    from bot.jobs import register_jobs

    await register_jobs(application)


async def _stop_scheduling(application: AspirasiApp) -> None:
    """Remove every job: another copy schedules now."""
    if application.job_queue is not None:
        application.job_queue.scheduler.remove_all_jobs()


def build_node(application: AspirasiApp) -> Node:
    """This copy's parts (not started)."""
    d = deps(application)
    cluster = d.config.cluster
    node: Node

    async def gain_sender() -> None:
        node.uncertain_taken += await _become_sender(application)

    async def lose_sender() -> None:
        await stop_outbox(application, timeout=LOSE_SENDS_WITHIN, abandon=True)

    async def gain_scheduler() -> None:
        await _become_scheduler(application)

    async def lose_scheduler() -> None:
        await _stop_scheduling(application)

    node = Node(
        worker=ChatWorker(application, d.engine, workers=cluster.workers, poll_seconds=cluster.poll_seconds),
        sender=Leader(d.engine, "sender", gain=gain_sender, lose=lose_sender, poll_seconds=cluster.poll_seconds),
        scheduler=Leader(d.engine, "scheduler", gain=gain_scheduler, lose=lose_scheduler,
                         poll_seconds=cluster.poll_seconds),
        follower=IndexFollower(d.engine, d.grouping),
    )
    d.grouping.before_assign = node.follower.before_assign
    return node


async def _follow(node: Node, every: float) -> None:
    """Keep the grouping index level with the database until cancelled."""
    while True:
        try:
            await asyncio.to_thread(node.follower.poll)
        except Exception:  # the database is away: the next look catches up
            log.exception("following the database's grouping index failed; retrying")
        await asyncio.sleep(every)


async def start_cluster(application: AspirasiApp) -> Node:
    """Start handling, and stand for sender and scheduler (from post_init in a cluster)."""
    node = build_node(application)
    application.bot_data[BOT_DATA_KEY] = node
    node.tasks = [asyncio.create_task(node.worker.run(), name="cluster-chats"),
                  asyncio.create_task(node.sender.run(), name="cluster-sender"),
                  asyncio.create_task(node.scheduler.run(), name="cluster-scheduler"),
                  asyncio.create_task(_follow(node, deps(application).config.cluster.poll_seconds),
                                      name="cluster-index")]
    return node


async def stop_cluster(application: AspirasiApp) -> None:
    """Finish the updates in hand, give up the roles (post_stop)."""
    node = application.bot_data.pop(BOT_DATA_KEY, None)
    if not isinstance(node, Node):
        return
    node.sender.stop()
    node.scheduler.stop()
    await node.worker.stop()
    node.tasks[-1].cancel()  # the index follower
    await asyncio.gather(*node.tasks, return_exceptions=True)


def node_of(application: AspirasiApp) -> Node | None:
    """This copy's node, when it runs in a cluster."""
    node = application.bot_data.get(BOT_DATA_KEY)
    return node if isinstance(node, Node) else None


def _leader_age(leader: Leader) -> float | None:
    """Seconds this copy has held a role (None: a standby)."""
    return None if leader.leading_since is None else round(time.monotonic() - leader.leading_since, 1)


def health_route(application: AspirasiApp, path: str = "/health") -> Route:
    """GET /health: 200 with this copy's roles and the queue's lag while the database answers, else 503."""

    async def health(_request: Request) -> Response:
        node = node_of(application)
        report: dict[str, Any] = {"copy": node.name if node else None, "roles": [], "handled": 0}
        if node is not None:
            report["roles"] = [leader.role for leader in (node.sender, node.scheduler) if leader.leading]
            report["leader_age_s"] = {leader.role: _leader_age(leader) for leader in (node.sender, node.scheduler)}
            report["handled"] = node.worker.handled
            report["uncertain_taken"] = node.uncertain_taken
            report["index_size"], report["index_changes_followed"] = len(deps(application).grouping), \
                node.follower.applied
        try:
            report.update(await asyncio.to_thread(_figures, application))
        except Exception as exc:  # no database: the load balancer should send elsewhere
            report["error"] = type(exc).__name__
            return JSONResponse(report, status_code=503)
        return JSONResponse(report)

    return Route(path, health, methods=["GET"])


def _figures(application: AspirasiApp) -> dict[str, Any]:
    """The database's queue figures."""
    with deps(application).engine.connect() as connection:
        return health_figures(connection)
