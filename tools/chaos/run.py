"""Chaos test on loopback: haproxy in front of N copies on one PostgreSQL, a fake Bot API, updates from many
residents and from group chats (the staff chat and the forums' groups, whose replies go to those groups),
kill -9 of copies (leaders included), SIGSTOP/SIGCONT of the sender, pg_terminate_backend of lock connections
and, with --pg-restart, one restart of PostgreSQL itself. A copy that exits is started again 2 s later, as
systemd's Restart=always would. Bounded in updates, kills and time; stops by itself; prints figures and exits
1 on a failed check. With --max-kills 0 nothing is injected: a throughput run.

    PYTHONPATH=$PWD .venv/bin/python -m tools.chaos.run --residents 40 --per-resident 6 --seconds 150 \
        --kill-every 10 --max-kills 6 --pg-restart                                   # longer (BENCHMARKS.md)
    PYTHONPATH=$PWD .venv/bin/python -m tools.chaos.run --copies 1 --residents 120 --per-resident 5 \
        --per-group 0 --pause 0 --max-kills 0 --seconds 180                          # throughput of 1 copy

--pg-restart restarts this machine's PostgreSQL: everyone else using it is cut off for a few seconds.

The rate checks read the fake Bot API's log: the time each send (sendMessage, sendPhoto, sendDocument,
copyMessage, forwardMessage) reached it. "At most N in any window of W seconds" means: for every logged send at
time t, the sends of that scope (all chats, one private chat, one group) in [t, t + W) number at most N.
"""

import argparse
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import psycopg
import yaml

from tools.chaos.fake_api import FakeApi

ROOT = Path(__file__).resolve().parents[2]
PG = "postgresql://postgres@127.0.0.1:5432/test"
SECRET = "chaos-secret"
PY = sys.executable
STAFF_CHAT = -100_500
FORUM_CHATS = [-100_601, -100_602, -100_603]
RESTART_AFTER = 2.0  # seconds before a copy that exited is started again (systemd's RestartSec)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Copies:
    """The copies (subprocesses), restartable by index."""

    def __init__(self, work: Path, ports: list[int], api_port: int, url: str) -> None:
        self.work, self.ports, self.procs = work, ports, [None] * len(ports)  # type: list[Any]
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": "123:chaos",
                    "TELEGRAM_WEBHOOK_SECRET": SECRET}
        raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
        raw["data_dir"] = str(work / "data")
        raw["cluster"] = {"enabled": True, "workers": 4, "poll_seconds": 0.5}
        raw["telegram"]["base_url"] = f"http://127.0.0.1:{api_port}/bot"
        raw["telegram"]["staff_chat_id"] = STAFF_CHAT
        for forum, chat in zip(raw["forums"], FORUM_CHATS, strict=False):
            forum["chat_id"] = chat
        self.lock = threading.Lock()  # a kill and a restart of the same copy never interleave
        self.restarts: list[str] = []
        for i, port in enumerate(ports):
            raw["telegram"]["webhook"] = {"listen": "127.0.0.1", "port": port, "url": "https://chaos.invalid/tg"}
            (work / f"config-{i}.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")

    def start(self, i: int) -> None:
        log = (self.work / f"copy-{i}.log").open("a")
        self.procs[i] = subprocess.Popen(
            [PY, "-c", "from bot.cli import app; app()", "run", "--webhook"], cwd=ROOT, stdout=log, stderr=log,
            env={**self.env, "ASPIRASI_CONFIG": str(self.work / f"config-{i}.yaml")})

    def health(self, i: int) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ports[i]}/health", timeout=1) as answer:
                return dict(json.loads(answer.read()))
        except Exception:
            return None

    def holder(self, role: str, since: float | None = None) -> int | None:
        """The copy holding a role (with `since`, a monotonic time: one that took it since then)."""
        for i in range(len(self.ports)):
            report = self.health(i)
            if report and role in report.get("roles", []) and (
                    since is None or report["leader_age_s"][role] <= time.monotonic() - since):
                return i
        return None

    def kill(self, i: int) -> None:
        """kill -9 a copy and start it again at once."""
        with self.lock:
            self.procs[i].send_signal(signal.SIGKILL)
            self.procs[i].wait()
            self.start(i)

    def supervise(self, stopping: threading.Event) -> None:
        """Start again any copy that exited by itself (systemd's Restart=always), until stopping."""
        exited: dict[int, float] = {}
        while not stopping.wait(0.5):
            with self.lock:
                for i, proc in enumerate(self.procs):
                    if proc is None or proc.poll() is None:
                        exited.pop(i, None)
                    elif time.monotonic() - exited.setdefault(i, time.monotonic()) >= RESTART_AFTER:
                        self.restarts.append(f"copy{i} exited ({proc.returncode}); started again")
                        self.start(i)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()


def postgres(action: str, *options: str) -> int:
    """pg_ctlcluster on this machine's (first) cluster; return its exit status."""
    version = sorted(os.listdir("/etc/postgresql"))[0]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, *options]
    return subprocess.run(command, capture_output=True, check=False).returncode


def postgres_up() -> None:
    """Start PostgreSQL if it is down (a failed restart must not leave it down for everyone else)."""
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode != 0:
        postgres("start")


def haproxy(work: Path, port: int, ports: list[int]) -> subprocess.Popen[bytes]:
    servers = "\n".join(f"    server copy{i} 127.0.0.1:{p} check" for i, p in enumerate(ports))
    cfg = f"""defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    retries 2
    option redispatch
    retry-on conn-failure empty-response response-timeout 503
frontend telegram
    bind 127.0.0.1:{port}
    default_backend copies
backend copies
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
{servers}
"""
    (work / "haproxy.cfg").write_text(cfg)
    return subprocess.Popen(["haproxy", "-db", "-f", str(work / "haproxy.cfg")],
                            stdout=subprocess.DEVNULL, stderr=(work / "haproxy.log").open("w"))


def post(port: int, update: dict[str, Any], deadline: float) -> int:
    """POST an update through haproxy until a 200 (Telegram retries any non-2xx); return the tries."""
    tries = 0
    while time.monotonic() < deadline:
        tries += 1
        request = urllib.request.Request(f"http://127.0.0.1:{port}/tg", data=json.dumps(update).encode(),
                                         headers={"Content-Type": "application/json",
                                                  "X-Telegram-Bot-Api-Secret-Token": SECRET})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                if answer.status == 200:
                    return tries
        except Exception:
            pass
        time.sleep(0.3)
    raise RuntimeError("an update was never accepted")


def resident_thread(port: int, updates: list[dict[str, Any]], deadline: float, tries: list[int],
                    pause: float) -> None:
    for update in updates:  # one chat's updates in order, as Telegram sends them, a person's pace apart
        time.sleep(random.uniform(0, 2 * pause))
        tries.append(post(port, update, deadline))


def message(number: int, chat: dict[str, Any], user: int, text: str) -> dict[str, Any]:
    """An update carrying a command message."""
    command = text.split()[0]
    return {"update_id": number, "message": {
        "message_id": number, "date": int(time.time()), "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        "chat": chat, "from": {"id": user, "is_bot": False, "first_name": "-"}}}


def make_updates(residents: int, per_resident: int, per_group: int) -> dict[int, list[dict[str, Any]]]:
    """Each chat's updates, numbered across everyone. Residents send /start, then /bantuan and /status in turn
    (replies to them). In the staff chat staff send /status_kelompok without arguments (its usage goes to the
    staff chat); in each forum's group people who never started the bot send /usul (the group is told to start
    the bot first). Every group update is answered in its group."""
    words = ["/bantuan", "/status"]
    out: dict[int, list[dict[str, Any]]] = {}
    number = 1
    for r in range(residents):
        user = 800_000 + r
        chat = {"id": user, "type": "private", "first_name": "-"}
        out[user] = []
        for k in range(per_resident):
            out[user].append(message(number, chat, user, "/start" if k == 0 else words[k % 2]))
            number += 1
    for g, chat_id in enumerate([STAFF_CHAT, *FORUM_CHATS]):
        chat = {"id": chat_id, "type": "supergroup", "title": f"Grup {g}"}
        text = "/status_kelompok" if chat_id == STAFF_CHAT else "/usul jalan berlubang di depan sekolah dasar"
        out[chat_id] = [message(number + k, chat, 700_000 + g * 100 + k % 7, text) for k in range(per_group)]
        number += per_group
    return out


class Chaos(threading.Thread):
    """kill -9 a copy every few seconds (the sender and scheduler in turn, or any), SIGSTOP the sender once,
    terminate lock connections once; record takeover times."""

    def __init__(self, copies: Copies, url: str, every: float, max_kills: int, pg_restart: bool) -> None:
        super().__init__(daemon=True)
        self.copies, self.url, self.every, self.max_kills = copies, url, every, max_kills
        self.pg_restart, self.pg_recovery_s = pg_restart, None  # type: bool, float | None
        self.kills, self.takeovers, self.events = 0, [], []  # type: int, list[float], list[str]
        self.stopping = threading.Event()
        self.timed: list[tuple[float, str]] = []

    def _takeover(self, role: str, began: float) -> None:
        while time.monotonic() - began < 30 and not self.stopping.is_set():
            if self.copies.holder(role) is not None:
                self.takeovers.append(time.monotonic() - began)
                return
            time.sleep(0.1)

    def run(self) -> None:
        roles = ["sender", "scheduler", None]
        step = 0
        while not self.stopping.wait(self.every) and self.kills < self.max_kills:
            role = roles[step % 3]
            target = self.copies.holder(role) if role else random.randrange(len(self.copies.ports))
            target = target if target is not None else random.randrange(len(self.copies.ports))
            began = time.monotonic()
            self.copies.kill(target)
            self.kills += 1
            self.events.append(f"kill -9 copy{target} ({role or 'any'})")
            self.timed.append((began, self.events[-1]))
            if role:
                self._takeover(role, began)
            if step == 1:
                self._stop_sender()
            if step == 2:
                self._terminate_locks()
            if step == 3 and self.pg_restart:
                self._restart_postgres()
            step += 1

    def _stop_sender(self) -> None:
        target = self.copies.holder("sender")
        if target is None:
            return
        self.copies.procs[target].send_signal(signal.SIGSTOP)
        time.sleep(3)
        self.copies.procs[target].send_signal(signal.SIGCONT)
        self.events.append(f"SIGSTOP/SIGCONT copy{target} (sender) 3 s")

    def _restart_postgres(self) -> None:
        """Restart the PostgreSQL cluster; time until a copy holds each role again."""
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute("CHECKPOINT")  # the shutdown's own checkpoint is then short (the copies keep working)
        began = time.monotonic()
        done = postgres("restart", "--", "-t", "300")  # pg_ctl waits up to 300 s (60 by default)
        postgres_up()
        up = time.monotonic()
        self.events.append(f"pg_ctlcluster main restart (exit {done}, {up - began:.1f} s)")
        self.timed.append((began, self.events[-1]))
        while time.monotonic() - up < 60 and not self.stopping.is_set():
            if all(self.copies.holder(role, since=began) is not None for role in ("sender", "scheduler")):
                self.pg_recovery_s = round(time.monotonic() - up, 2)  # from PostgreSQL up to both roles taken anew
                return
            time.sleep(0.1)

    def _terminate_locks(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name IN"
                                " ('aspirasi-sender', 'aspirasi-chats')").fetchall()
        began = time.monotonic()
        self.events.append(f"pg_terminate_backend on {len(rows)} lock connection(s)")
        self._takeover("sender", began)


def figures(url: str, api: FakeApi, updates: int) -> dict[str, Any]:
    """Read the outcome from the database and the fake API's log."""
    with psycopg.connect(url) as conn:
        done = conn.execute("SELECT count(*) FILTER (WHERE processed_at IS NOT NULL), count(*) FILTER (WHERE"
                            " dead_at IS NOT NULL), count(*), extract(epoch FROM max(processed_at) - min(received_at))"
                            " FROM inboundupdate").fetchone()
        rows = conn.execute("SELECT id, chat_id, state, uncertain FROM outboxmessage ORDER BY id").fetchall()
    per_chat_rows = Counter(chat for _, chat, state, _ in rows if state == "sent")
    per_chat_sends = Counter(chat for _, chat, _ in api.sends)
    duplicates = sum(max(0, per_chat_sends[c] - per_chat_rows[c]) for c in per_chat_sends)
    lost = sum(max(0, per_chat_rows[c] - per_chat_sends[c]) for c in per_chat_rows)
    by_chat: dict[int, list[float]] = defaultdict(list)
    for t, chat, _ in api.sends:
        by_chat[chat].append(t)
    gaps = [b - a for chat, times in by_chat.items() if chat > 0 for a, b in itertools.pairwise(sorted(times))]
    assert done is not None
    sent_at = sorted(t for t, _, _ in api.sends)
    return {"updates_sent": updates, "updates_processed": done[0], "updates_dead": done[1], "updates_stored": done[2],
            "handled_per_s": round(done[0] / float(done[3]), 1) if done[3] else None,
            "sends_per_s": round((len(sent_at) - 1) / (sent_at[-1] - sent_at[0]), 1) if len(sent_at) > 1 else None,
            "outbox_rows": len(rows), "outbox_unsent": sum(1 for r in rows if r[2] in ("pending", "sending")),
            "uncertain": sum(1 for r in rows if r[3]), "sends": len(api.sends), "duplicates": duplicates,
            "lost": lost, "max_sends_per_second": most_in_window([t for t, _, _ in api.sends], 1.0),
            "max_per_private_chat_per_second": max((most_in_window(times, 1.0) for chat, times in by_chat.items()
                                                    if chat > 0), default=0),
            "min_gap_per_private_chat_s": round(min(gaps), 3) if gaps else None,
            "group_sends": sum(len(times) for chat, times in by_chat.items() if chat < 0),
            "max_per_group_per_minute": max((most_in_window(times, 60.0) for chat, times in by_chat.items()
                                             if chat < 0), default=0)}


def most_in_window(times: list[float], window: float) -> int:
    """The most sends in any window [t, t + window), t being a send's time (where the busiest window starts)."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, t in enumerate(ordered):  # ordered[first..last] all lie within `window` before t
        while t - ordered[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


def figures_when_reachable(url: str, api: FakeApi, updates: int) -> dict[str, Any] | None:
    """The figures, or None while PostgreSQL is away (restarting)."""
    try:
        return figures(url, api, updates)
    except psycopg.OperationalError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--residents", type=int, default=40)
    parser.add_argument("--per-resident", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=150)
    parser.add_argument("--kill-every", type=float, default=6)
    parser.add_argument("--max-kills", type=int, default=6)
    parser.add_argument("--pause", type=float, default=1.5, help="mean seconds between one resident's updates")
    parser.add_argument("--per-group", type=int, default=30, help="updates in each of the 4 group chats")
    parser.add_argument("--group-pause", type=float, default=0.5, help="mean seconds between a group's updates")
    parser.add_argument("--pg-restart", action="store_true",
                        help="restart PostgreSQL once (after the 4th kill): other users of it are cut off briefly")
    args = parser.parse_args()
    deadline = time.monotonic() + args.seconds + 240  # starting the copies (model, migrations) included
    schema = f"chaos_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{PG}?options=-csearch_path%3D{schema}"
    work = Path(tempfile.mkdtemp(prefix="aspirasi-chaos-"))
    api, api_port, lb_port = FakeApi(), free_port(), free_port()
    server = api.serve(api_port)
    copies = Copies(work, [free_port() for _ in range(args.copies)], api_port, url)
    balancer = haproxy(work, lb_port, copies.ports)
    chaos = Chaos(copies, url, args.kill_every, args.max_kills, args.pg_restart)
    try:
        return run(args, url, api, copies, chaos, lb_port, deadline, work)
    finally:
        chaos.stopping.set()
        if args.pg_restart:
            postgres_up()
        copies.stop_all()
        balancer.kill()
        server.should_exit = True
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def run(args: argparse.Namespace, url: str, api: FakeApi, copies: Copies, chaos: Chaos, lb_port: int,
        deadline: float, work: Path) -> int:
    copies.start(0)  # the first converts the model and migrates; the others start after it
    while copies.health(0) is None:
        assert time.monotonic() < deadline and copies.procs[0].poll() is None, f"copy0 did not start ({work})"
        time.sleep(0.5)
    for i in range(1, args.copies):
        copies.start(i)
    while any(copies.health(i) is None for i in range(args.copies)):
        assert time.monotonic() < deadline, f"copies did not start ({work})"
        time.sleep(0.5)
    deadline = time.monotonic() + args.seconds  # the bound counts from when every copy is up
    plan = make_updates(args.residents, args.per_resident, args.per_group)
    count = sum(len(u) for u in plan.values())
    began = time.monotonic()
    chaos.start()
    threading.Thread(target=copies.supervise, args=(chaos.stopping,), daemon=True).start()
    tries: list[int] = []
    threads = [threading.Thread(target=resident_thread, daemon=True, args=(
        lb_port, updates, deadline, tries, args.pause if chat > 0 else args.group_pause))
        for chat, updates in plan.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    result: dict[str, Any] = {}
    while time.monotonic() < deadline:
        result = figures_when_reachable(url, api, count) or result
        drained = result and result["updates_processed"] + result["updates_dead"] == count and not result[
            "outbox_unsent"]
        if drained and not chaos.is_alive():  # every failure injected and recovered from
            break
        time.sleep(1)
    chaos.stopping.set()
    chaos.join(10)
    handled = [report.get("handled", 0) if report else None for report in map(copies.health, range(args.copies))]
    result.update(seconds=round(time.monotonic() - began, 1), kills=chaos.kills, events=chaos.events,
                  restarts=copies.restarts, pg_recovery_s=chaos.pg_recovery_s, handled_per_copy=handled,
                  posts_retried=sum(t - 1 for t in tries),
                  takeover_p95_s=round(sorted(chaos.takeovers)[int(0.95 * (len(chaos.takeovers) - 1))], 2)
                  if chaos.takeovers else None, work=str(work))
    (work / "sends.json").write_text(json.dumps(api.sends))
    (work / "events.json").write_text(json.dumps(chaos.timed))
    print(json.dumps(result, indent=1))
    group_updates = sum(len(u) for chat, u in plan.items() if chat < 0)
    checks = {"every update handled": result.get("updates_processed") == count,
              "nothing left to send": result.get("outbox_unsent") == 0,
              "nothing lost": result.get("lost") == 0,
              "duplicates only among uncertain": result.get("duplicates", 1) <= result.get("uncertain", 0),
              "every group update answered in its group": result.get("group_sends", 0) >= group_updates,
              "at most 30 sends in any 1 s window": result.get("max_sends_per_second", 99) <= 30,
              "at most 1 send to a private chat in any 1 s window":
                  result.get("max_per_private_chat_per_second", 99) <= 1,
              "at most 20 sends to a group in any 60 s window": result.get("max_per_group_per_minute", 99) <= 20}
    if args.pg_restart:
        checks["the copies came back after the PostgreSQL restart"] = chaos.pg_recovery_s is not None
    for name, ok in checks.items():
        print(("ok   " if ok else "FAIL ") + name)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
