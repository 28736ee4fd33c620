"""Queue paging and incident logging at 1,000,000 incidents (100,000 open), SQLite and PostgreSQL.

    python tests/bench/bench_queue.py [--rows N] [--open N] [--repeat R] [--no-pg]

For each backend, one 100-row page of the open queue (priority, then SLA due) through
`store.queries.queue_page` — first page, page 500 (cursor found once beforehand), filtered by
group — against the baseline of fetching 100 rows by primary key with the raw driver (sqlite3,
psycopg) from the same database in the same run. The target is at most 3x the baseline.
EXPLAIN (QUERY PLAN) of every queue query is checked: an index must drive it, with no full
scan and no sort step. Then the per-call latency of `log_incident` (the service call with its
timeline event), p50/p99, against a raw one-row write transaction.

Databases come from tests/bench/datagen.py (cached under /tmp; the first build of a million
rows takes a minute or two per backend).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datagen  # noqa: E402  (also puts the repository on sys.path)

from sqlalchemy import event  # noqa: E402

from incidentdesk.config import Config  # noqa: E402
from incidentdesk.domain.enums import Role  # noqa: E402
from incidentdesk.domain.roles import Actor  # noqa: E402
from incidentdesk.services import incidents as svc  # noqa: E402
from incidentdesk.services.context import ServiceContext  # noqa: E402
from incidentdesk.store import queries  # noqa: E402
from incidentdesk.store.engine import Database, open_database  # noqa: E402
from incidentdesk.store.migrate import ensure_schema  # noqa: E402

PG_SERVER = os.environ.get("INCIDENTDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PK_COLUMNS = ("id, key, type, priority, impact, urgency, severity, status, title, assignee, group_id, tier, "
              "created_at, updated_at, acknowledged_at, response_due_at, resolution_due_at, sla_due_at, version")
GROUP = "Platform SRE"
TARGET = 3.0


def timed(fn: Callable[[], object], repeat: int, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Capture:
    """Remembers the SQL and parameters of the last queue query, to EXPLAIN it."""

    def __init__(self, db: Database) -> None:
        self.last: tuple[str, object] | None = None
        event.listen(db.engine, "before_cursor_execute", self._hook)

    def _hook(self, conn, cursor, statement, parameters, context, executemany):
        if "FROM incidents" in statement and "ORDER BY" in statement:
            self.last = (statement, parameters)


def explain(db: Database, capture: Capture) -> tuple[list[str], list[str]]:
    """(plan lines, problems): a full scan of incidents or a sort step is a problem."""
    statement, params = capture.last
    with db.engine.connect() as conn:
        if db.backend == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
            lines = [r[-1] for r in rows]
            problems = [ln for ln in lines if (ln.startswith("SCAN incidents") and "INDEX" not in ln)
                        or "TEMP B-TREE" in ln]
        else:
            rows = conn.exec_driver_sql("EXPLAIN " + statement, params).all()
            lines = [r[0] for r in rows]
            problems = [ln.strip() for ln in lines if "Seq Scan on incidents" in ln or ln.strip().startswith("Sort")
                        or "-> Sort" in ln]
    return lines, problems


def queue_cases(db: Database, page: int = 100) -> list[tuple[str, Callable[[], object]]]:
    everyone = queries.QueueFilter()
    by_group = queries.QueueFilter(group=GROUP)
    deep = queries.queue_offset_cursor(db, everyone, 499 * page)  # found once, not timed
    group_pages = queries.queue_count(db, by_group) // page
    group_deep_page = max(1, min(100, group_pages - 1))
    group_deep = queries.queue_offset_cursor(db, by_group, (group_deep_page - 1) * page)
    assert deep is not None, "fewer than 500 pages of open incidents: use more rows"
    cases = [
        ("queue, first page", lambda: queries.queue_page(db, everyone, limit=page)),
        ("queue, page 500", lambda: queries.queue_page(db, everyone, after=deep, limit=page)),
        ("queue, group, first page", lambda: queries.queue_page(db, by_group, limit=page)),
    ]
    if group_deep is not None:
        cases.append((f"queue, group, page {group_deep_page}",
                      lambda: queries.queue_page(db, by_group, after=group_deep, limit=page)))
    for name, fn in cases:
        got = fn()
        assert len(got.rows) == page, f"{name}: {len(got.rows)} rows"
    return cases


def pk_baseline_sqlite(path: Path, total: int):
    conn = sqlite3.connect(path, check_same_thread=False)
    rng = random.Random(3)
    id_sets = [rng.sample(range(1, total + 1), 100) for _ in range(50)]
    sql = f"SELECT {PK_COLUMNS} FROM incidents WHERE id IN ({', '.join('?' * 100)})"
    state = {"i": 0}

    def fetch():
        state["i"] += 1
        rows = conn.execute(sql, id_sets[state["i"] % len(id_sets)]).fetchall()
        assert len(rows) == 100
    return fetch, conn.close


def pk_baseline_pg(url: str, total: int):
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = psycopg.connect(host=u.host, port=u.port or 5432, dbname=u.database, user=u.username or "postgres",
                           password=u.password, autocommit=True)
    rng = random.Random(3)
    id_sets = [rng.sample(range(1, total + 1), 100) for _ in range(50)]
    sql = f"SELECT {PK_COLUMNS} FROM incidents WHERE id = ANY(%s)"
    state = {"i": 0}

    def fetch():
        state["i"] += 1
        rows = conn.execute(sql, (id_sets[state["i"] % len(id_sets)],)).fetchall()
        assert len(rows) == 100
    return fetch, conn.close


def raw_write_sqlite(path: Path):
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")

    def write():
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO change_log (incident_id, at, kind) VALUES (0, '2026-11-23 09:00:00.000000', 'bench')")
        conn.execute("COMMIT")
    return write, lambda: (conn.execute("DELETE FROM change_log WHERE kind = 'bench'"), conn.close())


def raw_write_pg(url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = psycopg.connect(host=u.host, port=u.port or 5432, dbname=u.database, user=u.username or "postgres",
                           password=u.password, autocommit=True)

    def write():
        with conn.transaction():
            conn.execute("INSERT INTO change_log (incident_id, at, kind) VALUES (0, now(), 'bench')")
    return write, lambda: (conn.execute("DELETE FROM change_log WHERE kind = 'bench'"), conn.close())


def log_latency(db: Database, calls: int) -> list[float]:
    ctx = ServiceContext(db, Config(), Actor("bench", Role.RESPONDER))
    n = {"i": 0}

    def one():
        n["i"] += 1
        svc.log_incident(ctx, svc.Intake(title=f"bench incident {n['i']}", impact="medium", urgency="high",
                                         group=GROUP, affected_service="Payments API", symptoms="502s"))
    return timed(one, calls, warmup=10)


def run_backend(label: str, db: Database, baseline, raw_write, repeat: int, log_calls: int, rows: list) -> list[str]:
    fetch, close_fetch = baseline
    base = timed(fetch, repeat)
    base_med = statistics.median(base)
    rows.append((label, "PK fetch, 100 rows (raw driver)", base_med, pct(base, 95), 1.0, "baseline"))
    capture = Capture(db)
    failures = []
    for name, fn in queue_cases(db):
        samples = timed(fn, repeat)
        med = statistics.median(samples)
        fn()
        plan, problems = explain(db, capture)
        verdict = "ok" if med <= TARGET * base_med else f"MISSED (>{TARGET:g}x)"
        if problems:
            verdict += "; PLAN: " + " | ".join(problems)
        if verdict != "ok":
            failures.append(f"{label} {name}: {verdict}")
        rows.append((label, name, med, pct(samples, 95), med / base_med, verdict))
        plan_text = " / ".join(ln.strip() for ln in plan if ln.strip())
        print(f"  {label:<10} {name:<26} plan: {plan_text[:200]}")
    close_fetch()
    write, close_write = raw_write
    raw = timed(write, log_calls, warmup=10)
    close_write()
    logs = log_latency(db, log_calls)
    rows.append((label, "raw 1-row write transaction", statistics.median(raw), pct(raw, 99), 1.0,
                 "baseline (p99 in the p95/p99 column)"))
    rows.append((label, f"log_incident (x{log_calls})", statistics.median(logs), pct(logs, 99),
                 statistics.median(logs) / statistics.median(raw), "p50 / p99"))
    return failures


def print_table(rows) -> None:
    print()
    print(f"{'backend':<10} {'measure':<34} {'median ms':>10} {'p95/p99 ms':>11} {'x baseline':>11}  verdict")
    print("-" * 100)
    for backend, name, med, tail, ratio, verdict in rows:
        print(f"{backend:<10} {name:<34} {med * 1000:>10.3f} {tail * 1000:>11.3f} {ratio:>10.2f}x  {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=None, help="open incidents (default rows/10)")
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--log-calls", type=int, default=300)
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    open_count = args.open if args.open is not None else args.rows // 10
    rows, failures = [], []
    print(f"incidents: {args.rows:,} ({open_count:,} open); {args.repeat} timed calls per query")

    with tempfile.TemporaryDirectory(prefix="idbench-") as tmp:
        path = datagen.make_sqlite(Path(tmp) / "bench.db", total=args.rows, open_count=open_count)
        db = open_database(f"sqlite:///{path}")
        ensure_schema(db.engine)
        failures += run_backend("sqlite", db, pk_baseline_sqlite(path, args.rows), raw_write_sqlite(path),
                                args.repeat, args.log_calls, rows)
        db.dispose()

    if not args.no_pg:
        url = datagen.make_postgres(PG_SERVER, total=args.rows, open_count=open_count)
        db = open_database(url)
        ensure_schema(db.engine)
        try:
            failures += run_backend("postgres", db, pk_baseline_pg(url, args.rows), raw_write_pg(url),
                                    args.repeat, args.log_calls, rows)
        finally:
            with db.engine.begin() as conn:  # leave the cached database as it was built
                conn.exec_driver_sql(f"DELETE FROM change_log WHERE incident_id > {args.rows}")
                conn.exec_driver_sql(f"DELETE FROM incidents WHERE id > {args.rows}")
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('incidents', 'id'), {args.rows})")
            db.dispose()

    print_table(rows)
    print()
    if failures:
        print("TARGETS MISSED:\n  " + "\n  ".join(failures))
        return 1
    print(f"all queue pages within {TARGET:g}x of the primary-key fetch, every plan index-driven")
    return 0


if __name__ == "__main__":
    sys.exit(main())
