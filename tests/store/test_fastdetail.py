"""The console's first screen without SQLAlchemy (store/fastdetail): the same detail as the normal path."""

from __future__ import annotations

import json

import pytest

from incidentdesk.config import Config
from incidentdesk.ingest.parsers import parse_body
from incidentdesk.ingest.server import receiver_context
from incidentdesk.ingest.settings import settings_from_config
from incidentdesk.runtime import open_runtime
from incidentdesk.services.alerts import apply_batch
from incidentdesk.store import fastdetail, fastpath, queries
from tests.support.payloads import am_alert, am_payload
from tests.support.clock import Clock
from tests.support.desk import build, open_db


@pytest.fixture
def desk(tmp_path):
    path = tmp_path / "desk.db"
    db = open_db(path)
    keys = build(db, Clock(), extra=120, long_timeline=True, major=True)
    config = Config()
    settings = settings_from_config(config)
    alerts = [am_alert("fp-1", alertname="DiskFull", severity="critical"), am_alert("fp-2", alertname="[b]x[/b]")]
    outcome = apply_batch(receiver_context(db, config, settings),
                          parse_body("alertmanager", json.dumps(am_payload(alerts)).encode()), settings.policy)
    keys["alerted"] = outcome["created"][0]
    yield path, db, keys
    db.dispose()


def test_every_incidents_detail_is_the_one_incident_detail_reads(desk):
    path, db, keys = desk
    conn = fastpath.connect(path)
    try:
        ids = [r.id for r in queries.queue_page(db, queries.QueueFilter(open_only=False), limit=500).rows]
        assert len(ids) > 120
        seen = {"escalations": 0, "alerts": 0, "json": 0, "major": 0}
        for incident_id in ids:
            got = fastdetail.read_detail(conn, incident_id, timeline_limit=500)
            want = queries.incident_detail(db, got.key, timeline_limit=500)
            assert got == want
            # same types too (an aware datetime, a bool, a dict), not only equal values
            for name in want.__struct_fields__:
                assert type(getattr(got, name)) is type(getattr(want, name)), name
            for g, w in zip(got.timeline, want.timeline):
                assert [type(getattr(g, n)) for n in g.__struct_fields__] == [type(getattr(w, n)) for n in w.__struct_fields__]
            seen["escalations"] += bool(got.escalations)
            seen["alerts"] += bool(got.alerts)
            seen["json"] += any(e.after for e in got.timeline)
            seen["major"] += got.is_major
        assert all(seen.values()), seen  # the comparison covered every kind of value
    finally:
        conn.close()


def test_the_timeline_limit_keeps_the_newest_events(desk):
    path, db, keys = desk
    conn = fastpath.connect(path)
    try:
        number = int(keys["vpn"].split("-")[1])
        got = fastdetail.read_detail(conn, number, timeline_limit=2)
        assert got == queries.incident_detail(db, keys["vpn"], timeline_limit=2) and len(got.timeline) == 2
        assert fastdetail.read_detail(conn, 10**9) is None
    finally:
        conn.close()


def test_the_first_screen_is_one_snapshot_and_taken_once(desk):
    path, db, _ = desk
    runtime = open_runtime(f"sqlite:///{path}", "ines", config=Config(allow_acting_as=True))
    try:
        assert not runtime.is_open
        page, detail = runtime.early_first_screen(queries.QueueFilter())
        expected = queries.queue_page(db, queries.QueueFilter())
        assert page == expected
        assert detail == queries.incident_detail(db, expected.rows[0].key, timeline_limit=500)
        assert runtime.early_first_screen(queries.QueueFilter()) is None  # once only
        assert runtime.feed_since and not runtime.is_open
    finally:
        runtime.db.dispose()
