"""Major incidents on SQLite and PostgreSQL: declare / stand down, the commander who is never the resolver."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incidentdesk.domain.errors import EditConflict, InvalidTransition, PermissionDenied, ValidationError
from incidentdesk.services import incidents as svc
from incidentdesk.services.major import declare_major, stand_down_major
from incidentdesk.store import queries
from incidentdesk.store.models import ChangeLog, TimelineEvent
from tests.support.store import rows_for_keys


def _log(ctx, **kw):
    fields = dict(title="Payments down", impact="high", urgency="high", group="Service Desk")
    fields.update(kw)
    return svc.log_incident(ctx, svc.Intake(**fields))


def _detail(db, key):
    return queries.incident_detail(db, key)


def _counts(db) -> tuple[int, int]:
    """(timeline events, change-log rows): a refused call adds neither."""
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(TimelineEvent)),
                s.scalar(select(func.count()).select_from(ChangeLog)))


def test_declare_and_stand_down(team, clock):
    key = _log(team.ann)
    svc.take(team.ann, key)
    clock.advance(minutes=5)
    declared_at = clock.now
    v = declare_major(team.cap, key, reason="  EU checkout down \x1b[31m", commander="mgr")
    d = _detail(team.db, key)
    assert v == d.version == 3
    assert (d.is_major, d.commander, d.major_declared_at, d.assignee) == (True, "mgr", declared_at, "ann")
    ev = d.timeline[0]
    assert (ev.kind, ev.actor, ev.seq, ev.at, ev.text) == ("major_declared", "cap", 3, declared_at, "EU checkout down [31m")
    assert ev.before == {"is_major": False, "commander": None, "assignee": "ann"}  # unchanged: no change shown
    assert ev.after == {"is_major": True, "commander": "mgr", "assignee": "ann",   # SEV1: first update in 30 min
                        "next_update_due": (declared_at + timedelta(minutes=30)).isoformat()}
    [row] = rows_for_keys(team.db, [key])
    assert row.is_major is True
    with team.db.read() as s:
        assert s.scalars(select(ChangeLog.kind).order_by(ChangeLog.id.desc())).first() == "major_declared"
    json = d.to_json()
    assert (json["is_major"], json["commander"], json["major_declared_at"]) == (True, "mgr", declared_at.isoformat())

    clock.advance(minutes=40)
    v = stand_down_major(team.mgr, key, reason="contained; one region only", expected_version=v)
    d = _detail(team.db, key)
    assert v == d.version == 4
    assert (d.is_major, d.commander, d.major_declared_at) == (False, None, None)
    ev = d.timeline[0]
    assert (ev.kind, ev.actor, ev.at, ev.text) == ("major_stood_down", "mgr", clock.now, "contained; one region only")
    assert ev.before == {"is_major": True, "commander": "mgr", "declared_at": declared_at.isoformat()}
    assert ev.after == {"is_major": False, "commander": None}
    assert rows_for_keys(team.db, [key])[0].is_major is False
    assert list(queries.verify_audit(team.db)) == []
    # stood down, it may be declared again (and the commander may now be assigned)
    svc.assign(team.cap, key, user="mgr")
    declare_major(team.cap, key, reason="back with a vengeance", commander="cap")
    assert _detail(team.db, key).commander == "cap"


def test_commander_defaults_to_the_actor(team):
    key = _log(team.ann)
    declare_major(team.mgr, key, reason="all customers")
    assert _detail(team.db, key).commander == "mgr"


def test_responder_may_not_declare_and_captain_may_not_stand_down(team):
    key = _log(team.ann)
    before = _counts(team.db)
    with pytest.raises(PermissionDenied, match=r"ann \(responder\) may not declare INC-000001 a major incident: "
                                               r"it needs the triage captain role or higher"):
        declare_major(team.ann, key, reason="big", commander="mgr")
    assert _counts(team.db) == before and _detail(team.db, key).is_major is False
    declare_major(team.cap, key, reason="big", commander="mgr")
    before = _counts(team.db)
    with pytest.raises(PermissionDenied, match=r"cap \(triage captain\) may not stand down major incident INC-000001: "
                                               r"it needs the incident manager role or higher"):
        stand_down_major(team.cap, key, reason="small after all")
    with pytest.raises(PermissionDenied):
        stand_down_major(team.ann, key, reason="small after all")
    assert _counts(team.db) == before and _detail(team.db, key).is_major is True


def test_commander_may_not_be_the_assignee(team):
    key = _log(team.ann)
    svc.take(team.ann, key)
    before = _counts(team.db)
    with pytest.raises(ValidationError, match="ann is assigned INC-000001, and the commander coordinates and never "
                                              "doubles as the resolver: name another commander or reassign") as info:
        declare_major(team.cap, key, reason="big", commander="ann")
    assert info.value.field == "commander"
    svc.assign(team.cap, key, user="cap")
    with pytest.raises(ValidationError, match="cap is assigned") as info:  # the default commander: the actor
        declare_major(team.cap, key, reason="big")
    assert info.value.field == "commander"
    with pytest.raises(ValidationError, match="unknown person 'ghost'") as info:
        declare_major(team.cap, key, reason="big", commander="ghost")
    assert info.value.field == "commander"
    with pytest.raises(ValidationError, match="a reason for declaring") as info:
        declare_major(team.cap, key, reason="  ", commander="mgr")
    assert info.value.field == "reason"
    d = _detail(team.db, key)
    assert (d.is_major, d.commander, d.major_declared_at) == (False, None, None)
    assert _counts(team.db)[0] == before[0] + 1  # only the reassignment to cap


def test_the_commander_may_not_be_made_the_assignee(team):
    key = _log(team.ann)
    svc.take(team.bob, key)
    declare_major(team.cap, key, reason="big", commander="mgr")
    before = _counts(team.db)
    version = _detail(team.db, key).version
    with pytest.raises(ValidationError, match="mgr is the commander of major incident INC-000001, and the commander "
                                              "coordinates and never doubles as the resolver: assign someone else") as info:
        svc.assign(team.cap, key, user="mgr")
    assert info.value.field == "assignee"
    with pytest.raises(ValidationError, match="mgr is the commander") as info:
        svc.take(team.mgr, key)
    assert info.value.field == "assignee"
    with pytest.raises(ValidationError, match="mgr is the commander"):  # a group move does not slip it through
        svc.assign(team.cap, key, user="mgr", group="Platform SRE")
    d = _detail(team.db, key)
    assert (d.assignee, d.group, d.version) == ("bob", "Service Desk", version) and _counts(team.db) == before
    svc.assign(team.cap, key, user="ann")  # anyone else is fine
    assert _detail(team.db, key).assignee == "ann"


def test_commander_acknowledging_does_not_take_the_incident(team):
    key = _log(team.ann)
    declare_major(team.cap, key, reason="big", commander="mgr")
    svc.acknowledge(team.mgr, key, comment="bridge open")
    d = _detail(team.db, key)
    assert (d.status, d.assignee, d.commander) == ("acknowledged", None, "mgr")
    other = _log(team.ann)
    svc.acknowledge(team.mgr, other)  # not a major incident: acknowledging takes it, as before
    assert _detail(team.db, other).assignee == "mgr"


def test_only_open_incidents_and_not_twice(team):
    key = _log(team.ann)
    declare_major(team.cap, key, reason="big", commander="mgr")
    before = _counts(team.db)
    with pytest.raises(InvalidTransition, match=r"INC-000001 is already a major incident \(commander mgr, declared "
                                                r"2026-11-23 09:00 UTC\); nothing to declare"):
        declare_major(team.mgr, key, reason="again", commander="cap")
    assert _counts(team.db) == before and _detail(team.db, key).commander == "mgr"

    plain = _log(team.ann)
    with pytest.raises(InvalidTransition, match="INC-000002 is not a major incident; nothing to stand down"):
        stand_down_major(team.mgr, plain, reason="x")
    svc.resolve(team.ann, plain, code="workaround", notes="restarted")
    with pytest.raises(InvalidTransition, match="cannot declare major INC-000002: it is resolved; from here you can"):
        declare_major(team.cap, plain, reason="late", commander="mgr")
    svc.close(team.ann, plain)
    with pytest.raises(InvalidTransition, match="cannot declare major INC-000002: it is closed"):
        declare_major(team.cap, plain, reason="late", commander="mgr")
    assert _detail(team.db, plain).is_major is False

    # resolving a major incident keeps it major (its review needs that); standing down is for open ones
    svc.resolve(team.ann, key, code="permanent_fix", notes="rolled back")
    d = _detail(team.db, key)
    assert (d.is_major, d.commander) == (True, "mgr")
    with pytest.raises(InvalidTransition, match="cannot stand down INC-000001: it is resolved"):
        stand_down_major(team.mgr, key, reason="over")


def test_stale_version_is_an_edit_conflict_and_writes_nothing(team, clock):
    key = _log(team.ann)
    seen = _detail(team.db, key).version
    clock.advance(minutes=2)
    svc.take(team.ann, key)
    before = _counts(team.db)
    with pytest.raises(EditConflict, match="INC-000001 was changed by ann at 2026-11-23 09:02:00 UTC; nothing was saved"):
        declare_major(team.cap, key, reason="big", commander="mgr", expected_version=seen)
    d = _detail(team.db, key)
    assert (d.is_major, d.commander, d.version) == (False, None, seen + 1) and _counts(team.db) == before
    v = declare_major(team.cap, key, reason="big", commander="mgr", expected_version=seen + 1)
    svc.comment(team.ann, key, "working on it")
    before = _counts(team.db)
    with pytest.raises(EditConflict, match="was changed by ann"):
        stand_down_major(team.mgr, key, reason="over", expected_version=v)
    d = _detail(team.db, key)
    assert (d.is_major, d.commander) == (True, "mgr") and _counts(team.db) == before
    stand_down_major(team.mgr, key, reason="over", expected_version=v + 1)
    assert _detail(team.db, key).is_major is False


def test_major_queue_filter_pages(team, clock):
    """Open majors only, in (priority, SLA due, id) order, paged forwards, backwards and to the end."""
    keys = []
    for i, (impact, urgency) in enumerate([("high", "high"), ("low", "low"), ("high", "medium"), ("medium", "low"),
                                           ("high", "high"), ("medium", "medium"), ("low", "high"), ("high", "low")]):
        keys.append(_log(team.ann, title=f"incident {i}", impact=impact, urgency=urgency))
        clock.advance(minutes=3)
    majors = keys[:6]
    for key in majors:
        declare_major(team.cap, key, reason="big", commander="mgr")
    svc.resolve(team.ann, majors[1], code="workaround", notes="x")  # still major, no longer open
    svc.start_work(team.ann, majors[2])  # its SLA due moves to the resolution target
    open_majors = [k for k in majors if k != majors[1]]

    expected = sorted((r for r in rows_for_keys(team.db, open_majors)),
                      key=lambda r: (r.priority, r.sla_due_at, r.id))
    flt = queries.QueueFilter(major=True)
    assert queries.queue_count(team.db, flt) == 5
    got, cursor, pages = [], None, []
    while True:
        page = queries.queue_page(team.db, flt, after=cursor, limit=2)
        pages.append(([r.key for r in page.rows], page.has_more))
        got += page.rows
        if not page.has_more:
            break
        cursor = page.rows[-1].cursor()
    want = [r.key for r in expected]
    assert [r.key for r in got] == want
    assert pages == [(want[0:2], True), (want[2:4], True), (want[4:5], False)]
    assert all(r.is_major and r.is_open for r in got)
    back = queries.queue_page(team.db, flt, before=got[4].cursor(), limit=2)
    assert ([r.key for r in back.rows], back.has_more) == (want[2:4], True)
    last = queries.queue_last_page(team.db, flt, limit=2)
    assert [r.key for r in last.rows] == want[3:5]
    everything = queries.queue_page(team.db, queries.QueueFilter(major=True, open_only=False, sort="newest"))
    assert sorted(r.key for r in everything.rows) == sorted(majors)
    plain = queries.queue_page(team.db, queries.QueueFilter())
    assert len(plain.rows) == 7 and {r.key for r in plain.rows if not r.is_major} == set(keys[6:])
    assert queries.queue_page(team.db, queries.QueueFilter(major=True, priority=4)).rows == [
        r for r in got if r.priority == 4]
