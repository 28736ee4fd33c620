"""The console's first page on SQLite without SQLAlchemy: read-only, plain sqlite3, start-up only.

Importing SQLAlchemy and mapping the models costs about half a second, more than everything
else the console does before its first page is on screen. On a SQLite file whose schema is
current, start-up needs only three reads: the schema revision, the actor's role and groups,
and the first page of the default queue. This module does exactly those; everything after
the first page (counts, details, actions, the change feed) goes through SQLAlchemy as usual,
opened in the background once the page is shown.

Nothing here decides anything: the page's SQL is the one store/queries builds, compiled once
and held to it by tests/store/test_fastpath.py; its columns are labelled with QueueRow's field
names and rows are built by those names, with the same UTC parsing as store/types.UTCDateTime.
Any doubt (another URL shape, a missing file, another schema revision, any error) means "no fast
path", and the caller takes the normal one. (`list` and `show` read the same way: store/plainsql.)
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from incidentdesk.domain.enums import Role
from incidentdesk.domain.roles import Actor
from incidentdesk.store.recurring_sql import recurring_sql
from incidentdesk.store.rows import Page, QueueFilter, QueueRow, queue_rows_from_sqlite

# The queue row's columns, each labelled with its QueueRow field (store/rows.QUEUE_ROW_FIELDS), and
# the join: the same text store/queries compiles, so rows are built by name on both paths. The
# recurring flag's text depends on [problems] (store/recurring_sql.py): row_select_sql writes it.
def row_select_sql(recurring_count: int = 3, recurring_days: int = 7, by_category: bool = True) -> str:
    """The queue row's SELECT ... FROM, its recurring flag for these [problems] settings."""
    return ROW_SELECT_HEAD + recurring_sql("sqlite", recurring_count, recurring_days, by_category) + ROW_SELECT_TAIL


ROW_SELECT_HEAD = (
    'SELECT incidents.id AS id, incidents."key" AS "key", incidents.type AS type, incidents.priority AS priority, '
    "incidents.impact AS impact, incidents.urgency AS urgency, incidents.severity AS severity, "
    "incidents.status AS status, incidents.title AS title, incidents.assignee AS assignee, "
    'groups.name AS "group", incidents.tier AS tier, incidents.created_at AS created_at, '
    "incidents.updated_at AS updated_at, incidents.acknowledged_at AS acknowledged_at, "
    "incidents.response_due_at AS response_due_at, incidents.resolution_due_at AS resolution_due_at, "
    "incidents.sla_due_at AS sla_due_at, incidents.version AS version, "
    "incidents.response_sla_state AS response_sla_state, incidents.resolution_sla_state AS resolution_sla_state, "
    "incidents.sla_paused_at AS sla_paused_at, incidents.next_sla_check_at AS next_sla_check_at, "
    "incidents.is_open AS is_open, incidents.is_major AS is_major, incidents.category AS category, "
    "incidents.next_update_due AS next_update_due, "
)
ROW_SELECT_TAIL = (
    " AS recurring, (SELECT count(*) AS count_1 \nFROM incidents AS folded \n"
    "WHERE folded.parent_id = incidents.id AND folded.is_open IS 1) AS folded, incidents.parent_id AS parent_id \n"
    "FROM incidents LEFT OUTER JOIN groups ON incidents.group_id = groups.id"
)
ROW_SELECT_SQL = row_select_sql()

# queries._page_statement(QueueFilter(), "first", PAGE_SIZE) compiled for SQLite with literal binds.
FIRST_PAGE_FILTER = QueueFilter()
FIRST_PAGE_LIMIT = 100
FIRST_PAGE_SQL = (
    ROW_SELECT_SQL + " \n"
    "WHERE incidents.is_open IS 1 AND incidents.parent_id IS NULL "
    "ORDER BY incidents.priority ASC, incidents.sla_due_at ASC, incidents.id ASC\n"
    " LIMIT 101 OFFSET 0"
)
_PLAIN_URL = re.compile(r"sqlite(\+pysqlite)?:///(?P<path>[^?#%~]+)")
BUSY_TIMEOUT_S = 10.0


def sqlite_file(url: str) -> Path | None:
    """The existing, non-empty database file a plain `sqlite:///path` URL names; else None."""
    m = _PLAIN_URL.fullmatch(url)
    if m is None:
        return None
    database = m.group("path")
    if database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database)
    try:
        return path if path.is_file() and path.stat().st_size > 0 else None
    except OSError:
        return None


def connect(path: Path) -> sqlite3.Connection:
    """A connection that never creates the file; transactions are explicit (BEGIN ... ROLLBACK)."""
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S,
                           isolation_level=None, check_same_thread=False)
    return conn


def schema_revision(conn: sqlite3.Connection) -> str | None:
    """The single revision alembic_version records, or None (no table, none, or several)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone() is None:
        return None
    versions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version").fetchall()]
    return versions[0] if len(versions) == 1 else None


def load_actor(conn: sqlite3.Connection, login: str, real_login: str | None = None) -> Actor:
    """As services.context.load_actor: role and groups from the users table; unknown logins are responders."""
    user = conn.execute("SELECT id, login, role FROM users WHERE login = ?", (login,)).fetchone()
    if user is None:
        return Actor(login=login, role=Role.RESPONDER, real_login=real_login or login, known=False)
    groups = conn.execute(
        "SELECT groups.name FROM groups JOIN group_members ON group_members.group_id = groups.id "
        "WHERE group_members.user_id = ?", (user[0],)).fetchall()
    return Actor(login=user[1], role=Role(user[2]), real_login=real_login or login,
                 groups=frozenset(g[0] for g in groups))


def queue_rows(cursor: sqlite3.Cursor) -> list[QueueRow]:
    """The rows of an executed queue statement, built by the names its columns are labelled with."""
    return queue_rows_from_sqlite([d[0] for d in cursor.description], cursor.fetchall())


def first_page(path: Path) -> tuple[Page, int]:
    """The default queue's first page, and the newest change_log id as of the same snapshot.

    The change feed starts from that id, so a change committed between this read and the
    moment the feed connects is still delivered.
    """
    conn = connect(path)
    try:
        return read_first_page(conn)
    finally:
        conn.close()


def read_first_page(conn: sqlite3.Connection) -> tuple[Page, int]:
    """first_page on an open connection (one read transaction)."""
    conn.execute("BEGIN")
    try:
        rows = queue_rows(conn.execute(FIRST_PAGE_SQL))
        last_change = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM change_log").fetchone()[0])
    finally:
        conn.execute("ROLLBACK")
    return Page(rows[:FIRST_PAGE_LIMIT], len(rows) > FIRST_PAGE_LIMIT), last_change
