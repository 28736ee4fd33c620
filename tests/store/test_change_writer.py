"""store/changefeed.record_change is the one writer of change-log rows and NOTIFY, on both backends."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from incidentdesk.domain.enums import Role
from incidentdesk.domain.keys import parse_key
from incidentdesk.services import incidents as svc
from incidentdesk.store import changefeed
from incidentdesk.store.changefeed import Changes, ChangeFeed, capture, record_change
from incidentdesk.store.engine import open_database
from incidentdesk.store.models import ChangeLog

PACKAGE = Path(__file__).resolve().parents[2] / "incidentdesk"


def _other_console(db):
    return open_database(db.url if db.backend == "sqlite" else db.engine.url.render_as_string(hide_password=False))


def _collect(feed: ChangeFeed, want: set[int], limit: float = 3.0) -> Changes:
    total = Changes()
    end = time.monotonic() + limit
    while time.monotonic() < end and not want <= total.incident_ids:
        got = feed.wait(0.3)
        for iid in got.incident_ids:
            for cid in got.change_ids.get(iid, ()):
                total.add(iid, cid)
            if iid in got.unnamed:
                total.add(iid, None)
    return total


def test_no_other_module_writes_the_change_log_or_notifies():
    writers = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "changefeed.py" or "migrations" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"ChangeLog\(\s*incident_id|ChangeLog\.__table__|pg_notify|INTO change_log", text):
            writers.append(str(path.relative_to(PACKAGE)))
    assert writers == []


def test_a_bulk_change_reaches_the_feed_in_payloads_under_the_limit(db):
    ids = list(range(1, 2501))  # more than two notifications' worth on PostgreSQL
    other = _other_console(db)
    feed = ChangeFeed(other)
    try:
        feed.wait(0.1)
        at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
        with db.write() as s:
            record_change(s, ids + ids[:10], "sla", at)  # repeated ids are recorded once
        seen = _collect(feed, set(ids))
        assert seen.incident_ids == set(ids)
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.kind == "sla")) == len(ids)
            assert s.scalar(select(func.min(ChangeLog.at))) == at
        payloads = changefeed.notify_payloads(ids)
        assert len(payloads) >= 2 and all(len(p.encode()) < 8000 for p in payloads)
    finally:
        feed.close()
        other.dispose()


def test_a_rolled_back_change_is_neither_logged_nor_heard(db):
    other = _other_console(db)
    feed = ChangeFeed(other)
    try:
        feed.wait(0.1)
        try:
            with db.write() as s:
                record_change(s, [7], "comment", datetime.now(UTC))
                raise RuntimeError("the use case failed after recording")
        except RuntimeError:
            pass
        assert not _collect(feed, {7}, limit=0.8)
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.incident_id == 7)) == 0
    finally:
        feed.close()
        other.dispose()


def test_the_feed_names_the_change_a_console_captured_as_its_own(db, make_ctx):
    ann = make_ctx("ann", Role.RESPONDER)
    key = svc.log_incident(ann, svc.Intake(title="mine", impact="low", urgency="low"))
    number = parse_key(key)
    other = _other_console(db)
    feed = ChangeFeed(other)
    try:
        feed.wait(0.1)
        with capture() as mine:
            svc.comment(ann, key, "from this console")
        assert len(mine) == 1 and mine[0][0] == number
        seen = _collect(feed, {number})
        assert seen.only_these(number, {mine[0][1]}), "the echo of my own change is recognised"
        svc.comment(ann, key, "from somewhere else (not captured)")
        later = _collect(feed, {number})
        assert not later.only_these(number, {mine[0][1]}), "someone else's change is not mistaken for mine"
    finally:
        feed.close()
        other.dispose()


def test_payloads_parse_names_and_bare_ids():
    changes = Changes()
    changefeed._read_payload("12,c345", changes)
    changefeed._read_payload("13,14,x,,15", changes)
    assert changes.incident_ids == {12, 13, 14, 15}
    assert changes.change_ids == {12: {345}} and changes.unnamed == {13, 14, 15}
    assert changes.only_these(12, {345}) and not changes.only_these(13, {345})
    assert changefeed._payload_ids("12,c345") == [12]  # a reader of bare ids still finds the incident
