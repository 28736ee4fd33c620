"""The SLA clock through the services and the sweeper, on a real SQLite file and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from incidentdesk.config import parse_config
from incidentdesk.domain.enums import Role
from incidentdesk.services import incidents as svc
from incidentdesk.services import sla
from incidentdesk.store import queries
from incidentdesk.store.models import Escalation, Incident, TimelineEvent
from tests.support.store import due_count

M = timedelta(minutes=1)
H = timedelta(hours=1)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def ctx(make_ctx):
    config = parse_config({"sla": {"escalation": [{"on": "response_breached", "priority": [1], "kind": "hierarchical"}]}})
    c = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",), config_override=config)
    return c


def _log(ctx, impact="high", urgency="high", **kw):
    return svc.log_incident(ctx, svc.Intake(title="Checkout down", impact=impact, urgency=urgency, group="Ops", **kw))


def _inc(db, key) -> Incident:
    with db.read() as s:
        return s.scalar(select(Incident).where(Incident.key == key))


def _sla_events(db, key):
    with db.read() as s:
        inc = s.scalar(select(Incident).where(Incident.key == key))
        return [(e.after or {}).get("target", "") + ":" + (e.after or {}).get("state", e.text)
                for e in s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == inc.id,
                                                               TimelineEvent.kind == "sla").order_by(TimelineEvent.seq))]


def _escalations(db, key):
    with db.read() as s:
        inc = s.scalar(select(Incident).where(Incident.key == key))
        return s.scalars(select(Escalation).where(Escalation.incident_id == inc.id)).all()


def test_p1_goes_at_risk_then_breached_once_and_escalates(db, ctx, clock):
    key = _log(ctx)
    inc = _inc(db, key)
    assert inc.next_sla_check_at == clock.now + timedelta(minutes=11, seconds=15)
    assert sla.sweep(ctx).changes == []
    clock.advance(minutes=12)
    assert sla.sweep(ctx).changes == [(key, "response_at_risk")]
    version = _inc(db, key).version
    clock.advance(minutes=4)
    result = sla.sweep(ctx)
    assert result.changes == [(key, "response_breached")]
    assert result.escalations == [(key, "incident managers")]
    assert sla.sweep(ctx).changes == []
    clock.advance(hours=1)
    assert sla.sweep(ctx).changes == []
    inc = _inc(db, key)
    assert (inc.response_sla_state, inc.response_breached_at) == ("breached", utc(2026, 11, 23, 9, 15))
    assert inc.next_sla_check_at == utc(2026, 11, 23, 12, 0)   # resolution at risk at 75% of 4 h
    assert _sla_events(db, key) == ["response:at_risk", "response:breached"]
    (esc,) = _escalations(db, key)
    assert esc.automatic and esc.kind == "hierarchical" and esc.actor == "sla"
    assert inc.version == version + 1   # the automatic escalation is a real change; the SLA marks are not
    assert list(queries.verify_audit(db)) == []


def test_a_sweep_does_not_bump_the_version(db, ctx, clock):
    key = _log(ctx, urgency="medium")   # P2: no escalation rule
    version = _inc(db, key).version
    clock.advance(minutes=25)
    assert sla.sweep(ctx).changes == [(key, "response_at_risk")]
    assert _inc(db, key).version == version
    # Someone who loaded the incident before the sweep can still act on what they saw.
    svc.acknowledge(ctx, key, expected_version=version)
    assert _inc(db, key).response_sla_state == "met"


def test_ack_before_the_sweep_means_no_escalation(db, ctx, clock):
    early, late = _log(ctx), _log(ctx)
    clock.advance(minutes=10)
    svc.acknowledge(ctx, early)
    clock.advance(minutes=10)          # past the 15-minute response target, no sweep yet
    svc.acknowledge(ctx, late)
    result = sla.sweep(ctx)
    assert result.escalations == [] and result.changes == []
    assert _escalations(db, early) == [] and _escalations(db, late) == []
    # The late acknowledgement records the breach itself, in its own timeline event, once.
    detail = queries.incident_detail(db, late)
    ack = next(e for e in detail.timeline if e.kind == "acknowledged")
    assert ack.after["response_sla"] == "breached"
    inc = _inc(db, late)
    assert (inc.response_sla_state, inc.response_breached_at) == ("breached", utc(2026, 11, 23, 9, 15))
    assert _inc(db, early).response_sla_state == "met"
    assert _sla_events(db, late) == []


def test_pausing_hold_stops_the_clock_and_resume_moves_the_deadline(db, ctx, clock):
    key = _log(ctx, urgency="medium")  # P2, 24x7: resolution 8 h -> 17:00
    svc.acknowledge(ctx, key)
    clock.advance(hours=1)
    svc.hold(ctx, key, reason="Waiting for user: asked for the logs")
    inc = _inc(db, key)
    assert inc.sla_paused_at == clock.now and inc.next_sla_check_at is None
    clock.advance(hours=20)
    assert sla.sweep(ctx).changes == []
    svc.resume(ctx, key)
    inc = _inc(db, key)
    assert inc.sla_paused_at is None and inc.sla_paused_seconds == 20 * 3600
    assert inc.resolution_due_at == utc(2026, 11, 24, 13, 0) == inc.sla_due_at
    assert inc.next_sla_check_at == utc(2026, 11, 24, 11, 0)   # 6 h of 8 elapsed


def test_non_pausing_hold_keeps_the_clock_running(db, ctx, clock):
    key = _log(ctx, urgency="medium")
    svc.acknowledge(ctx, key)
    svc.hold(ctx, key, reason="waiting for change window")
    inc = _inc(db, key)
    assert inc.sla_paused_at is None and inc.next_sla_check_at == utc(2026, 11, 23, 15, 0)
    clock.advance(hours=9)
    assert sla.sweep(ctx).changes == [(key, "resolution_at_risk"), (key, "resolution_breached")]


def test_business_hours_pause_spanning_a_night(db, ctx, clock):
    key = _log(ctx, impact="medium", urgency="medium")   # P3: 4 h / 3 business days, Mon-Fri 09-17 UTC
    inc = _inc(db, key)
    assert (inc.response_due_at, inc.resolution_due_at) == (utc(2026, 11, 23, 13, 0), utc(2026, 11, 25, 17, 0))
    svc.acknowledge(ctx, key)
    clock.now = utc(2026, 11, 23, 16, 0)
    svc.hold(ctx, key, reason="waiting for vendor")
    clock.now = utc(2026, 11, 24, 10, 0)
    svc.resume(ctx, key)
    inc = _inc(db, key)
    assert inc.sla_paused_seconds == 2 * 3600                 # Mon 16-17 and Tue 09-10
    assert inc.resolution_due_at == utc(2026, 11, 26, 11, 0)   # Wed 17:00 + 2 working hours


def test_resolve_meets_or_breaches_and_reopen_restarts(db, ctx, clock):
    key = _log(ctx, urgency="medium")   # P2: 8 h
    svc.acknowledge(ctx, key)
    clock.advance(hours=2)
    svc.resolve(ctx, key, code="workaround", notes="restarted")
    inc = _inc(db, key)
    assert (inc.resolution_sla_state, inc.next_sla_check_at) == ("met", None)
    clock.advance(hours=3)
    svc.reopen(ctx, key, reason="back again")
    inc = _inc(db, key)
    assert inc.resolution_sla_state == "on_track"
    assert inc.resolution_due_at == utc(2026, 11, 23, 20, 0)   # the 3 h resolved do not count
    clock.advance(hours=10)
    svc.resolve(ctx, key, code="permanent_fix", notes="patched")   # late, never swept
    inc = _inc(db, key)
    assert (inc.resolution_sla_state, inc.resolution_breached_at) == ("breached", utc(2026, 11, 23, 20, 0))
    ev = [e for e in queries.incident_detail(db, key).timeline if e.kind == "resolved"]
    assert [e.after.get("resolution_sla") for e in ev] == ["breached", "met"]


def test_cancel_and_close_leave_nothing_to_check(db, ctx, clock):
    key = _log(ctx)
    svc.cancel(ctx, key, reason="duplicate")
    assert _inc(db, key).next_sla_check_at is None
    clock.advance(days=2)
    assert sla.sweep(ctx).examined == 0


def test_a_failing_escalation_rule_is_recorded_not_fatal(db, make_ctx, clock):
    config = parse_config({"sla": {"escalation": [
        {"on": "response_breached", "kind": "functional", "to_group": "Nobody"}]}})
    ctx = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",), config_override=config)
    key = _log(ctx)
    clock.advance(minutes=30)
    result = sla.sweep(ctx)
    assert result.changes == [(key, "response_at_risk"), (key, "response_breached")] and len(result.failures) == 1
    assert _inc(db, key).response_sla_state == "breached"
    assert list(queries.verify_audit(db)) == []


def test_functional_rule_hands_over_to_the_group(db, make_ctx, clock):
    config = parse_config({"sla": {"escalation": [
        {"on": "resolution_at_risk", "priority": [2], "kind": "functional", "to_group": "Tier 2"}]}})
    ctx = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",), config_override=config)
    make_ctx("second-line", groups=("Tier 2",))
    key = _log(ctx, urgency="medium")
    svc.acknowledge(ctx, key)
    clock.advance(hours=7)
    result = sla.sweep(ctx)
    assert result.changes == [(key, "resolution_at_risk")] and result.escalations == [(key, "Tier 2")]
    assert queries.incident_detail(db, key).group == "Tier 2"


def test_sweep_reads_only_what_is_due(db, ctx, clock):
    keys = [_log(ctx, impact="low", urgency="low") for _ in range(5)] + [_log(ctx)]
    clock.advance(minutes=12)
    assert due_count(ctx) == 1
    result = sla.sweep(ctx, batch_size=1)
    assert result.examined == 1 and result.changes == [(keys[-1], "response_at_risk")]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "sla")) == 1
