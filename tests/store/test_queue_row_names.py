"""The queue row is declared once (store/rows.QueueRow) and read by name on every path.

An incident whose impact, urgency and every other field differ is read through each reader
the console and the CLI use — the SQLAlchemy queue queries, the console's plain-sqlite3 first
page, the CLI's plain-sqlite3 `list`, and `list --json` — so exchanging two columns (impact and
urgency, say) in the query, in the fast-path SQL or in a row builder fails here.
"""

from __future__ import annotations

import contextlib
import io
import json

import msgspec

import pytest

from incidentdesk.cli import main
from incidentdesk.domain.enums import Role
from incidentdesk.services import directory
from incidentdesk.services import incidents as svc
from incidentdesk.store import fastpath, plainsql, queries
from incidentdesk.store.rows import QUEUE_ROW_FIELDS, QueueFilter, QueueRow, queue_rows


@pytest.fixture
def odd_one(db, make_ctx):
    admin = make_ctx("adm", Role.ADMIN)
    directory.add_group(admin, "Network", tier=2)
    ann = make_ctx("ann", Role.RESPONDER, groups=("Network",))
    key = svc.log_incident(ann, svc.Intake(title="impact is not urgency", impact="high", urgency="low",
                                           group="Network", category="Network > VPN"))
    svc.assign(ann, key, user="ann")
    return key


def _check(row: QueueRow, key: str) -> None:
    assert (row.key, row.impact, row.urgency) == (key, "high", "low")
    assert (row.group, row.assignee, row.tier, row.type) == ("Network", "ann", 2, "incident")
    assert row.category == "Network > VPN" and row.is_open is True and row.is_major is False
    assert row.response_due_at < row.resolution_due_at and row.created_at <= row.updated_at


def test_every_reader_builds_the_row_by_name(db, odd_one):
    key = odd_one
    flt = QueueFilter()
    readers = {
        "queue_page": queries.queue_page(db, flt).rows,
        "queue_page after a cursor": None,
        "queue_last_page": queries.queue_last_page(db, flt).rows,
        "rows_for_ids": queries.rows_for_ids(db, [int(key.split("-")[1])]),
    }
    first = readers["queue_page"]
    readers["queue_page after a cursor"] = [first[0]] + queries.queue_page(
        db, flt, after=first[0].cursor(flt.sort)).rows if first else []
    if db.backend == "sqlite":
        path = fastpath.sqlite_file(db.url)
        readers["console first page (plain sqlite3)"] = fastpath.first_page(path)[0].rows
        conn = fastpath.connect(path)
        try:
            readers["CLI list (plain sqlite3)"] = plainsql.queue_page(conn, flt, 100).rows
        finally:
            conn.close()
    for name, rows in readers.items():
        mine = [r for r in rows if r.key == key]
        assert len(mine) == 1, name
        _check(mine[0], key)


def test_list_json_reports_impact_and_urgency_as_stored(db, odd_one, monkeypatch, tmp_path):
    monkeypatch.setenv("INCIDENTDESK_CONFIG", str(tmp_path / "none.toml"))
    url = db.url if db.backend == "sqlite" else db.engine.url.render_as_string(hide_password=False)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", url, "list", "--json"]) == 0
    [record] = [r for r in json.loads(out.getvalue()) if r["key"] == odd_one]
    assert (record["impact"], record["urgency"], record["group"], record["tier"]) == ("high", "low", "Network", 2)


def test_the_row_fields_are_one_declaration():
    assert QUEUE_ROW_FIELDS == tuple(f.name for f in msgspec.structs.fields(QueueRow))
    assert tuple(queries._ROW_SOURCES) == QUEUE_ROW_FIELDS
    labels = [c.key for c in queries._ROW_COLUMNS]
    assert labels == list(QUEUE_ROW_FIELDS)


def test_rows_follow_the_labels_not_the_column_order(db, odd_one):
    rows = queries.rows_for_ids(db, [int(odd_one.split("-")[1])])
    raw = [tuple(getattr(rows[0], name) for name in QUEUE_ROW_FIELDS)]
    shuffled = list(reversed(QUEUE_ROW_FIELDS))
    assert queue_rows(shuffled, [tuple(reversed(raw[0]))]) == rows
    with pytest.raises(ValueError, match="exactly the columns"):
        queue_rows(QUEUE_ROW_FIELDS[:-1], [raw[0][:-1]])
