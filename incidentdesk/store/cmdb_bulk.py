"""Bulk writes of CIs and their dependency edges for imports (services/cmdb_import.py): the driver's executemany.

A 100,000-row import spends most of its time building parameters if every row goes through
SQLAlchemy's per-row bind processing; here each statement is compiled once and the rows go to
the driver's own executemany as tuples, with the one timestamp converted once for the dialect
(store/types.UTCDateTime). Runs on the caller's connection, inside its transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from incidentdesk.store.types import UTCDateTime

CI_VALUES = ("type", "service", "owner", "location", "criticality", "description")


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _stamp(conn: Connection, when: datetime):
    return UTCDateTime().process_bind_param(when, conn.dialect)


def insert_cis(conn: Connection, rows: list[dict], when: datetime, who: str) -> None:
    if not rows:
        return
    m, stamp = _mark(conn), _stamp(conn, when)
    columns = ("name", *CI_VALUES, "updated_at", "updated_by")
    conn.exec_driver_sql(f"INSERT INTO cis ({', '.join(columns)}) VALUES ({', '.join([m] * len(columns))})",
                         [(r["name"], *(r[c] for c in CI_VALUES), stamp, who) for r in rows])


def update_cis(conn: Connection, rows: list[dict], when: datetime, who: str) -> None:
    """Rows with `id` and every value column: one UPDATE by primary key, executemany."""
    if not rows:
        return
    m, stamp = _mark(conn), _stamp(conn, when)
    sets = ", ".join(f"{c} = {m}" for c in (*CI_VALUES, "updated_at", "updated_by"))
    conn.exec_driver_sql(f"UPDATE cis SET {sets} WHERE id = {m}",
                         [(*(r[c] for c in CI_VALUES), stamp, who, r["id"]) for r in rows])


def insert_edges(conn: Connection, edges: list[tuple[int, int]]) -> None:
    if edges:
        m = _mark(conn)
        conn.exec_driver_sql(f"INSERT INTO ci_dependencies (ci_id, depends_on_id) VALUES ({m}, {m})", edges)
