"""On-call services (services/oncall.py) on both backends: rotations, members, overrides, swaps,
permissions, the directory trail and `audit verify`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from incidentdesk.services import oncall as svc
from incidentdesk.store import oncall as reads
from incidentdesk.store import queries

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the test clock's start


@pytest.fixture
def desk(make_ctx):
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, groups=("SRE",))
    ann = make_ctx("ann", Role.RESPONDER, groups=("SRE",))
    bob = make_ctx("bob", Role.RESPONDER, groups=("SRE",))
    cid = make_ctx("cid", Role.RESPONDER, groups=("SRE",))
    svc.set_rotation(cap, "SRE", cadence="weekly", handoff_day="monday", handoff_time="09:00", time_zone="UTC",
                     start="2026-11-23", members=("ann", "bob", "cid"))
    return cap, ann, bob, cid


def test_rotation_is_created_read_back_and_changed(db, desk):
    cap, ann, *_ = desk
    r = reads.rotation(db, "SRE")
    assert r.members == ("ann", "bob", "cid") and r.start == date(2026, 11, 23) and r.zone == "UTC"
    assert r.on_call(MONDAY) == "ann" and r.on_call(MONDAY + timedelta(days=7)) == "bob"
    svc.set_rotation(cap, "SRE", cadence="daily", handoff_time="08:30", time_zone="Europe/Berlin")
    r = reads.rotation(db, "SRE")
    assert (str(r.cadence), r.handoff_time.strftime("%H:%M"), r.zone, r.members) == (
        "daily", "08:30", "Europe/Berlin", ("ann", "bob", "cid"))
    svc.set_members(cap, "SRE", members=("cid", "ann"))
    assert reads.rotation(db, "SRE").members == ("cid", "ann")
    with pytest.raises(ValidationError, match="nothing to change"):
        svc.set_rotation(cap, "SRE", cadence="daily")


def test_bad_input_is_refused_and_nothing_is_written(db, desk):
    cap, *_ = desk
    before = reads.rotation(db, "SRE")
    for kwargs, match in (
        (dict(time_zone="Mars/Olympus"), "IANA"), (dict(handoff_time="9am"), "HH:MM"),
        (dict(handoff_day="someday"), "weekday"), (dict(start="23/11/2026"), "YYYY-MM-DD"),
        (dict(members=("ann", "ghost")), "unknown person 'ghost'"), (dict(cadence="hourly"), "cadence"),
    ):
        with pytest.raises(ValidationError, match=match):
            svc.set_rotation(cap, "SRE", **kwargs)
    assert reads.rotation(db, "SRE") == before
    with pytest.raises(NotFound, match="no group"):
        svc.set_rotation(cap, "Nope", members=("ann",))
    with pytest.raises(ValidationError, match="after its start"):
        svc.add_override(cap, "SRE", person="bob", start=MONDAY, end=MONDAY)
    with pytest.raises(ValidationError, match="unknown person"):
        svc.add_override(cap, "SRE", person="ghost", start=MONDAY, end=MONDAY + timedelta(hours=1))
    assert reads.overrides(db, "SRE") == []


def test_only_captains_and_up_manage_rotations(db, desk):
    cap, ann, *_ = desk
    with pytest.raises(PermissionDenied, match="triage captain"):
        svc.set_rotation(ann, "SRE", time_zone="Europe/Berlin")
    with pytest.raises(PermissionDenied):
        svc.set_members(ann, "SRE", members=("ann",))
    with pytest.raises(PermissionDenied):
        svc.add_override(ann, "SRE", person="ann", start=MONDAY, end=MONDAY + timedelta(hours=2))
    assert reads.rotation(db, "SRE").zone == "UTC"


def test_override_covers_and_removal_restores(db, desk, clock):
    cap, ann, bob, _ = desk
    number = svc.add_override(cap, "SRE", person="bob", start=MONDAY + timedelta(hours=2),
                              end=MONDAY + timedelta(hours=5), reason="ann at the dentist")
    r = reads.rotation(db, "SRE")
    assert r.on_call(MONDAY + timedelta(hours=3)) == "bob" and r.on_call(MONDAY + timedelta(hours=5)) == "ann"
    [view] = reads.overrides(db, "SRE")
    assert (str(view.id), view.person, view.created_by, view.reason) == (number, "bob", "cap", "ann at the dentist")
    with pytest.raises(PermissionDenied, match="may not remove"):
        svc.remove_override(ann, "SRE", number=int(number))
    svc.remove_override(cap, "SRE", number=int(number))
    assert reads.rotation(db, "SRE").on_call(MONDAY + timedelta(hours=3)) == "ann"
    [removed] = reads.overrides(db, "SRE", include_removed=True)
    assert removed.removed_by == "cap"
    with pytest.raises(ValidationError, match="removed already"):
        svc.remove_override(cap, "SRE", number=int(number))
    with pytest.raises(NotFound, match="no override #999"):
        svc.remove_override(cap, "SRE", number=999)


def test_member_swaps_own_shift_and_may_undo_it(db, desk):
    cap, ann, bob, cid = desk
    first = svc.swap(ann, "SRE", shift=MONDAY + timedelta(days=1), with_person="bob", reason="take my Tuesday")
    r = reads.rotation(db, "SRE")
    assert r.on_call(MONDAY + timedelta(days=1)) == "bob"
    assert r.on_call(MONDAY + timedelta(days=8)) == "ann"
    a, b = reads.overrides(db, "SRE")
    assert (a.kind, a.pair_id, b.pair_id) == ("swap", b.id, a.id) and str(a.id) == first
    with pytest.raises(PermissionDenied, match="other people's shifts"):
        svc.swap(cid, "SRE", shift=MONDAY + timedelta(days=14), with_person="ann", person="bob")
    with pytest.raises(PermissionDenied, match="other people's shifts"):  # nor take one without its member
        svc.swap(bob, "SRE", shift=MONDAY + timedelta(days=14), with_person="bob", person="cid")
    with pytest.raises(ValidationError, match="cid's, not ann's"):
        svc.swap(ann, "SRE", shift=MONDAY + timedelta(days=14), with_person="bob")
    svc.remove_override(ann, "SRE", number=b.id)  # the pair goes together
    assert reads.overrides(db, "SRE") == []
    assert reads.rotation(db, "SRE").on_call(MONDAY + timedelta(days=1)) == "ann"
    svc.swap(cap, "SRE", shift=MONDAY + timedelta(days=14), with_person="ann", person="cid")  # a captain may
    assert reads.rotation(db, "SRE").on_call(MONDAY + timedelta(days=14)) == "ann"


def test_changes_are_in_the_directory_trail_and_audit_verify_holds_them(db, desk):
    cap, ann, *_ = desk
    svc.swap(ann, "SRE", shift=MONDAY, with_person="bob")
    number = svc.add_override(cap, "SRE", person="cid", start=MONDAY, end=MONDAY + timedelta(hours=1))
    svc.remove_override(cap, "SRE", number=int(number))
    assert list(queries.verify_audit(db)) == []
    with db.write() as s:
        s.execute(text("UPDATE oncall_members SET login = 'cap' WHERE position = 0"))
        s.execute(text("UPDATE oncall_overrides SET person = 'cap' WHERE id = :n"), {"n": int(number)})
    problems = [p.problem for p in queries.verify_audit(db)]
    assert any("rotation 'SRE'" in p and "changed outside" in p for p in problems), problems
    assert any(f"oncall_override '{number}'" in p for p in problems), problems
    with db.read() as s:
        kinds = [k for (k,) in s.execute(text("SELECT kind FROM directory_events WHERE subject_type IN "
                                              "('rotation', 'oncall_override') ORDER BY seq"))]
    assert kinds == ["rotation_added", "swap_added", "swap_paired", "swap_added", "override_added",
                     "override_removed"]


def test_rotations_for_a_member_and_on_call_now(db, desk, make_ctx):
    cap, *_ = desk
    make_ctx("dee", Role.RESPONDER, groups=("Desk",))
    svc.set_rotation(cap, "Desk", members=("dee",))
    assert [r.group for r in reads.rotations(db)] == ["Desk", "SRE"]
    assert [r.group for r in reads.rotations(db, member="ann")] == ["SRE"]
    with db.read() as s:
        assert reads.on_call_now(s, "SRE", MONDAY + timedelta(days=7)) == "bob"
        assert reads.on_call_now(s, "Nope", MONDAY) is None
    with pytest.raises(NotFound, match="no on-call rotation"):
        make_ctx("eve", Role.RESPONDER, groups=("Empty",))
        reads.rotation(db, "Empty")
