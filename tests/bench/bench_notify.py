"""Notification cost: what the outbox adds to an action, and delivery throughput to a webhook.

    python tests/bench/bench_notify.py [--rounds 300] [--messages 400] [--pg URL]

1. Latency of `comment` through the service (one transaction: permission, timeline event,
   change feed), in paired rounds (all three each round, shuffled) on one incident: with a rule that matches (one
   outbox row written in the transaction) against the same action when no rule matches (rules
   configured for other events), and, for scale, with no [notify] at all. Medians, and the
   overhead of matching over not matching. Target (issue 12): at most +20%.
2. Delivery throughput: N notifications to a local JSON webhook (a threaded http.server on
   127.0.0.1 answering 200), through apprise, with 4 workers; 1 worker beside it as baseline.

SQLite file (WAL) by default; --pg URL runs both on a throw-away PostgreSQL database instead.
"""

from __future__ import annotations

import argparse
import http.server
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from incidentdesk.config import parse_config  # noqa: E402
from incidentdesk.domain.enums import Role  # noqa: E402
from incidentdesk.services import directory  # noqa: E402
from incidentdesk.services import incidents as svc  # noqa: E402
from incidentdesk.services.context import ServiceContext, load_actor  # noqa: E402
from incidentdesk.store.engine import open_database  # noqa: E402
from incidentdesk.store.migrate import ensure_schema  # noqa: E402
from incidentdesk.store.models import OutboxMessage  # noqa: E402

CHANNELS = [{"name": "ops", "url_env": "BENCH_NOTIFY_URL"}]


def _config(rules):
    return parse_config({"notify": {"channel": CHANNELS, "rule": rules, "timeout_seconds": 5, "lease_seconds": 60}})


def _database(pg: str | None):
    if pg:
        name = f"incidentdesk_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = pg.rsplit("/", 1)[0] + f"/{name}"

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        folder = tempfile.mkdtemp(prefix="bench-notify-")
        url = f"sqlite:///{folder}/bench.db"

        def drop():
            pass
    db = open_database(url)
    ensure_schema(db.engine)
    return db, drop


def latency(db, rounds: int) -> dict[str, float]:
    boot = ServiceContext(db, parse_config({}), load_actor(db, "bench"))
    directory.add_user(boot, "bench", role=Role.ADMIN)
    actor = load_actor(db, "bench")
    contexts = {
        "rule matches": ServiceContext(db, _config([{"on": ["comment"], "to": "ops"}]), actor),
        "no rule matches": ServiceContext(db, _config([{"on": ["resolved", "major_declared"], "to": "ops"}]), actor),
        "no [notify]": ServiceContext(db, parse_config({}), actor),
    }
    key = svc.log_incident(contexts["no [notify]"], svc.Intake(title="bench", impact="low", urgency="low"))
    times: dict[str, list[float]] = {name: [] for name in contexts}
    for _ in range(20):  # warm-up
        for ctx in contexts.values():
            svc.comment(ctx, key, "warm-up")
    import random

    shuffle = random.Random(12).shuffle
    for i in range(rounds):
        order = list(contexts.items())
        shuffle(order)  # paired rounds: each round runs all three, in a fresh order (no position bias)
        for name, ctx in order:
            started = time.perf_counter()
            svc.comment(ctx, key, f"round {i}")
            times[name].append(time.perf_counter() - started)
    with db.read() as s:
        rows = s.scalar(select(func.count()).select_from(OutboxMessage))
    assert rows == rounds + 20, f"expected one outbox row per matching comment, found {rows}"
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


class _Hook(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    count = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with _Hook.lock:
            _Hook.count += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def throughput(db, messages: int, workers: int, port: int) -> float:
    from incidentdesk.notify.delivery import run_loop

    config = _config([{"on": ["comment"], "to": "ops"}])
    ctx = ServiceContext(db, config, load_actor(db, "bench"))
    with db.write() as s:
        s.execute(OutboxMessage.__table__.delete())
    key = svc.log_incident(ctx, svc.Intake(title="throughput", impact="low", urgency="low"))
    for i in range(messages):
        svc.comment(ctx, key, f"message {i}")
    os.environ["BENCH_NOTIFY_URL"] = f"json://127.0.0.1:{port}/hook"
    before = _Hook.count
    stop = threading.Event()
    started = time.perf_counter()
    thread = threading.Thread(target=run_loop, kwargs={"db": db, "settings": config.notify, "workers": workers,
                                                       "stop": stop, "interval": 0.01}, daemon=True)
    thread.start()
    while True:
        with db.read() as s:
            left = s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state != "sent"))
        if not left:
            break
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join(5)
    assert _Hook.count - before == messages, (_Hook.count - before, messages)
    return messages / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--pg", metavar="URL", help="run on PostgreSQL (a throw-away database on this server)")
    args = parser.parse_args()
    db, drop = _database(args.pg)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        backend = db.backend
        medians = latency(db, args.rounds)
        base, matched = medians["no rule matches"], medians["rule matches"]
        print(f"comment latency on {backend}, median of {args.rounds} paired rounds:")
        for name, value in medians.items():
            print(f"  {name:<16} {value:7.3f} ms")
        overhead = (matched / base - 1) * 100
        print(f"  outbox overhead: {overhead:+.1f}% (target: at most +20%) -> {'OK' if overhead <= 20 else 'OVER'}")
        port = server.server_address[1]
        one = throughput(db, args.messages, 1, port)
        four = throughput(db, args.messages, 4, port)
        print(f"delivery to a local JSON webhook on {backend}, {args.messages} messages:")
        print(f"  1 worker (baseline) {one:7.1f} messages/s")
        print(f"  4 workers           {four:7.1f} messages/s")
    finally:
        server.shutdown()
        db.dispose()
        drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
