"""SLA records that stay honest: reprioritisation (history of targets, from the change or the start),
the first response while on hold, and a late sweep that catches up. Real SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from incidentdesk.config import parse_config
from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import InvalidTransition
from incidentdesk.services import incidents as svc
from incidentdesk.services import sla
from incidentdesk.store import queries
from incidentdesk.store.models import Escalation, Incident, SlaTargetRecord, TimelineEvent

P1_BREACH_PAGES = {"on": "response_breached", "priority": [1], "kind": "hierarchical"}


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def _ctx(make_ctx, **sla_table):
    sla_table.setdefault("escalation", [P1_BREACH_PAGES])
    return make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",), config_override=parse_config({"sla": sla_table}))


def _log(ctx, impact="high", urgency="high"):
    return svc.log_incident(ctx, svc.Intake(title="Checkout down", impact=impact, urgency=urgency, group="Ops"))


def _inc(db, key) -> Incident:
    with db.read() as s:
        return s.scalar(select(Incident).where(Incident.key == key))


def _sla_events(db, key) -> list[tuple[str, str]]:
    """(target_state, text) of every SLA event, in order."""
    with db.read() as s:
        inc = s.scalar(select(Incident).where(Incident.key == key))
        events = s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == inc.id, TimelineEvent.kind == "sla")
                           .order_by(TimelineEvent.seq)).all()
        return [(f"{(e.after or {}).get('target')}_{(e.after or {}).get('state')}", e.text) for e in events]


def _history(db, key) -> list[tuple]:
    with db.read() as s:
        inc = s.scalar(select(Incident).where(Incident.key == key))
        rows = s.scalars(select(SlaTargetRecord).where(SlaTargetRecord.incident_id == inc.id)
                         .order_by(SlaTargetRecord.id)).all()
        return [(r.target, r.policy, r.state, r.due_at, r.breached_at, r.superseded_at) for r in rows]


def _escalations(db, key) -> int:
    with db.read() as s:
        inc = s.scalar(select(Incident).where(Incident.key == key))
        return len(s.scalars(select(Escalation).where(Escalation.incident_id == inc.id)).all())


# -- item 12: a breach once recorded stays recorded, and is never recorded or escalated twice --------

def test_lowering_keeps_the_breach_and_raising_back_from_the_start_neither_records_nor_escalates_it_again(
        db, make_ctx, clock):
    ctx = _ctx(make_ctx, reprioritise_from="start")
    key = _log(ctx)                                              # P1 at 09:00: response due 09:15
    clock.advance(minutes=12)
    assert [e for _, e in sla.sweep(ctx).changes] == ["response_at_risk"]
    clock.advance(minutes=4)
    assert [e for _, e in sla.sweep(ctx).changes] == ["response_breached"]
    assert _escalations(db, key) == 1
    clock.advance(minutes=4)                                     # 09:20: "only one user after all"
    svc.reprioritise(ctx, key, impact="medium", urgency="medium", reason="one user")
    inc = _inc(db, key)
    assert (inc.priority, inc.response_sla_state, inc.response_due_at) == (3, "on_track", utc(2026, 11, 23, 13, 0))
    # The P1 breach stays in the record: the replaced targets, with the state they had reached.
    assert _history(db, key) == [
        ("response", "P1", "breached", utc(2026, 11, 23, 9, 15), utc(2026, 11, 23, 9, 15), utc(2026, 11, 23, 9, 20)),
        ("resolution", "P1", "on_track", utc(2026, 11, 23, 13, 0), None, utc(2026, 11, 23, 9, 20)),
    ]
    ev = next(e for e in queries.incident_detail(db, key).timeline if e.kind == "reprioritised")
    assert ev.after["response_sla"] == "on_track" and "response P1 breached (due 2026-11-23 09:15 UTC)" in \
        ev.after["sla_superseded"]
    clock.advance(minutes=5)                                     # 09:25: raised back
    svc.reprioritise(ctx, key, impact="high", urgency="high", reason="it is everyone after all")
    inc = _inc(db, key)
    assert (inc.response_sla_state, inc.response_breached_at) == ("breached", utc(2026, 11, 23, 9, 15))
    clock.advance(minutes=5)
    assert sla.sweep(ctx).changes == []
    assert [state for state, _ in _sla_events(db, key)] == ["response_at_risk", "response_breached"]   # once each
    assert _escalations(db, key) == 1
    assert list(queries.verify_audit(db)) == []


def test_raising_back_from_the_change_is_a_new_target_whose_breach_is_recorded_but_does_not_page_again(
        db, make_ctx, clock):
    ctx = _ctx(make_ctx)                                         # default: reprioritise_from = "change"
    key = _log(ctx)
    clock.advance(minutes=12)
    sla.sweep(ctx)
    clock.advance(minutes=4)
    assert sla.sweep(ctx).escalations == [(key, "incident managers")]   # 09:16
    clock.advance(minutes=4)
    svc.reprioritise(ctx, key, impact="medium", urgency="medium", reason="one user")      # 09:20
    assert _inc(db, key).response_due_at == utc(2026, 11, 23, 13, 20)                     # P3: 4 h from the change
    clock.advance(minutes=5)
    svc.reprioritise(ctx, key, impact="high", urgency="high", reason="everyone")         # 09:25
    inc = _inc(db, key)
    assert (inc.response_sla_state, inc.response_due_at) == ("on_track", utc(2026, 11, 23, 9, 40))
    clock.now = utc(2026, 11, 23, 9, 41)
    result = sla.sweep(ctx)
    assert [e for _, e in result.changes] == ["response_at_risk", "response_breached"]  # the new target's own
    assert result.escalations == [] and result.repeats == [(key, "response_breached")]
    assert _escalations(db, key) == 1                            # the duty manager was paged at 09:15 already
    assert "already escalated for it at 2026-11-23 09:16 UTC" in _sla_events(db, key)[-1][1]
    assert [h[:3] for h in _history(db, key)] == [("response", "P1", "breached"), ("resolution", "P1", "on_track"),
                                                  ("response", "P3", "on_track"), ("resolution", "P3", "on_track")]
    assert list(queries.verify_audit(db)) == []


def test_a_breach_no_sweep_had_recorded_yet_is_recorded_by_the_reprioritisation_without_paging(db, make_ctx, clock):
    ctx = _ctx(make_ctx)
    key = _log(ctx)
    clock.advance(minutes=16)                                    # breached at 09:15, no sweep since
    svc.reprioritise(ctx, key, impact="medium", urgency="medium", reason="one user")
    assert [s for s, _ in _sla_events(db, key)] == ["response_at_risk", "response_breached"]
    assert _history(db, key)[0][:5] == ("response", "P1", "breached", utc(2026, 11, 23, 9, 15),
                                        utc(2026, 11, 23, 9, 15))
    clock.advance(hours=1)
    assert sla.sweep(ctx).changes == [] and _escalations(db, key) == 0
    kinds = [e.kind for e in reversed(queries.incident_detail(db, key).timeline)]
    assert kinds[-3:] == ["sla", "sla", "reprioritised"]         # the old target's last changes come first


def test_a_severity_only_change_keeps_the_running_targets(db, make_ctx, clock):
    ctx = _ctx(make_ctx)
    key = _log(ctx)
    clock.advance(minutes=5)
    svc.reprioritise(ctx, key, severity="SEV2", reason="less severe than feared")
    inc = _inc(db, key)
    assert (inc.priority, inc.response_due_at, inc.sla_started_at) == (1, utc(2026, 11, 23, 9, 15), inc.created_at)
    assert _history(db, key) == []


# -- item 13: from the change (default) or from the start --------------------------------------------

def test_raising_p3_to_p1_from_the_change_starts_the_new_targets_then(db, make_ctx, clock):
    ctx = _ctx(make_ctx)
    key = _log(ctx, impact="medium", urgency="medium")          # P3 at 09:00
    clock.advance(minutes=20)
    svc.reprioritise(ctx, key, impact="high", urgency="high", reason="whole site affected")   # 09:20
    inc = _inc(db, key)
    assert (inc.priority, inc.response_due_at, inc.resolution_due_at) == (
        1, utc(2026, 11, 23, 9, 35), utc(2026, 11, 23, 13, 20))
    assert inc.next_sla_check_at == utc(2026, 11, 23, 9, 31, 15)
    assert sla.sweep(ctx).changes == [] and _escalations(db, key) == 0     # no breach "at 09:15"
    clock.now = utc(2026, 11, 23, 9, 36)
    result = sla.sweep(ctx)
    assert [e for _, e in result.changes] == ["response_at_risk", "response_breached"] and len(result.escalations) == 1


def test_raising_p3_to_p1_from_the_start_records_the_earlier_breach_but_does_not_escalate(db, make_ctx, clock):
    ctx = _ctx(make_ctx, reprioritise_from="start")
    key = _log(ctx, impact="medium", urgency="medium")
    clock.advance(minutes=20)
    svc.reprioritise(ctx, key, impact="high", urgency="high", reason="whole site affected")
    inc = _inc(db, key)
    assert (inc.response_due_at, inc.resolution_due_at) == (utc(2026, 11, 23, 9, 15), utc(2026, 11, 23, 13, 0))
    assert (inc.response_sla_state, inc.response_breached_at) == ("breached", utc(2026, 11, 23, 9, 15))
    events = _sla_events(db, key)
    assert [s for s, _ in events] == ["response_at_risk", "response_breached"]
    assert events[1][1] == ("response target breached (P1, due 2026-11-23 09:15 UTC), recorded at the "
                            "reprioritisation")
    result = sla.sweep(ctx)
    assert result.changes == [] and result.escalations == [] and _escalations(db, key) == 0
    assert inc.next_sla_check_at == utc(2026, 11, 23, 12, 0)    # the resolution target runs on as usual
    assert list(queries.verify_audit(db)) == []


def test_reprioritise_onto_another_calendar_from_the_start_recounts_pauses(db, make_ctx, clock):
    ctx = _ctx(make_ctx, reprioritise_from="start")
    key = _log(ctx, urgency="medium")   # P2 24x7
    svc.acknowledge(ctx, key)
    clock.advance(hours=1)
    svc.hold(ctx, key, reason="waiting for user")      # Mon 10:00
    clock.advance(hours=24)
    svc.resume(ctx, key)                               # Tue 10:00: 24 h paused on 24x7
    assert _inc(db, key).sla_paused_seconds == 24 * 3600
    clock.advance(hours=1)
    svc.reprioritise(ctx, key, impact="medium", reason="workaround in place")   # P3, business hours
    inc = _inc(db, key)
    assert inc.sla_paused_seconds == 8 * 3600           # Mon 10-17 and Tue 09-10 on the business calendar
    assert inc.resolution_due_at == utc(2026, 11, 26, 17, 0)


def test_reprioritise_from_the_change_while_paused_starts_the_new_target_still_paused(db, make_ctx, clock):
    ctx = _ctx(make_ctx)
    key = _log(ctx, urgency="medium")   # P2
    svc.acknowledge(ctx, key)
    clock.advance(hours=1)
    svc.hold(ctx, key, reason="waiting for vendor")    # Mon 10:00, paused
    clock.advance(hours=2)
    svc.reprioritise(ctx, key, impact="medium", reason="workaround in place")   # Mon 12:00 -> P3
    inc = _inc(db, key)
    assert (inc.sla_started_at, inc.sla_paused_at, inc.sla_paused_seconds) == (clock.now, clock.now, 0.0)
    assert inc.resolution_due_at == utc(2026, 11, 26, 12, 0)    # 24 business hours from Mon 12:00
    clock.now = utc(2026, 11, 24, 12, 0)                        # Tue 12:00: 8 working hours later
    svc.resume(ctx, key)
    assert _inc(db, key).resolution_due_at == utc(2026, 11, 27, 12, 0)


# -- item 14: the first response is recorded when it happens ------------------------------------------

@pytest.mark.parametrize("reason", ["waiting for change window", "waiting for user"])
def test_a_hold_before_any_acknowledgement_is_the_first_response(db, make_ctx, clock, reason):
    ctx = _ctx(make_ctx)
    key = _log(ctx)
    clock.advance(minutes=1)
    svc.hold(ctx, key, reason=reason)                  # a responder acted at once
    inc = _inc(db, key)
    assert (inc.acknowledged_at, inc.response_sla_state) == (utc(2026, 11, 23, 9, 1), "met")
    clock.advance(hours=2)
    assert all(not e.startswith("response") for _, e in sla.sweep(ctx).changes)
    svc.resume(ctx, key)
    assert _inc(db, key).acknowledged_at == utc(2026, 11, 23, 9, 1)   # not the resume


def test_an_incident_held_unacknowledged_can_be_acknowledged_on_hold_once(db, make_ctx, clock):
    ctx = _ctx(make_ctx)
    key = _log(ctx)
    clock.advance(minutes=1)
    svc.hold(ctx, key, reason="waiting for user")
    with db.write() as s:   # as a hold recorded before holds counted as the first response left it
        s.execute(update(Incident).where(Incident.key == key).values(acknowledged_at=None, response_sla_state="on_track"))
    clock.advance(minutes=2)
    svc.acknowledge(ctx, key, comment="on it")
    inc = _inc(db, key)
    assert (inc.status, inc.acknowledged_at, inc.response_sla_state) == ("on_hold", clock.now, "met")
    with pytest.raises(InvalidTransition, match="acknowledged already; from here you can resume"):
        svc.acknowledge(ctx, key)


# -- item 16: a sweep that finds a target already past due -------------------------------------------

def test_a_late_sweep_fires_the_at_risk_rules_it_would_have_fired_on_time(db, make_ctx, clock):
    ctx = _ctx(make_ctx, escalation=[
        {"on": "response_at_risk", "priority": [2], "kind": "functional", "to_group": "Tier 2"},
        {"on": "response_breached", "priority": [2], "kind": "hierarchical"}])
    make_ctx("second-line", groups=("Tier 2",))
    key = _log(ctx, urgency="medium")                  # P2: at risk 09:22:30, due 09:30
    clock.advance(hours=1)                             # no sweeper ran meanwhile
    result = sla.sweep(ctx)
    assert [e for _, e in result.changes] == ["response_at_risk", "response_breached"]
    assert [to for _, to in result.escalations] == ["Tier 2", "incident managers"]
    assert queries.incident_detail(db, key).group == "Tier 2"
    with db.read() as s:
        since = [e.after["since"] for e in s.scalars(select(TimelineEvent).where(TimelineEvent.kind == "sla")
                                                     .order_by(TimelineEvent.seq))]
    assert since == ["2026-11-23T09:22:30+00:00", "2026-11-23T09:30:00+00:00"]


def test_the_built_in_business_calendar_counts_in_the_site_time_zone(db, make_ctx, clock):
    london = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",),
                      config_override=parse_config({"general": {"time_zone": "Europe/London"}}))
    clock.now = utc(2026, 6, 29, 8, 30)                          # Monday 09:30 BST: the London desk is open
    key = _log(london, impact="medium", urgency="medium")       # P3: 4 business hours
    assert _inc(db, key).response_due_at == utc(2026, 6, 29, 12, 30)   # 13:30 BST, not 13:00 UTC
