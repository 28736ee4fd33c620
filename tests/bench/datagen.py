"""Big, schema-migrated benchmark databases, built fast and cached.

    make_sqlite(path=None, total=1_000_000, open_count=100_000, seed=1) -> Path
    make_postgres(server_url, total=..., open_count=..., seed=1) -> URL

The schema comes from the real migrations (ensure_schema on an empty database); the rows go in
with raw sqlite3 executemany (indexes dropped during the load and rebuilt after) or PostgreSQL
COPY, not through the services — a million service calls would take an hour. Rows obey the
model's rules (priority from the matrix, open flag from the status, SLA due times, one
hash-chained "created" event for every open incident so detail views and `audit verify` work).

The SQLite file is cached under /tmp/incidentdesk-bench/ (keyed by size, seed and schema
revision); a PostgreSQL database of the same name is reused when it is complete. Other
benchmarks (the console's) import these two functions.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from incidentdesk.domain.audit import GENESIS, event_hash  # noqa: E402
from incidentdesk.domain.priority import derive_priority  # noqa: E402
from incidentdesk.domain.sla import DEFAULT_TARGETS  # noqa: E402
from incidentdesk.store.engine import open_database  # noqa: E402
from incidentdesk.store.migrate import ensure_schema, head_revision  # noqa: E402
from incidentdesk.store.models import Base  # noqa: E402

CACHE = Path(os.environ.get("INCIDENTDESK_BENCH_CACHE", "/tmp/incidentdesk-bench"))
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NOW_NAIVE = NOW.replace(tzinfo=None)  # rows are generated in naive UTC: no time-zone work per value

GROUPS = [("Service Desk", 1), ("Network Operations", 2), ("Platform SRE", 2), ("Application Support", 2),
          ("Database Engineering", 3), ("Security Operations", 3)]
PEOPLE = ["ana", "ben", "chen", "dara", "eli", "fay", "gus", "hana", "tess", "omar", "ines", "marco"]
TITLES = ["Outlook cannot connect to Exchange", "VPN drops every 10 minutes", "Payments API returning 502",
          "Checkout page times out", "Office Wi-Fi slow on floor 2", "SSO login loop for all SaaS apps",
          "Invoice run failed overnight", "Orders database replication lag", "Printer jams on every job",
          "Ingress controller restarting in prod", "Password reset emails not arriving", "Site search empty"]
LEVELS = ("high", "medium", "low")
OPEN = ("new", "acknowledged", "in_progress", "on_hold")
DONE = ("closed", "closed", "closed", "resolved", "cancelled")


# 15 top categories and 5,000 CIs: recurring detection (store/recurring_sql.py) has real work to do
CATEGORIES = tuple(f"{svc}/{part}" for svc in ("Email", "Network", "Identity", "Payments", "Laptops")
                   for part in ("Core", "Access", "Performance"))


def _ts(value: datetime | None) -> str | None:
    """The text SQLAlchemy's SQLite DATETIME stores (naive UTC; queries compare these as strings).

    Whole seconds only, so str() plus a fixed fraction gives exactly '%Y-%m-%d %H:%M:%S.%f' fast.
    """
    if value is None:
        return None
    return (str(value) if value.tzinfo is None else str(value.astimezone(UTC).replace(tzinfo=None))) + ".000000"


EVENT_COLUMNS = ["incident_id", "seq", "at", "actor", "real_actor", "kind", "before", "after", "text", "prev_hash",
                 "hash"]


def _template(columns: list[str]) -> tuple[list, dict[str, int]]:
    """A row of model defaults in the table's column order, and each column's position.

    Columns other engineers add later are filled from their model default (or NULL), so the
    generator keeps working as the schema grows.
    """
    model = Base.metadata.tables["incidents"]
    row, where = [], {}
    for i, name in enumerate(columns):
        col = model.columns.get(name)
        default = col.default.arg if col is not None and col.default is not None and col.default.is_scalar else None
        if isinstance(default, bool):
            default = int(default)
        row.append(default)
        where[name] = i
    return row, where


def _rows(columns: list[str], total: int, open_count: int, seed: int) -> Iterator[tuple[list, tuple | None]]:
    """(incident row in `columns` order, created event or None); open incidents spread evenly over ids.

    Times are naive-UTC text (see _ts); booleans are 0/1 — both load as is into SQLite and, with
    the session time zone set to UTC, through PostgreSQL COPY.
    """
    rng = random.Random(seed)
    template, at = _template(columns)
    every = max(1, total // max(1, open_count)) if open_count else 0
    opened = 0
    span = 2 * 365 * 24 * 3600
    prio = {(i, u): derive_priority(i, u) for i in LEVELS for u in LEVELS}
    # Wall-clock lengths: a target in business days (domain.sla.BusinessDays) counts as that many days here.
    def wall(span):
        return span if isinstance(span, timedelta) else timedelta(days=span.days)

    targets = {p: (wall(DEFAULT_TARGETS[p].response), wall(DEFAULT_TARGETS[p].resolution)) for p in DEFAULT_TARGETS}
    day = timedelta(days=1)
    names = ("id", "key", "type", "title", "impact", "urgency", "priority", "severity", "status", "is_open",
             "reporter", "assignee", "group_id", "tier", "source", "created_at", "updated_at", "updated_by",
             "acknowledged_at", "resolved_at", "closed_at", "response_due_at", "resolution_due_at", "sla_due_at",
             "hold_reason", "resolution_code", "resolution_notes", "event_count", "last_event_hash", "description",
             "symptoms", "impacted", "steps_to_reproduce", "device_user", "recent_changes", "ci", "category")
    assets = random.Random(seed + 1)   # CI and category from their own stream: every other value stays as it was
    missing = [n for n in names if n not in at]
    if missing:
        raise RuntimeError(f"incidents has no column(s) {missing}; update tests/bench/datagen.py")
    idx = [at[n] for n in names]
    for name, pos in at.items():
        col = Base.metadata.tables["incidents"].columns.get(name)
        if template[pos] is None and col is not None and not col.nullable and name not in names:
            raise RuntimeError(f"datagen has no value for the NOT NULL column incidents.{name}; teach _rows about it")
    rand, choice = rng.random, rng.choice
    for number in range(1, total + 1):
        is_open = bool(every) and number % every == 0 and opened < open_count
        opened += is_open
        impact, urgency = choice(LEVELS), choice(LEVELS)
        priority = prio[impact, urgency]
        created = NOW_NAIVE - timedelta(seconds=int(60 + rand() * 72 * 3600) if is_open else int(3600 + rand() * span))
        response, resolution = targets[priority]
        response_due, resolution_due = created + response, created + resolution
        status = choice(OPEN) if is_open else choice(DONE)
        acked = None if status == "new" else created + timedelta(seconds=int(60 + rand() * 1800))
        resolved = created + timedelta(seconds=int(3600 + rand() * 47 * 3600)) if status in ("resolved", "closed") else None
        group_id = int(rand() * len(GROUPS)) + 1
        title = f"{choice(TITLES)} #{number}"
        reporter = choice(PEOPLE)
        event = None
        if is_open:
            fields = {"seq": 1, "at": created.replace(tzinfo=UTC), "actor": reporter, "real_actor": reporter, "kind": "created",
                      "before": None, "after": {"priority": f"P{priority}"}, "text": title}
            digest = event_hash(GENESIS, fields)
            event = (number, 1, _ts(created), reporter, reporter, "created", None, '{"priority": "P%d"}' % priority,
                     title, GENESIS, digest)
        values = (
            number, f"INC-{number:06d}", "incident", title, impact, urgency, priority, f"SEV{priority}", status,
            int(is_open), reporter, None if status == "new" else choice(PEOPLE), group_id, GROUPS[group_id - 1][1],
            "manual", _ts(created), _ts(resolved or acked or created), "bench", _ts(acked), _ts(resolved),
            _ts(resolved + day) if status == "closed" else None, _ts(response_due), _ts(resolution_due),
            _ts(resolution_due if acked else response_due), "waiting for user" if status == "on_hold" else None,
            "workaround" if resolved else None, "restarted the service" if resolved else None,
            1 if event else 0, event[10] if event else None, "", "", "", "", "", "",
            f"ci-{int(assets.random() * 5000):04d}", CATEGORIES[int(assets.random() * len(CATEGORIES))],
        )
        row = template.copy()
        for pos, value in zip(idx, values):
            row[pos] = value
        yield row, event


def schema_tag() -> str:
    """The head revision and a digest of every migration and of this generator: a cached database is
    reused only when it was built by exactly these (a branch with the same head name but another
    chain, or other generated columns, builds its own)."""
    import hashlib

    import incidentdesk.store.migrations as migrations

    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted((Path(migrations.__file__).parent / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    return f"{head_revision()}-{digest.hexdigest()[:8]}"


def sqlite_cache_path(total: int, open_count: int, seed: int) -> Path:
    return CACHE / f"incidents-{total}-{open_count}-{seed}-{schema_tag()}.db"


def _directory_rows():
    now = _ts(NOW)
    groups = [(i, name, tier, None, "") for i, (name, tier) in enumerate(GROUPS, 1)]
    users = [(i, login, login, "responder", now) for i, login in enumerate(PEOPLE, 1)]
    return groups, users


def _build_sqlite(target: Path, total: int, open_count: int, seed: int, verbose: bool) -> None:
    tmp = target.with_name(target.name + ".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    db = open_database(f"sqlite:///{tmp}")
    ensure_schema(db.engine)
    db.dispose()
    started = time.perf_counter()
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name IN "
                           "('incidents', 'timeline_events') AND sql IS NOT NULL").fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    groups, users = _directory_rows()
    columns = [r[1] for r in conn.execute("PRAGMA table_info(incidents)")]
    ev_cols = EVENT_COLUMNS
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO groups (id, name, tier, manager, description) VALUES (?,?,?,?,?)", groups)
    conn.executemany("INSERT INTO users (id, login, name, role, created_at) VALUES (?,?,?,?,?)", users)
    inc_sql = f"INSERT INTO incidents ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    ev_sql = f"INSERT INTO timeline_events ({', '.join(ev_cols)}) VALUES ({', '.join('?' * len(ev_cols))})"
    batch, events = [], []
    for row, event in _rows(columns, total, open_count, seed):
        batch.append(row)
        if event:
            events.append(event)
        if len(batch) >= 50_000:
            conn.executemany(inc_sql, batch)
            conn.executemany(ev_sql, events)
            batch, events = [], []
            if verbose:
                print(f"  sqlite: {row[0]:,} rows", file=sys.stderr, end="\r")
    conn.executemany(inc_sql, batch)
    conn.executemany(ev_sql, events)
    conn.execute("COMMIT")
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    os.chmod(tmp, 0o600)
    tmp.rename(target)
    if verbose:
        print(f"  sqlite: built {total:,} incidents in {time.perf_counter() - started:.1f} s -> {target}", file=sys.stderr)


def make_sqlite(path: str | Path | None = None, total: int = 1_000_000, open_count: int = 100_000, seed: int = 1,
                verbose: bool = True) -> Path:
    """A migrated SQLite file with `total` incidents (`open_count` open). Built once, then cached.

    With `path`, the cached file is copied there (so a benchmark may write to it); without,
    the cached file itself is returned — treat it as read-only.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = sqlite_cache_path(total, open_count, seed)
    if not cached.exists():
        _build_sqlite(cached, total, open_count, seed, verbose)
    if path is None:
        return cached
    path = Path(path)
    for extra in ("", "-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    shutil.copyfile(cached, path)
    os.chmod(path, 0o600)
    return path


def make_postgres(server_url: str, total: int = 1_000_000, open_count: int = 100_000, seed: int = 1,
                  verbose: bool = True) -> str:
    """A migrated PostgreSQL database with the same rows, loaded with COPY; reused when complete."""
    import psycopg
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"incidentdesk_bench_{total}_{open_count}_{seed}_{schema_tag()}".lower().replace("-", "_")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
    if exists:
        db = open_database(url)
        try:
            with db.engine.connect() as conn:
                done = conn.execute(text("SELECT obj_description('incidents'::regclass)")).scalar()
            if done == f"bench:{total}:{open_count}:{seed}:complete":
                admin.dispose()
                return url
        except Exception:
            pass
        finally:
            db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    db = open_database(url)
    ensure_schema(db.engine)
    db.dispose()
    started = time.perf_counter()
    pg = make_url(url)
    dsn = f"host={pg.host or 'localhost'} port={pg.port or 5432} dbname={name} user={pg.username or 'postgres'}"
    if pg.password:
        dsn += f" password={pg.password}"
    with psycopg.connect(dsn, autocommit=False) as conn:
        cur = conn.cursor()
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('incidents', 'timeline_events') "
                    "AND indexname NOT LIKE 'pk_%' AND indexname NOT LIKE 'uq_%'")
        indexes = cur.fetchall()
        for index_name, _ in indexes:
            cur.execute(f'DROP INDEX "{index_name}"')
        groups, users = _directory_rows()
        cur.executemany("INSERT INTO groups (id, name, tier, manager, description) VALUES (%s,%s,%s,%s,%s)", groups)
        cur.executemany("INSERT INTO users (id, login, name, role, created_at) VALUES (%s,%s,%s,%s,%s)",
                        [(i, lo, n, r, NOW) for i, lo, n, r, _ in users])
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'incidents' "
                    "ORDER BY ordinal_position")
        columns = [r[0] for r in cur.fetchall()]
        cur.execute("SET TIME ZONE 'UTC'")  # the generator's times are naive UTC text
        events = []
        with cur.copy(f"COPY incidents ({', '.join(columns)}) FROM STDIN") as copy:
            for row, event in _rows(columns, total, open_count, seed):
                copy.write_row(row)
                if event:
                    events.append(event)
        with cur.copy(f"COPY timeline_events ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for row in events:
                copy.write_row(row)
        for seq_table in ("incidents", "groups", "users"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{seq_table}', 'id'), (SELECT max(id) FROM {seq_table}))")
        for _, indexdef in indexes:
            cur.execute(indexdef)
        cur.execute(f"COMMENT ON TABLE incidents IS 'bench:{total}:{open_count}:{seed}:complete'")
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE incidents")
        conn.execute("VACUUM ANALYZE timeline_events")
    if verbose:
        print(f"  postgres: built {total:,} incidents in {time.perf_counter() - started:.1f} s -> {name}",
              file=sys.stderr)
    return url


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="build (or find cached) benchmark databases")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=None)
    parser.add_argument("--pg", default=None, help="PostgreSQL server URL (also build there)")
    args = parser.parse_args()
    open_count = args.open if args.open is not None else args.rows // 10
    print(make_sqlite(total=args.rows, open_count=open_count))
    if args.pg:
        print(make_postgres(args.pg, total=args.rows, open_count=open_count))
