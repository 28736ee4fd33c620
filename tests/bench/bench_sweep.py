"""SLA sweep cost vs the single indexed query that selects what is due, on 10k and 100k open incidents.

    python tests/bench/bench_sweep.py            # SQLite (add --pg to also run PostgreSQL)

For each database and each number of incidents changing state (0, 100, 1,000) it times, in the
same run, on the same engine:
  query  - services.sla.due_select(now): the sweep's own selection, SELECT its columns FROM
           incidents WHERE next_sla_check_at <= now, on ix_incidents_next_sla_check_at (the plans
           of it and of the sweep's batch read are printed and checked to use that index)
  sweep  - services.sla.sweep(): that selection (in batches, locked), plus recording each change
           in bulk (timeline events, change-log rows, state columns: a statement per table per batch)
  scan   - for contrast, reading the SLA columns of every open incident (what a sweep without
           next_sla_check_at would have to do)
Medians of several runs; the changed rows are put back between sweep runs (not timed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text, update  # noqa: E402

from incidentdesk.config import Config  # noqa: E402
from incidentdesk.domain.roles import Actor  # noqa: E402
from incidentdesk.services import sla  # noqa: E402
from incidentdesk.services.context import ServiceContext  # noqa: E402
from incidentdesk.store.engine import open_database  # noqa: E402
from incidentdesk.store.migrate import ensure_schema  # noqa: E402
from incidentdesk.store.models import Incident  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
T = Incident.__table__
CHANGING = (0, 100, 1000)


def populate(db, open_count: int) -> None:
    """P2 incidents not yet acknowledged (response 30 min, at risk at 22.5 min): created 0-20 min
    ago, so none is due. `prepare` then moves the chosen few to 25 minutes old."""
    rows = []
    for i in range(1, open_count + 1):
        created = NOW - timedelta(seconds=(i * 7) % 1200)
        rows.append(dict(
            id=i, key=f"INC-{i:06d}", title=f"bench {i}", impact="high", urgency="medium", priority=2,
            status="new", is_open=True, reporter="bench", created_at=created, updated_at=created,
            updated_by="bench", response_due_at=created + timedelta(minutes=30),
            resolution_due_at=created + timedelta(hours=8), sla_due_at=created + timedelta(minutes=30),
            response_sla_state="on_track", resolution_sla_state="on_track", sla_paused_seconds=0.0,
            next_sla_check_at=created + timedelta(minutes=22, seconds=30), version=1, event_count=0,
        ))
    with db.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(T), rows[start:start + 5000])
    if db.backend == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE incidents"))
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def prepare(db, changing: int) -> None:
    """Make exactly `changing` incidents due: 25 minutes old, response at risk since 2.5 min."""
    created = NOW - timedelta(minutes=25)
    with db.engine.begin() as conn:
        conn.execute(update(T).where(T.c.id > 0).where(T.c.response_sla_state != "on_track")
                     .values(response_sla_state="on_track"))
        conn.execute(update(T).where(T.c.next_sla_check_at <= NOW)
                     .values(next_sla_check_at=NOW + timedelta(minutes=1)))
        if changing:
            conn.execute(update(T).where(T.c.id <= changing).values(
                created_at=created, response_due_at=created + timedelta(minutes=30),
                resolution_due_at=created + timedelta(hours=8), sla_due_at=created + timedelta(minutes=30),
                next_sla_check_at=created + timedelta(minutes=22, seconds=30), response_sla_state="on_track"))


def timed(fn, runs: int, before=None) -> float:
    samples = []
    for _ in range(runs):
        if before:
            before()
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def query(db) -> int:
    """The baseline: the sweep's own selection (sla.due_select), every due row fetched."""
    with db.read() as s:
        return len(s.execute(sla.due_select(NOW)).all())


def scan(db) -> int:
    with db.read() as s:
        return len(s.execute(select(T.c.id, T.c.next_sla_check_at, T.c.response_due_at, T.c.resolution_due_at,
                                    T.c.response_sla_state, T.c.resolution_sla_state).where(T.c.is_open)).all())


def bench(label: str, url: str, open_count: int, scan_runs: int = 3, after=None) -> list[tuple]:
    db = open_database(url)
    ensure_schema(db.engine)
    t0 = time.perf_counter()
    populate(db, open_count)
    print(f"  {label}: {open_count:,} open incidents loaded in {time.perf_counter() - t0:.1f} s", flush=True)
    ctx = ServiceContext(db, Config(), Actor("bench"), lambda: NOW)
    results = []
    for changing in CHANGING:
        prepare(db, changing)
        assert query(db) == changing
        q = timed(lambda: query(db), 9)
        runs = 5 if changing <= 100 else 3
        outcome = {}

        def one_sweep():
            outcome["r"] = sla.sweep(ctx)

        sw = timed(one_sweep, runs, before=lambda: prepare(db, changing))
        assert len(outcome["r"].changes) == changing, outcome["r"].summary()
        results.append((label, open_count, changing, q, sw))
    full = timed(lambda: scan(db), scan_runs)
    if after:
        prepare(db, 1000)
        after(url)
    db.dispose()
    return [r + (full,) for r in results]


def print_table(rows) -> None:
    print()
    print(f"{'backend':<10} {'open':>8} {'changing':>9} {'query ms':>9} {'sweep ms':>9} {'sweep/query':>12} "
          f"{'sweep ms per change':>20} {'full scan ms':>13}")
    for label, open_count, changing, q, sw, full in rows:
        per = f"{sw * 1000 / changing:.3f}" if changing else "-"
        print(f"{label:<10} {open_count:>8,} {changing:>9,} {q * 1000:>9.2f} {sw * 1000:>9.2f} {sw / q:>11.2f}x "
              f"{per:>20} {full * 1000:>13.1f}")


def explain(url: str) -> None:
    """Both statements' plans: the baseline query and the sweep's batch read must use the same index."""
    db = open_database(url)
    batch = sla.due_select(NOW).order_by(T.c.next_sla_check_at).limit(sla.DEFAULT_BATCH)
    if db.backend == "postgresql":
        batch = batch.with_for_update(skip_locked=True)
    with db.engine.connect() as conn:
        for name, stmt in (("query", sla.due_select(NOW)), ("sweep batch", batch)):
            sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            prefix = "EXPLAIN QUERY PLAN " if db.backend == "sqlite" else "EXPLAIN "
            plan = [str(row[-1]) for row in conn.exec_driver_sql(prefix + sql).all()]
            print(f"  plan ({name}): " + "; ".join(p.strip() for p in plan if "ix_" in p or "SCAN" in p or "Scan" in p))
            assert any("ix_incidents_next_sla_check_at" in p for p in plan), plan
    db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", metavar="SERVER_URL", nargs="?", const="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="also run on PostgreSQL (a throw-away database on this server)")
    parser.add_argument("--sizes", default="10000,100000", help="open-incident counts (default 10000,100000)")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            url = f"sqlite:///{tmp}/bench_{size}.db"
            rows += bench("sqlite", url, size, after=explain)
    if args.pg:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        for size in sizes:
            name = f"incidentdesk_bench_sweep_{size}"
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                rows += bench("postgresql", make_url(args.pg).set(database=name).render_as_string(hide_password=False),
                              size, after=explain)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
