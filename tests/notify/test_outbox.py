"""Outbox rows are written in the transaction of the change that causes them (both backends)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incidentdesk.domain.enums import EventKind, Level, Role
from incidentdesk.domain.errors import EditConflict, PermissionDenied
from incidentdesk.services import incidents as svc
from incidentdesk.services import major, outbox, sla
from incidentdesk.services.timeline import append_event
from incidentdesk.store import outbox as outbox_store
from incidentdesk.store.models import Incident, OutboxMessage
from tests.support.notify import new_incident, notify_config


def _rows(db):
    with db.read() as s:
        return s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_matching_rule_writes_one_row_per_channel_and_no_rule_none(db, make_ctx):
    config = notify_config(channels={"ops": "A", "chat": "B"}, rules=[
        {"on": ["created"], "priority": [1, 2], "to": ["ops", "chat"]},
        {"on": ["comment"], "to": "ops"}])
    ctx = make_ctx("ann", Role.TRIAGE_CAPTAIN, config_override=config)
    p1 = new_incident(ctx)
    p4 = new_incident(ctx, title="printer", impact=Level.LOW, urgency=Level.LOW)
    svc.acknowledge(ctx, p4)  # no rule names acknowledged
    rows = _rows(db)
    assert [(r.event_kind, r.channel) for r in rows] == [("created", "ops"), ("created", "chat")]
    assert all(r.state == "pending" and r.attempts == 0 for r in rows)
    assert rows[0].subject.startswith(f"{p1} P1 new P1: Checkout down")
    assert len({r.idempotency_key for r in rows}) == 2
    svc.comment(ctx, p4, text="[bold]toner[/] \x1b[31m")
    row = _rows(db)[-1]
    assert (row.event_kind, row.channel) == ("comment", "ops") and "[bold]toner[/]" in row.body


def test_rolled_back_change_writes_nothing(db, make_ctx):
    config = notify_config(rules=[{"on": ["comment", "assigned"], "to": "ops"}])
    ctx = make_ctx("ann", Role.TRIAGE_CAPTAIN, config_override=config)
    key = new_incident(ctx)
    before = len(_rows(db))
    with pytest.raises(RuntimeError):
        with ctx.db.write() as s:
            inc = s.scalar(select(Incident).where(Incident.key == key))
            append_event(s, inc, ctx.actor, EventKind.COMMENT, ctx.now(), text="about to fail")
            s.flush()
            assert s.scalar(select(func.count()).select_from(OutboxMessage)) == before + 1  # written, uncommitted
            raise RuntimeError("the change fails after its event")
    with pytest.raises(EditConflict):  # a refused edit: no event, no notification
        svc.assign(ctx, key, user="ann", expected_version=99)
    assert len(_rows(db)) == before


def test_without_rules_no_session_info_and_no_rows(db, make_ctx):
    ctx = make_ctx("ann", Role.TRIAGE_CAPTAIN)
    assert "notify" not in ctx.db.session_info
    new_incident(ctx)
    assert _rows(db) == []


def test_people_rules_use_directory_addresses(db, make_ctx):
    config = notify_config(channels={"mail": "M"}, addresses={"bob": "bob@example.com", "Network": "net@example.com",
                                                              "ann": "ann@example.com"},
                           rules=[{"on": ["assigned"], "to": ["assignee", "group"], "via": "mail"},
                                  {"on": ["resolved"], "to": "reporter", "via": "mail"}])
    make_ctx("bob", Role.RESPONDER, groups=("Network",), config_override=config)
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, config_override=config)
    ann = make_ctx("ann", Role.RESPONDER, config_override=config)
    key = new_incident(ann)
    svc.assign(cap, key, user="bob", group="Network")
    assert [(r.channel, r.recipient) for r in _rows(db)] == [("mail", "bob@example.com"), ("mail", "net@example.com")]
    svc.resolve(cap, key, code="workaround", notes="restarted")
    assert _rows(db)[-1].recipient == "ann@example.com" and _rows(db)[-1].event_kind == "resolved"


def test_major_events_and_group_filter(db, make_ctx):
    config = notify_config(rules=[{"on": ["major_declared", "major_stood_down"], "to": "ops", "group": "Payments"}])
    cap = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Payments",), config_override=config)
    key = new_incident(cap)
    major.declare_major(cap, key, reason="checkout down for all")
    assert _rows(db) == []  # not in Payments
    other = new_incident(cap, title="payments down")
    svc.assign(cap, other, group="Payments")
    major.declare_major(cap, other, reason="payments down")
    major.stand_down_major(cap, other, reason="contained")
    assert [r.event_kind for r in _rows(db)] == ["major_declared", "major_stood_down"]


def test_sla_sweep_bulk_path_writes_rows_in_its_transaction(db, make_ctx, clock):
    config = notify_config(rules=[{"on": ["sla_breached"], "to": "ops", "priority": 1}])
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, config_override=config)
    keys = [new_incident(cap, title=f"down {i}") for i in range(3)]
    clock.advance(days=3)
    result = sla.sweep(cap)
    assert result.breaches >= 3
    rows = [r for r in _rows(db) if r.event_kind == "sla_breached"]
    with db.read() as s:
        ids = {s.scalar(select(Incident.id).where(Incident.key == k)) for k in keys}
    assert {r.incident_id for r in rows} == ids
    assert len({r.idempotency_key for r in rows}) == len(rows)
    assert all("SLA breached" in r.subject for r in rows)


def test_retry_use_case_needs_triage_and_a_failed_row(db, make_ctx):
    config = notify_config(rules=[{"on": ["created"], "to": "ops"}])
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, config_override=config)
    responder = make_ctx("res", Role.RESPONDER, config_override=config)
    new_incident(cap)
    row = _rows(db)[0]
    with db.write() as s:
        s.get(OutboxMessage, row.id).state = "failed"
        s.get(OutboxMessage, row.id).attempts = 3
    with pytest.raises(PermissionDenied):
        outbox.retry(responder, message_id=row.id)
    assert outbox.retry(cap, message_id=row.id) == row.id
    again = _rows(db)[0]
    assert (again.state, again.attempts) == ("pending", 0)
    with pytest.raises(Exception, match="is pending, not failed"):
        outbox.retry(cap, message_id=row.id)
    with pytest.raises(Exception, match="no notification 999"):
        outbox.retry(cap, message_id=999)


def test_claim_is_exclusive_and_an_expired_lease_is_due_again(db, make_ctx, clock):
    config = notify_config(rules=[{"on": ["created"], "to": "ops"}])
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, config_override=config)
    new_incident(cap)
    now = clock()
    first = outbox_store.claim(db, "w1", now, now + timedelta(seconds=5), 10)
    assert len(first) == 1 and first[0]["attempts"] == 1
    assert outbox_store.claim(db, "w2", now, now + timedelta(seconds=5), 10) == []
    later = now + timedelta(seconds=6)  # w1 died: its lease ran out
    second = outbox_store.claim(db, "w2", later, later + timedelta(seconds=5), 10)
    assert [r["id"] for r in second] == [first[0]["id"]] and second[0]["attempts"] == 2
    assert not outbox_store.mark_sent(db, first[0]["id"], "w1", later)  # w1's lease is gone
    assert outbox_store.mark_sent(db, first[0]["id"], "w2", later)


def test_statements_no_rule_matching_costs_none_a_match_costs_one_insert(db, make_ctx):
    """The hook's cost in SQL: nothing when no rule names the event, one INSERT when one does."""
    from sqlalchemy import event

    plain = make_ctx("cap", Role.TRIAGE_CAPTAIN)
    key = new_incident(plain)
    contexts = {
        "none": plain,
        "no match": make_ctx("cap", Role.TRIAGE_CAPTAIN, config_override=notify_config(rules=[
            {"on": ["resolved"], "to": "ops"}])),
        "match": make_ctx("cap", Role.TRIAGE_CAPTAIN, config_override=notify_config(rules=[
            {"on": ["comment"], "to": "ops"}])),
    }
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    counts = {}
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for name, ctx in contexts.items():
            svc.comment(ctx, key, "x")  # warm (caches, connection)
            statements.clear()
            svc.comment(ctx, key, f"counted {name}")
            counts[name] = list(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert counts["no match"] == counts["none"]
    extra = [s for s in counts["match"] if s not in counts["none"]]
    assert len(counts["match"]) == len(counts["none"]) + 1 and len(extra) == 1 and "INSERT INTO outbox" in extra[0]


def test_two_people_retrying_at_once_one_wins(db, make_ctx):
    config = notify_config(rules=[{"on": ["created"], "to": "ops"}])
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, config_override=config)
    new_incident(cap)
    row = _rows(db)[0]
    with db.write() as s:
        s.get(OutboxMessage, row.id).state = "failed"
    import threading

    outcomes, barrier = [], threading.Barrier(2)

    def press_r():
        barrier.wait()
        try:
            outbox.retry(cap, message_id=row.id)
            outcomes.append("retried")
        except Exception as exc:  # noqa: BLE001
            outcomes.append(str(exc))

    threads = [threading.Thread(target=press_r) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(outcomes)[-1] == "retried" and "is pending, not failed" in sorted(outcomes)[0], outcomes


def test_oncall_and_manager_targets_reach_the_groups_on_call_and_manager(db, make_ctx, clock):
    """`to = "oncall"`: whoever the group's rotation has on call at the event; `to = "manager"`: the group's manager."""
    from incidentdesk.services import directory, oncall

    config = notify_config(channels={"mail": "M"}, addresses={"pat": "pat@example.com", "quinn": "q@example.com",
                                                              "mona": "mona@example.com"},
                           rules=[{"on": ["created"], "to": "oncall", "via": "mail"},
                                  {"on": ["escalated"], "to": "manager", "via": "mail"},
                                  {"on": ["sla_breached"], "to": ["oncall", "manager"], "via": "mail"}])
    admin = make_ctx("adm", Role.ADMIN, config_override=config)
    directory.add_group(admin, "Payments", tier=2, manager="mona")
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, groups=("Payments",), config_override=config)
    for login in ("pat", "quinn"):
        make_ctx(login, Role.RESPONDER, groups=("Payments",), config_override=config)
    oncall.set_rotation(cap, "Payments", cadence="daily", handoff_time="09:00", time_zone="UTC",
                        start=clock.now.date().isoformat(), members=("quinn", "pat"))
    new_incident(cap, group="Payments")
    clock.advance(days=1)
    key = new_incident(cap, title="second", group="Payments")
    new_incident(cap, title="no group")  # no group, no on-call: nobody to tell
    assert [r.recipient for r in _rows(db)] == ["q@example.com", "pat@example.com"]
    svc.escalate(cap, key, kind="hierarchical", summary="customers cannot pay")
    assert _rows(db)[-1].recipient == "mona@example.com" and _rows(db)[-1].event_kind == "escalated"
    clock.advance(days=3)
    sla.sweep(cap)
    breached = {r.recipient for r in _rows(db) if r.event_kind == "sla_breached"}
    assert breached == {"q@example.com", "mona@example.com"}  # four handoffs after the start: quinn again
