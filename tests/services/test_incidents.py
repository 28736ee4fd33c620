"""Every incident use case on SQLite and PostgreSQL: state, timeline, validation, permissions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incidentdesk.config import Config
from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import (
    EditConflict, InvalidTransition, NotFound, PermissionDenied, ValidationError,
)
from incidentdesk.domain.roles import Actor
from incidentdesk.services import directory
from incidentdesk.services import incidents as svc
from incidentdesk.store import queries
from incidentdesk.store.models import ChangeLog, TimelineEvent


def _log(ctx, **kw):
    fields = dict(title="Mail down", impact="high", urgency="medium", group="Service Desk")
    fields.update(kw)
    return svc.log_incident(ctx, svc.Intake(**fields))


def _detail(db, key):
    return queries.incident_detail(db, key)


def _event_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(TimelineEvent))


def test_log_incident_records_everything(team, clock):
    key = svc.log_incident(team.ann, svc.Intake(
        title="  Payments \x1b[31m502  ", impact="high", urgency="high", type="incident", severity="SEV2",
        description="desc", affected_service="Payments API", symptoms="502s", started_at=clock.now - timedelta(minutes=5),
        impacted="all EU customers", steps_to_reproduce="curl it", device_user="n/a", recent_changes="CHG-1",
        category="Payments/API/Gateway", ci="pay-gw", group="Platform SRE", source="phone"))
    assert key == "INC-000001"
    d = _detail(team.db, key)
    assert d.title == "Payments [31m502"  # control characters stripped, trimmed
    assert (d.priority, d.severity, d.status, d.group, d.tier) == (1, "SEV2", "new", "Platform SRE", 2)
    assert (d.reporter, d.assignee, d.source, d.category, d.ci) == ("ann", None, "phone", "Payments/API/Gateway", "pay-gw")
    assert d.created_at == clock.now and d.started_at == clock.now - timedelta(minutes=5)
    assert d.response_due_at == clock.now + timedelta(minutes=15)
    assert d.resolution_due_at == clock.now + timedelta(hours=4)
    assert d.sla_due_at == d.response_due_at
    assert d.version == 1 and d.reopen_count == 0 and d.first_contact_resolution is False
    [created] = d.timeline
    assert (created.kind, created.actor, created.real_actor, created.seq) == ("created", "ann", "ann", 1)
    assert created.after["priority"] == "P1"
    req = _log(team.ann, type="request", impact="low", urgency="low")
    assert req == "REQ-000002"
    assert _detail(team.db, req).severity == "SEV4"


@pytest.mark.parametrize("kw,field", [
    ({"title": "   "}, "title"), ({"title": "x" * 501}, "title"), ({"impact": "huge"}, "impact"),
    ({"urgency": ""}, "urgency"), ({"type": "problem"}, "type"), ({"severity": "SEV9"}, "severity"),
    ({"group": "Nobody"}, "group"), ({"source": "pigeon"}, "source"),
])
def test_log_incident_validation_writes_nothing(team, kw, field):
    with pytest.raises(ValidationError) as info:
        _log(team.ann, **kw)
    assert info.value.field == field
    assert queries.count_incidents(team.db) == 0 and _event_count(team.db) == 0


def test_priority_matrix_override_applies(team):
    ctx = replace(team.ann, config=replace(team.ann.config, priority_matrix={
        **team.ann.config.priority_matrix, (svc.Level.LOW, svc.Level.LOW): 1}))
    key = _log(ctx, impact="low", urgency="low")
    assert _detail(team.db, key).priority == 1


def test_acknowledge_start_and_take(team, clock):
    key = _log(team.ann)
    clock.advance(minutes=3)
    v = svc.acknowledge(team.ann, key, comment="on it")
    d = _detail(team.db, key)
    assert v == d.version == 2
    assert (d.status, d.assignee, d.acknowledged_at) == ("acknowledged", "ann", clock.now)
    assert d.sla_due_at == d.resolution_due_at
    assert d.timeline[0].kind == "acknowledged" and d.timeline[0].text == "on it"
    svc.start_work(team.ann, key)
    assert _detail(team.db, key).status == "in_progress"
    with pytest.raises(InvalidTransition, match="cannot acknowledge INC-000001: it is in progress; from here you can"):
        svc.acknowledge(team.ann, key)
    other = _log(team.ann)
    svc.take(team.bob, other)
    assert _detail(team.db, other).assignee == "bob"
    with pytest.raises(PermissionDenied, match="belongs to bob"):
        svc.take(team.ann, other)
    svc.take(team.cap, other)  # a captain may take it over
    assert _detail(team.db, other).assignee == "cap"


def test_start_work_without_ack_sets_acknowledged(team, clock):
    key = _log(team.ann)
    clock.advance(minutes=7)
    svc.start_work(team.ann, key)
    d = _detail(team.db, key)
    assert d.acknowledged_at == clock.now and d.sla_due_at == d.resolution_due_at


def test_assign_person_and_group(team):
    key = _log(team.ann)
    svc.assign(team.cap, key, group="Platform SRE")
    d = _detail(team.db, key)
    assert (d.group, d.tier, d.assignee) == ("Platform SRE", 2, None)
    svc.assign(team.cap, key, user="bob")
    assert _detail(team.db, key).assignee == "bob"
    svc.assign(team.cap, key, group="Service Desk")  # bob is not a member: unassigned
    d = _detail(team.db, key)
    assert (d.group, d.assignee) == ("Service Desk", None)
    assert d.timeline[0].before == {"assignee": "bob", "group": "Platform SRE", "tier": 2}
    with pytest.raises(ValidationError, match="unknown person 'ghost'"):
        svc.assign(team.cap, key, user="ghost")
    with pytest.raises(ValidationError, match="name a person"):
        svc.assign(team.cap, key)


def test_responder_may_not_reassign_someone_elses(team):
    key = _log(team.ann)
    svc.assign(team.cap, key, user="bob")
    before = _event_count(team.db)
    with pytest.raises(PermissionDenied, match="ann may not reassign INC-000001: it belongs to bob"):
        svc.assign(team.ann, key, user="ann")
    with pytest.raises(PermissionDenied):
        svc.assign(team.ann, key, group="Platform SRE")
    assert _event_count(team.db) == before and _detail(team.db, key).assignee == "bob"
    svc.assign(team.bob, key, user="ann")  # the owner may hand it on
    svc.assign(team.mgr, key, user="bob")  # an incident manager may too
    assert _detail(team.db, key).assignee == "bob"


def test_reprioritise_recomputes_priority_and_sla_from_the_change(team, clock):
    key = _log(team.ann, impact="low", urgency="low")
    changed = clock.advance(hours=2)
    svc.reprioritise(team.ann, key, impact="high", urgency="high", severity="SEV1", reason="whole site down")
    d = _detail(team.db, key)
    assert (d.priority, d.severity, d.impact, d.urgency) == (1, "SEV1", "high", "high")
    assert d.response_due_at == changed + timedelta(minutes=15)     # [sla] reprioritise_from = "change"
    assert d.resolution_due_at == changed + timedelta(hours=4)
    assert d.sla_due_at == d.response_due_at
    ev = d.timeline[0]
    assert ev.kind == "reprioritised" and ev.text == "whole site down"
    assert ev.before["priority"] == "P4" and ev.after["priority"] == "P1"
    with pytest.raises(ValidationError, match="reason"):
        svc.reprioritise(team.ann, key, urgency="low", reason=" ")
    with pytest.raises(ValidationError, match="already has these values"):
        svc.reprioritise(team.ann, key, impact="high", reason="again")
    assert _detail(team.db, key).version == d.version


def test_reprioritise_permission(team):
    key = _log(team.ann)
    svc.assign(team.cap, key, user="ann")
    with pytest.raises(PermissionDenied, match="bob may not reprioritise INC-000001: it belongs to ann"):
        svc.reprioritise(team.bob, key, impact="low", reason="meh")
    svc.reprioritise(team.cap, key, impact="low", reason="only one user")
    assert _detail(team.db, key).impact == "low"


def test_escalate_functional(team):
    key = _log(team.ann)
    svc.acknowledge(team.ann, key)
    svc.escalate(team.ann, key, kind="functional", to_group="Platform SRE", summary="restarted, no change",
                 reason="needs SRE")
    d = _detail(team.db, key)
    assert (d.group, d.tier, d.assignee) == ("Platform SRE", 2, None)
    [e] = d.escalations
    assert (e.kind, e.actor, e.from_group, e.from_tier, e.to_group, e.to_tier) == (
        "functional", "ann", "Service Desk", 1, "Platform SRE", 2)
    assert e.summary == "restarted, no change" and e.reason == "needs SRE"
    assert d.timeline[0].kind == "escalated" and d.timeline[0].after["group"] == "Platform SRE"
    with pytest.raises(ValidationError, match="already with Platform SRE"):
        svc.escalate(team.bob, key, kind="functional", to_group="Platform SRE", summary="x")
    with pytest.raises(ValidationError, match="needs the group"):
        svc.escalate(team.bob, key, kind="functional", summary="x")
    with pytest.raises(ValidationError, match="hand-off summary"):
        svc.escalate(team.bob, key, kind="functional", to_group="Database Engineering", summary="  ")
    with pytest.raises(ValidationError, match="escalation kind"):
        svc.escalate(team.bob, key, kind="sideways", summary="x")
    assert len(_detail(team.db, key).escalations) == 1


def test_escalate_hierarchical(team):
    key = _log(team.ann)
    svc.escalate(team.ann, key, kind="hierarchical", summary="customer impact growing")
    d = _detail(team.db, key)
    [e] = d.escalations
    assert (e.kind, e.to_group, e.to_person) == ("hierarchical", "Service Desk", "ines")
    assert (d.group, d.assignee) == ("Service Desk", None)  # hierarchical does not move the work
    svc.escalate(team.ann, key, kind="hierarchical", summary="ping", to_person="mgr")
    assert _detail(team.db, key).escalations[-1].to_person == "mgr"


def test_hold_and_resume(team):
    key = _log(team.ann)
    svc.start_work(team.ann, key)
    with pytest.raises(ValidationError, match="reason for the hold"):
        svc.hold(team.ann, key, reason="")
    svc.hold(team.ann, key, reason="waiting for user")
    d = _detail(team.db, key)
    assert (d.status, d.hold_reason) == ("on_hold", "waiting for user")
    with pytest.raises(InvalidTransition, match="on hold; from here you can resume, resolve, cancel"):
        svc.hold(team.ann, key, reason="again")
    svc.resume(team.ann, key, comment="user replied")
    d = _detail(team.db, key)
    assert (d.status, d.hold_reason) == ("in_progress", None)
    assert d.timeline[0].before == {"status": "on_hold", "reason": "waiting for user"}


def test_resolve_requires_code_and_notes_and_sets_fcr(team, clock):
    key = _log(team.ann)
    with pytest.raises(ValidationError, match="resolution code"):
        svc.resolve(team.ann, key, code="magic", notes="x")
    with pytest.raises(ValidationError, match="resolution notes"):
        svc.resolve(team.ann, key, code="workaround", notes=" ")
    assert _detail(team.db, key).version == 1
    clock.advance(minutes=10)
    svc.resolve(team.ann, key, code="permanent fix", notes="rebooted")
    d = _detail(team.db, key)
    assert (d.status, d.resolution_code, d.resolution_notes) == ("resolved", "permanent_fix", "rebooted")
    assert d.resolved_at == clock.now and d.acknowledged_at == clock.now
    assert d.first_contact_resolution is True  # tier 1, never escalated
    esc = _log(team.ann)
    svc.escalate(team.ann, esc, kind="functional", to_group="Platform SRE", summary="tried")
    svc.resolve(team.bob, esc, code="workaround", notes="failover")
    assert _detail(team.db, esc).first_contact_resolution is False
    tier2 = _log(team.bob, group="Platform SRE")
    svc.resolve(team.bob, tier2, code="workaround", notes="x")
    assert _detail(team.db, tier2).first_contact_resolution is False


def test_close_with_confirmation_and_csat(team, clock):
    key = _log(team.ann)
    with pytest.raises(InvalidTransition, match="cannot close"):
        svc.close(team.ann, key, confirmed=True)
    svc.resolve(team.ann, key, code="workaround", notes="done")
    for bad in (0, 6, -1):
        with pytest.raises(ValidationError, match="CSAT must be 1 to 5"):
            svc.close(team.ann, key, confirmed=True, csat=bad)
    assert _detail(team.db, key).status == "resolved"
    clock.advance(hours=1)
    svc.close(team.ann, key, confirmed=True, csat=5)
    d = _detail(team.db, key)
    assert (d.status, d.user_confirmed, d.csat, d.closed_at) == ("closed", True, 5, clock.now)
    assert d.timeline[0].after == {"status": "closed", "user_confirmed": True, "csat": 5}
    with pytest.raises(InvalidTransition, match="it is closed; from here you can comment"):
        svc.reopen(team.ann, key, reason="back")
    assert queries.queue_count(team.db) == 0


def test_reopen_within_window(team, clock):
    key = _log(team.ann)
    svc.resolve(team.ann, key, code="workaround", notes="done")
    assert _detail(team.db, key).first_contact_resolution is True
    with pytest.raises(ValidationError, match="reason to reopen"):
        svc.reopen(team.ann, key, reason="")
    clock.advance(days=2)
    svc.reopen(team.ann, key, reason="it is back")
    d = _detail(team.db, key)
    assert (d.status, d.reopen_count, d.first_contact_resolution, d.resolved_at, d.resolution_code) == (
        "in_progress", 1, False, None, None)
    svc.resolve(team.ann, key, code="permanent_fix", notes="really")
    assert _detail(team.db, key).first_contact_resolution is False  # a reopened incident is never FCR
    clock.advance(days=7, seconds=1)
    with pytest.raises(InvalidTransition, match="reopen window"):
        svc.reopen(team.ann, key, reason="again")
    assert _detail(team.db, key).reopen_count == 1


def test_reopen_window_from_config(team, clock):
    ctx = replace(team.ann, config=replace(team.ann.config, reopen_window=timedelta(hours=1)))
    key = _log(ctx)
    svc.resolve(ctx, key, code="workaround", notes="done")
    clock.advance(hours=2)
    with pytest.raises(InvalidTransition, match="more than 1 h ago"):
        svc.reopen(ctx, key, reason="back")


def test_cancel(team):
    key = _log(team.ann)
    with pytest.raises(ValidationError, match="reason to cancel"):
        svc.cancel(team.ann, key, reason="")
    with pytest.raises(PermissionDenied, match="belongs to ann"):
        svc.cancel(team.bob, key, reason="not mine")
    svc.cancel(team.cap, key, reason="duplicate")
    assert _detail(team.db, key).status == "cancelled"
    with pytest.raises(InvalidTransition, match="cannot assign INC-000001: it is cancelled"):
        svc.assign(team.cap, key, user="ann")


def test_comment(team):
    key = _log(team.ann)
    svc.resolve(team.ann, key, code="workaround", notes="done")
    svc.close(team.ann, key)
    v = svc.comment(team.bob, key, "late note \x1b[2J", expected_version=1)  # comments never conflict
    d = _detail(team.db, key)
    assert v == d.version
    assert (d.timeline[0].kind, d.timeline[0].actor, d.timeline[0].text) == ("comment", "bob", "late note [2J")
    with pytest.raises(ValidationError, match="comment text"):
        svc.comment(team.bob, key, "  ")


def test_unknown_key(team):
    with pytest.raises(NotFound, match="no incident INC-000099"):
        svc.acknowledge(team.ann, "INC-000099")
    with pytest.raises(NotFound, match="not an incident key"):
        svc.acknowledge(team.ann, "nonsense")


def test_events_record_actor_and_real_actor(team):
    acting = replace(team.ann, actor=Actor("bob", Role.RESPONDER, real_login="root"))
    key = _log(acting)
    svc.comment(acting, key, "hi")
    for ev in _detail(team.db, key).timeline:
        assert (ev.actor, ev.real_actor) == ("bob", "root")
    with team.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ChangeLog)) == 2


def test_full_life_keeps_audit_intact(team):
    key = _log(team.ann)
    steps = [
        lambda: svc.acknowledge(team.ann, key),
        lambda: svc.start_work(team.ann, key),
        lambda: svc.hold(team.ann, key, reason="vendor"),
        lambda: svc.resume(team.ann, key),
        lambda: svc.escalate(team.ann, key, kind="functional", to_group="Platform SRE", summary="tried"),
        lambda: svc.assign(team.cap, key, user="bob", group="Platform SRE"),
        lambda: svc.reprioritise(team.cap, key, urgency="high", reason="more users"),
        lambda: svc.comment(team.bob, key, "looking"),
        lambda: svc.resolve(team.bob, key, code="workaround", notes="ok"),
        lambda: svc.reopen(team.ann, key, reason="back"),
        lambda: svc.resolve(team.bob, key, code="permanent_fix", notes="ok"),
        lambda: svc.close(team.ann, key, confirmed=True, csat=4),
    ]
    last = _detail(team.db, key).version
    for step in steps:
        returned = step()
        now = _detail(team.db, key).version
        assert returned == now > last  # the caller's next expected_version is what the service returns
        last = now
    d = _detail(team.db, key)
    assert [e.seq for e in d.timeline] == list(range(13, 0, -1))
    assert list(queries.verify_audit(team.db)) == []


def test_edit_conflict_refuses_stale_version(team, clock):
    key = _log(team.ann)
    seen = _detail(team.db, key).version
    clock.advance(minutes=1)
    svc.acknowledge(team.bob, key)
    before = _event_count(team.db)
    with pytest.raises(EditConflict) as info:
        svc.hold(team.cap, key, reason="waiting", expected_version=seen)
    assert str(info.value).startswith(f"{key} was changed by bob at {clock.now:%Y-%m-%d %H:%M:%S} UTC")
    assert (info.value.key, info.value.changed_by) == (key, "bob")
    d = _detail(team.db, key)
    assert _event_count(team.db) == before and d.status == "acknowledged" and d.version == seen + 1
    svc.hold(team.cap, key, reason="waiting", expected_version=d.version)  # the fresh version works


def test_directory_permissions(db, clock):
    nobody = svc.ServiceContext(db, Config(), Actor("first", Role.RESPONDER), clock)
    directory.add_user(nobody, "first", role="admin")  # bootstrap on an empty directory
    responder_ctx = svc.ServiceContext(db, Config(), Actor("ann", Role.RESPONDER), clock)
    with pytest.raises(PermissionDenied, match="ann \\(responder\\) may not manage users"):
        directory.add_user(responder_ctx, "ann", role="admin")
    captain_ctx = svc.ServiceContext(db, Config(), Actor("cap", Role.TRIAGE_CAPTAIN), clock)
    for call in (lambda: directory.add_user(captain_ctx, "x"), lambda: directory.add_group(captain_ctx, "G"),
                 lambda: directory.add_service(captain_ctx, "S"), lambda: directory.add_category(captain_ctx, "A/B")):
        with pytest.raises(PermissionDenied):
            call()
    assert [p.login for p in queries.list_people(db)] == ["first"]
    admin_ctx = svc.ServiceContext(db, Config(), Actor("first", Role.ADMIN), clock)
    directory.add_group(admin_ctx, "Desk", tier=2)
    directory.add_user(admin_ctx, "ann", role="responder", groups=["Desk"])
    directory.add_category(admin_ctx, "Email/Exchange/Outlook")
    assert queries.list_categories(db) == ["Email", "Email/Exchange", "Email/Exchange/Outlook"]
    with pytest.raises(ValidationError, match="unknown group 'Nope'"):
        directory.add_user(admin_ctx, "bob", groups=["Nope"])
    assert [p.login for p in queries.list_people(db)] == ["ann", "first"]  # bob not half-added
    with pytest.raises(ValidationError, match="tier must be 1, 2 or 3"):
        directory.add_group(admin_ctx, "Bad", tier=4)
    with pytest.raises(ValidationError, match="one word"):
        directory.add_user(admin_ctx, "two words")
