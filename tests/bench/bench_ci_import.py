"""CI import throughput: `ci import` of N rows (CSV) in rows/s, beside a bare executemany of the same rows.

    python tests/bench/bench_ci_import.py [--n 100000] [--pg URL]

The file: N CIs (types, owners, services, locations cycling; about a third depend on one or two
CIs earlier in the file). Measured, each on a fresh database:
  baseline   the same rows (and dependency edges) inserted with the raw driver's executemany in one
             transaction (sqlite3 / psycopg): the floor for writing them at all;
  import     services/cmdb_import.import_cis on the file: read, check every row, check owners and
             dependencies, write in bulk — what `incidentdesk ci import FILE` does;
  re-import  the same file again: every row compared, nothing written (idempotency);
  update     the file with every criticality changed: one bulk UPDATE by primary key.
Target (issue 14): import ≥ 5,000 rows/s on SQLite. SQLite file (WAL) by default; --pg URL runs on
a throw-away PostgreSQL database instead.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import create_engine, text  # noqa: E402

from incidentdesk.config import parse_config  # noqa: E402
from incidentdesk.domain.enums import Role  # noqa: E402
from incidentdesk.services import cmdb_import, directory  # noqa: E402
from incidentdesk.services.context import ServiceContext, load_actor  # noqa: E402
from incidentdesk.store.engine import open_database  # noqa: E402
from incidentdesk.store.migrate import ensure_schema  # noqa: E402

TYPES = ("server", "application", "database", "network", "laptop", "storage")
CRIT = ("low", "medium", "high", "critical")
OWNERS = ("Platform SRE", "Network Operations", "Service Desk")


def rows(n: int) -> list[dict]:
    out = []
    for i in range(n):
        deps = []
        if i % 3 == 0 and i:
            deps.append(f"ci-{(i * 7919) % i:06d}")
            if i % 6 == 0:
                deps.append(f"ci-{i - 1:06d}")
        out.append({"name": f"ci-{i:06d}", "type": TYPES[i % len(TYPES)], "service": f"svc-{i % 40}",
                    "owner": OWNERS[i % len(OWNERS)], "location": f"DC{i % 4 + 1} rack {i % 90}",
                    "criticality": CRIT[i % len(CRIT)], "depends_on": ";".join(dict.fromkeys(deps))})
    return out


def write_csv(path: Path, data: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(data)


def fresh(pg: str | None, folder: Path, label: str):
    """A migrated empty database with the owner groups; returns (db, admin context, drop)."""
    if pg:
        name = f"incidentdesk_bench_ci_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = pg.rsplit("/", 1)[0] + f"/{name}"

        def drop():
            db.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        url = f"sqlite:///{folder}/{label}.db"

        def drop():
            db.dispose()
    db = open_database(url)
    ensure_schema(db.engine)
    config = parse_config({})
    directory.add_user(ServiceContext(db, config, load_actor(db, "bench")), "bench", role=Role.ADMIN)
    ctx = ServiceContext(db, config, load_actor(db, "bench"))
    for group in OWNERS:
        directory.add_group(ctx, group)
    return db, ctx, drop


def baseline(db, data: list[dict]) -> float:
    """The rows and edges through the raw driver's executemany, one transaction; seconds."""
    now = datetime.now(UTC)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        sqlite = isinstance(raw.driver_connection, sqlite3.Connection)
        mark = "?" if sqlite else "%s"
        stamp = now.replace(tzinfo=None).isoformat(sep=" ") if sqlite else now
        start = time.perf_counter()
        if sqlite:  # the engine's connections run in autocommit (store/engine.py issues BEGIN IMMEDIATE itself)
            cur.execute("BEGIN")
        cur.executemany(
            "INSERT INTO cis (id, name, type, service, owner, location, criticality, description, updated_at, "
            f"updated_by) VALUES ({', '.join([mark] * 10)})",
            [(i + 1, r["name"], r["type"], r["service"], r["owner"], r["location"], r["criticality"], "", stamp,
              "bench") for i, r in enumerate(data)])
        ids = {r["name"]: i + 1 for i, r in enumerate(data)}
        cur.executemany(f"INSERT INTO ci_dependencies (ci_id, depends_on_id) VALUES ({mark}, {mark})",
                        [(ids[r["name"]], ids[d]) for r in data for d in r["depends_on"].split(";") if d])
        raw.commit()
        return time.perf_counter() - start
    finally:
        raw.close()


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server URL (a throw-away database is made)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-ci-"))
    data = rows(args.n)
    path = folder / "cis.csv"
    write_csv(path, data)
    changed = folder / "cis-changed.csv"
    write_csv(changed, [{**r, "criticality": CRIT[(CRIT.index(r["criticality"]) + 1) % len(CRIT)]} for r in data])
    backend = "PostgreSQL" if args.pg else "SQLite"
    edges = sum(len(r["depends_on"].split(";")) for r in data if r["depends_on"])

    db, _, drop = fresh(args.pg, folder, "baseline")
    try:
        base = baseline(db, data)
    finally:
        drop()
    db, ctx, drop = fresh(args.pg, folder, "import")
    try:
        first_s, first = timed(lambda: cmdb_import.import_cis(ctx, str(path)))
        again_s, again = timed(lambda: cmdb_import.import_cis(ctx, str(path)))
        update_s, update = timed(lambda: cmdb_import.import_cis(ctx, str(changed)))
    finally:
        drop()
    assert (first.created, len(first.rejected)) == (args.n, 0), first.summary()
    assert again.unchanged == args.n and update.updated == args.n, (again.summary(), update.summary())

    print(f"{backend}: {args.n:,} CIs, {edges:,} dependency edges (CSV {path.stat().st_size / 1e6:.1f} MB)")
    print("| backend | run | seconds | rows/s | × baseline time |")
    print("| --- | --- | --- | --- | --- |")
    for label, seconds in (("baseline (raw executemany)", base), ("ci import (new)", first_s),
                           ("ci import again (unchanged)", again_s), ("ci import (all updated)", update_s)):
        print(f"| {backend} | {label} | {seconds:.2f} | {args.n / seconds:,.0f} | {seconds / base:.2f} |")
    target = args.n / first_s >= 5000
    print(f"target ≥ 5,000 rows/s for a new import: {'met' if target else 'NOT met'} ({args.n / first_s:,.0f} rows/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
