"""Change-feed latency: a change committed by one process -> seen by another's feed.

    python tests/bench/bench_changefeed.py [--n 50] [--pg URL]

A writer subprocess logs and comments on incidents through the real services, recording the
wall-clock instant each transaction committed; this process follows the feed (as every
console does) and records when each change arrived. Baseline, same run: the raw round trip
of one trivial query on the same backend (the floor any notification path must pay).
Targets from the issue: within 1 s on SQLite, within 200 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from sqlalchemy import create_engine, text

from incidentdesk.store.changefeed import ChangeFeed
from incidentdesk.store.engine import open_database
from incidentdesk.store.migrate import ensure_schema

WRITER = r"""
import json, sys, time
from incidentdesk.config import Config
from incidentdesk.services import incidents as svc
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.store.engine import open_database
db = open_database(sys.argv[1]); n = int(sys.argv[2])
ctx = ServiceContext(db, Config(), load_actor(db, "bench"))
key = svc.log_incident(ctx, svc.Intake(title="bench", impact="low", urgency="low"))
time.sleep(1.0)
for i in range(n):
    svc.comment(ctx, key, f"tick {i}")
    print(json.dumps({"i": i, "committed": time.time()}), flush=True)
    time.sleep(0.15)
"""


def measure(url: str, n: int) -> dict:
    db = open_database(url)
    ensure_schema(db.engine)
    feed = ChangeFeed(db)
    feed.wait(0.05)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, url, str(n)], stdout=subprocess.PIPE, text=True)
    arrivals: list[float] = []
    deadline = time.monotonic() + n * 0.15 + 30
    while len(arrivals) < n + 1 and time.monotonic() < deadline:
        changes = feed.wait(0.5)
        if changes.incident_ids:
            arrivals.append(time.time())
    out, _ = proc.communicate(timeout=30)
    commits = [json.loads(line)["committed"] for line in out.splitlines()]
    # arrivals[0] is the log_incident; the rest pair with the comments in order
    lat = [max(0.0, a - c) * 1000 for a, c in zip(arrivals[1:], commits)]
    with db.engine.connect() as conn:
        t0 = time.perf_counter()
        for _ in range(200):
            conn.execute(text("SELECT 1"))
        rtt = (time.perf_counter() - t0) / 200 * 1000
    feed.close()
    db.dispose()
    return {"n": len(lat), "p50": statistics.median(lat), "p99": sorted(lat)[max(0, int(len(lat) * 0.99) - 1)],
            "max": max(lat), "rtt": rtt}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--pg", default=os.environ.get("INCIDENTDESK_TEST_PG_URL",
                                                        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = measure(f"sqlite:///{tmp}/feed.db", args.n)
    name = f"incidentdesk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        from sqlalchemy.engine import make_url

        results["postgresql"] = measure(make_url(args.pg).set(database=name).render_as_string(hide_password=False), args.n)
    except Exception as exc:  # report and carry on with what we have
        print(f"PostgreSQL skipped: {exc}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(f"{'backend':<11} {'changes':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'baseline: 1 query ms':>21}  target")
    targets = {"sqlite": 1000, "postgresql": 200}
    for backend, r in results.items():
        ok = "ok" if r["p99"] <= targets[backend] else "MISSED"
        print(f"{backend:<11} {r['n']:>7} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['max']:>8.1f} {r['rtt']:>21.3f}  "
              f"<= {targets[backend]} ms: {ok}")


if __name__ == "__main__":
    main()
