"""Running a major incident, on SQLite and PostgreSQL: deputy and comms lead, handing command, the cadence."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incidentdesk.config import parse_config
from incidentdesk.services.pir import edit_review
from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import EditConflict, InvalidTransition, PermissionDenied, ValidationError
from incidentdesk.services import incidents as svc
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.major import declare_major, hand_command, set_major_roles, stand_down_major
from incidentdesk.store import queries
from incidentdesk.store.models import ChangeLog, TimelineEvent


def _log(ctx, **kw):
    fields = dict(title="Payments down", impact="high", urgency="high", group="Service Desk")
    fields.update(kw)
    return svc.log_incident(ctx, svc.Intake(**fields))


def _counts(db) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(TimelineEvent)),
                s.scalar(select(func.count()).select_from(ChangeLog)))


@pytest.fixture
def major(team, make_ctx):
    """INC-000001, P1/SEV1, assigned to ann, declared major by cap with mgr commanding."""
    team.dan = make_ctx("dan", Role.RESPONDER)
    team.cora = make_ctx("cora", Role.RESPONDER)
    key = _log(team.ann)
    svc.take(team.ann, key)
    declare_major(team.cap, key, reason="checkout down", commander="mgr", deputy="dan", comms_lead="cora")
    team.key = key
    return team


def test_declare_with_deputy_and_comms_lead(major, clock):
    d = queries.incident_detail(major.db, major.key)
    assert (d.commander, d.deputy, d.comms_lead, d.assignee) == ("mgr", "dan", "cora", "ann")
    assert d.next_update_due == clock.now + timedelta(minutes=30) and d.last_update_at is None
    ev = d.timeline[0]
    assert ev.after["deputy"] == "dan" and ev.after["comms_lead"] == "cora"
    json = d.to_json()
    assert (json["deputy"], json["comms_lead"]) == ("dan", "cora")


def test_declare_refuses_a_deputy_who_commands_and_unknown_people(team):
    key = _log(team.ann)
    before = _counts(team.db)
    with pytest.raises(ValidationError, match="the deputy is someone else") as err:
        declare_major(team.cap, key, reason="x", commander="mgr", deputy="mgr")
    assert err.value.field == "deputy"
    with pytest.raises(ValidationError, match="unknown person 'ghost'") as err:
        declare_major(team.cap, key, reason="x", commander="mgr", comms_lead="ghost")
    assert err.value.field == "comms_lead"
    assert _counts(team.db) == before
    assert queries.incident_detail(team.db, key).is_major is False


def test_hand_command_is_recorded_with_reason_and_both_commanders(major, clock):
    clock.advance(minutes=20)
    v = hand_command(major.mgr, major.key, commander="bob", reason="  end of shift \x1b[2J ")
    d = queries.incident_detail(major.db, major.key)
    assert (v, d.commander, d.deputy, d.is_major) == (d.version, "bob", "dan", True)
    ev = d.timeline[0]
    assert (ev.kind, ev.actor, ev.at, ev.text) == ("command_handed", "mgr", clock.now, "end of shift [2J")
    assert ev.before == {"commander": "mgr", "deputy": "dan"} and ev.after == {"commander": "bob", "deputy": "dan"}
    with major.db.read() as s:
        assert s.scalars(select(ChangeLog.kind).order_by(ChangeLog.id.desc())).first() == "command_handed"
    assert list(queries.verify_audit(major.db)) == []   # the audit replays the commander from the timeline


def test_hand_command_to_the_resolver_is_refused_and_writes_nothing(major):
    before = _counts(major.db)
    version = queries.incident_detail(major.db, major.key).version
    with pytest.raises(ValidationError, match="never doubles as the resolver") as err:
        hand_command(major.mgr, major.key, commander="ann", reason="ann knows it best")
    assert err.value.field == "commander"
    with pytest.raises(ValidationError, match="already commands"):
        hand_command(major.mgr, major.key, commander="mgr", reason="no-op")
    with pytest.raises(ValidationError, match="reason"):
        hand_command(major.mgr, major.key, commander="bob", reason="  ")
    assert _counts(major.db) == before
    d = queries.incident_detail(major.db, major.key)
    assert (d.commander, d.version) == ("mgr", version)


def test_the_deputy_takes_command_and_stops_being_deputy(major):
    hand_command(major.mgr, major.key, commander="dan", reason="mgr off sick")
    d = queries.incident_detail(major.db, major.key)
    assert (d.commander, d.deputy) == ("dan", None)
    assert d.timeline[0].after == {"commander": "dan", "deputy": None}
    # the new commander (a responder) may hand it on; the old one, now nobody here, may not... unless a manager
    hand_command(major.dan, major.key, commander="bob", reason="back to normal staffing")
    assert queries.incident_detail(major.db, major.key).commander == "bob"


def test_who_may_hand_command(major):
    with pytest.raises(PermissionDenied, match="ann \\(responder\\) may not hand command .*or to be its commander"):
        hand_command(major.ann, major.key, commander="bob", reason="mine now")
    with pytest.raises(PermissionDenied):   # a triage captain is not an incident manager
        hand_command(major.cap, major.key, commander="bob", reason="shift change")
    with pytest.raises(PermissionDenied):   # the deputy does not hand command away
        hand_command(major.dan, major.key, commander="bob", reason="shift change")


def test_hand_command_needs_a_major_incident_and_an_open_one(team):
    key = _log(team.ann)
    with pytest.raises(InvalidTransition, match="is not a major incident"):
        hand_command(team.mgr, key, commander="bob", reason="x")
    declare_major(team.cap, key, reason="x", commander="mgr")
    svc.resolve(team.mgr, key, code="workaround", notes="restarted")
    edit_review(team.mgr, key, summary="gateway restarted", causes=["expired certificate"])  # a major closes after its review
    svc.close(team.mgr, key)
    with pytest.raises(InvalidTransition, match="cannot hand command INC-000001: it is closed"):
        hand_command(team.mgr, key, commander="bob", reason="x")


def test_assigning_the_new_commander_is_refused(major):
    hand_command(major.mgr, major.key, commander="bob", reason="handover")
    with pytest.raises(ValidationError, match="bob is the commander"):
        svc.assign(major.cap, major.key, user="bob")


def test_set_and_clear_roles(major):
    v = set_major_roles(major.mgr, major.key, deputy="bob")
    d = queries.incident_detail(major.db, major.key)
    assert (v, d.deputy, d.comms_lead) == (d.version, "bob", "cora")
    assert d.timeline[0].kind == "major_roles" and d.timeline[0].text == "deputy: dan → bob"
    set_major_roles(major.mgr, major.key, comms_lead="cora", clear_comms_lead=True)   # the dialog shows the current one
    d = queries.incident_detail(major.db, major.key)
    assert (d.deputy, d.comms_lead) == ("bob", None)
    assert d.timeline[0].before == {"deputy": "bob", "comms_lead": "cora"}
    assert d.timeline[0].after == {"deputy": "bob", "comms_lead": None}
    before = _counts(major.db)
    with pytest.raises(ValidationError, match="nothing to change"):
        set_major_roles(major.mgr, major.key, deputy="bob")
    with pytest.raises(ValidationError, match="not both"):
        set_major_roles(major.mgr, major.key, deputy="dan", clear_deputy=True)
    with pytest.raises(ValidationError, match="deputy is someone else"):
        set_major_roles(major.mgr, major.key, deputy="mgr")
    with pytest.raises(PermissionDenied):
        set_major_roles(major.cap, major.key, deputy="dan")
    with pytest.raises(ValidationError, match="name a deputy or a communications lead"):
        set_major_roles(major.mgr, major.key)
    assert _counts(major.db) == before


def test_roles_edit_conflict(major):
    v = queries.incident_detail(major.db, major.key).version
    svc.comment(major.ann, major.key, "working on it")
    with pytest.raises(EditConflict):
        set_major_roles(major.mgr, major.key, deputy="bob", expected_version=v)
    with pytest.raises(EditConflict):
        hand_command(major.mgr, major.key, commander="bob", reason="x", expected_version=v)


def test_stand_down_clears_every_role_and_the_cadence(major):
    stand_down_major(major.mgr, major.key, reason="contained")
    d = queries.incident_detail(major.db, major.key)
    assert (d.commander, d.deputy, d.comms_lead, d.next_update_due, d.last_update_at) == (None,) * 5
    assert d.timeline[0].before["deputy"] == "dan" and d.timeline[0].before["comms_lead"] == "cora"


def _with_config(ctx: ServiceContext, config) -> ServiceContext:
    return replace(ctx, config=config)


def test_cadence_by_severity_and_configurable(team, clock):
    sev2 = _log(team.ann, severity="SEV2")
    declare_major(team.cap, sev2, reason="x", commander="mgr")
    assert queries.incident_detail(team.db, sev2).next_update_due == clock.now + timedelta(minutes=60)
    sev3 = _log(team.ann, severity="SEV3")
    declare_major(team.cap, sev3, reason="x", commander="mgr")   # not listed: the slowest listed
    assert queries.incident_detail(team.db, sev3).next_update_due == clock.now + timedelta(minutes=60)

    fast = parse_config({"major": {"cadence": {"SEV1": 15, "sev3": 240}}})
    sev1 = _log(team.ann)
    declare_major(_with_config(team.cap, fast), sev1, reason="x", commander="mgr")
    assert queries.incident_detail(team.db, sev1).next_update_due == clock.now + timedelta(minutes=15)
    other = _log(team.ann, severity="SEV3")
    declare_major(_with_config(team.cap, fast), other, reason="x", commander="mgr")
    assert queries.incident_detail(team.db, other).next_update_due == clock.now + timedelta(minutes=240)


def test_a_higher_severity_brings_the_next_update_forward_never_back(team, clock):
    key = _log(team.ann, impact="medium", urgency="high", severity="SEV2")
    declared = clock.now
    declare_major(team.cap, key, reason="x", commander="mgr")
    assert queries.incident_detail(team.db, key).next_update_due == declared + timedelta(minutes=60)
    clock.advance(minutes=10)
    svc.reprioritise(team.cap, key, severity="SEV1", reason="all EU customers now")
    assert queries.incident_detail(team.db, key).next_update_due == declared + timedelta(minutes=30)
    svc.reprioritise(team.cap, key, severity="SEV2", reason="contained to one region")
    assert queries.incident_detail(team.db, key).next_update_due == declared + timedelta(minutes=30)
