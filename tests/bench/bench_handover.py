"""The shift handover's draft at scale: `store.handover.draft` beside the same reads in hand-written SQL.

    python tests/bench/bench_handover.py [--n 200000] [--open 20000] [--rounds 5] [--pg URL]

The database is tests/bench/datagen.py's (cached): N incidents, OPEN of them open, no sweeper run
(so many open incidents have an SLA change due: the draft's SLA candidates are many). The figure
is the median time to build the whole draft (seven lists, the SLA states derived in Python as the
console derives them); the baseline, measured in the same run and interleaved, is the same seven
statements as plain SQL text fetched with the driver (no ORM, no state derivation). No target is
set by the issue; the figure says what a `handover` costs on a big desk.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import text  # noqa: E402

from incidentdesk.store.engine import open_database  # noqa: E402
from incidentdesk.domain.handover import NEW_WITHOUT_HANDOVER  # noqa: E402
from incidentdesk.store.handover import CAP, SLA_CANDIDATES, draft  # noqa: E402
from tests.bench.datagen import make_postgres, make_sqlite  # noqa: E402

LIMIT = CAP + 1
BARE = [
    "SELECT key, priority, title, next_update_due, commander FROM incidents WHERE is_open AND is_major "
    f"ORDER BY next_update_due, id LIMIT {LIMIT}",
    "SELECT key, priority, title, acknowledged_at, resolved_at, response_due_at, resolution_due_at, "
    "response_sla_state, resolution_sla_state, sla_paused_at, next_sla_check_at FROM incidents WHERE is_open AND "
    "(response_sla_state IN ('at_risk', 'breached') OR resolution_sla_state IN ('at_risk', 'breached') "
    f"OR next_sla_check_at <= :now) ORDER BY sla_due_at, id LIMIT {SLA_CANDIDATES}",
    "SELECT i.key, i.priority, i.title, i.created_at, g.name, i.status FROM incidents i LEFT JOIN groups g "
    f"ON g.id = i.group_id WHERE i.is_open AND i.assignee IS NULL ORDER BY i.created_at, i.id LIMIT {LIMIT}",
    "SELECT key, priority, title, created_at, status, assignee FROM incidents WHERE created_at > :since "
    f"ORDER BY created_at, id LIMIT {LIMIT}",
    "SELECT i.key, i.priority, i.title, e.at, e.kind, e.to_group, e.to_tier, e.to_person FROM incidents i "
    "JOIN (SELECT incident_id, max(id) AS last_id FROM escalations GROUP BY incident_id) l ON l.incident_id = i.id "
    "JOIN escalations e ON e.id = l.last_id WHERE i.is_open AND (e.kind = 'hierarchical' OR "
    f"(e.kind = 'functional' AND i.assignee IS NULL)) ORDER BY e.at, i.id LIMIT {LIMIT}",
    "SELECT key, priority, title, sla_paused_at, updated_at, hold_reason, vendor, vendor_ticket, vendor_status, "
    "vendor_url FROM incidents WHERE status = 'on_hold' AND (lower(hold_reason) = 'waiting for vendor' OR "
    f"lower(hold_reason) LIKE 'waiting for vendor:%') ORDER BY updated_at, id LIMIT {LIMIT}",
    "SELECT max(published_at) FROM handovers",
]


def _bare(db, now: datetime, since: datetime) -> int:
    sqlite = db.engine.dialect.name == "sqlite"
    params = {"now": now.replace(tzinfo=None).isoformat(sep=" ") if sqlite else now,
              "since": since.replace(tzinfo=None).isoformat(sep=" ") if sqlite else since}
    rows = 0
    with db.engine.connect() as conn:
        for sql in BARE:
            used = {k: v for k, v in params.items() if f":{k}" in sql}
            rows += len(conn.execute(text(sql), used).all())
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="incidents in the database")
    parser.add_argument("--open", type=int, default=20_000, help="of which open")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server URL (a cached bench database on it)")
    args = parser.parse_args()
    url = make_postgres(args.pg, args.n, args.open) if args.pg else f"sqlite:///{make_sqlite(None, args.n, args.open)}"
    db = open_database(url)
    now = datetime.now(UTC)
    try:
        content, _ = draft(db, now)            # warm caches (both paths read the same pages)
        _bare(db, now, content.since or now - NEW_WITHOUT_HANDOVER)
        ours, bare = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            content, _ = draft(db, now)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            _bare(db, now, content.since or now - NEW_WITHOUT_HANDOVER)
            bare.append(time.perf_counter() - start)
    finally:
        db.dispose()
    backend = "postgresql" if args.pg else "sqlite"
    sizes = ", ".join(f"{name} {len(content.items(name))}" for name in content.sections)
    print(f"handover draft, {backend}, {args.n:,} incidents ({args.open:,} open): {sizes}")
    a, b = statistics.median(ours), statistics.median(bare)
    print(f"  draft (store.handover.draft): median {a * 1000:.1f} ms")
    print(f"  bare SQL, same statements:    median {b * 1000:.1f} ms")
    print(f"  ratio: {a / b:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
