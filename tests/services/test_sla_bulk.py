"""The sweeper's bulk write path: many incidents, several batches, every change once, chains intact."""

import time
from collections import Counter

from sqlalchemy import func, select

from incidentdesk.config import parse_config
from incidentdesk.domain.enums import Role
from incidentdesk.services import incidents as svc
from incidentdesk.services import sla
from incidentdesk.store import queries
from incidentdesk.store.changefeed import ChangeFeed, _payload_ids
from incidentdesk.store.engine import open_database
from incidentdesk.store.models import ChangeLog, Incident, TimelineEvent
from tests.support.store import due_count

RULES = {"sla": {"escalation": [{"on": "response_breached", "priority": [1], "kind": "hierarchical"}]}}


def _snapshot(db):
    with db.read() as s:
        return {i.key: (i.id, i.version, i.event_count) for i in s.scalars(select(Incident))}


def _sla_events(db):
    with db.read() as s:
        rows = s.execute(select(Incident.key, TimelineEvent.seq, TimelineEvent.after)
                         .join(Incident, Incident.id == TimelineEvent.incident_id)
                         .where(TimelineEvent.kind == "sla").order_by(Incident.key, TimelineEvent.seq)).all()
    out: dict[str, list[str]] = {}
    for key, _, after in rows:
        out.setdefault(key, []).append(f"{after['target']}_{after['state']}")
    return out


def test_bulk_sweep_of_many_incidents_writes_each_change_once_and_keeps_every_chain(db, make_ctx, clock):
    ctx = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",), config_override=parse_config(RULES))
    p1 = [svc.log_incident(ctx, svc.Intake(title=f"down {i}", impact="high", urgency="high", group="Ops"))
          for i in range(12)]
    p2 = [svc.log_incident(ctx, svc.Intake(title=f"slow {i}", impact="high", urgency="medium", group="Ops"))
          for i in range(18)]
    for key in p1[::2] + p2[::3]:           # some chains are longer than one event before the sweep
        svc.comment(ctx, key, "looking")
    before = _snapshot(db)
    with db.read() as s:
        log_rows = s.scalar(select(func.count()).select_from(ChangeLog))

    # 3.5 h later, never swept: a P1 has passed its response at-risk instant and breached it
    # (15 min) AND reached 75% of its resolution (4 h) - three events in one sweep, chained one
    # after the other in time order; a P2 has gone past at-risk to breached on its response
    # (30 min): both are recorded, as an on-time sweeper would have; its resolution (8 h) is fine.
    clock.advance(hours=3, minutes=30)
    result = sla.sweep(ctx, batch_size=7)   # several batches, each written in bulk

    expected = ({k: ["response_at_risk", "response_breached", "resolution_at_risk"] for k in p1}
                | {k: ["response_at_risk", "response_breached"] for k in p2})
    assert sorted(result.changes) == sorted((k, e) for k, events in expected.items() for e in events)
    assert result.examined == len(p1) + len(p2)
    assert sorted(k for k, _ in result.escalations) == sorted(p1)
    assert _sla_events(db) == expected                           # in the timeline, exactly once each
    assert list(queries.verify_audit(db)) == []                  # every chain intact

    after = _snapshot(db)
    with db.read() as s:
        sla_log = Counter(s.scalars(select(ChangeLog.incident_id).where(ChangeLog.kind == "sla")).all())
        assert s.scalar(select(func.count()).select_from(ChangeLog)) > log_rows
        incidents = {i.key: i for i in s.scalars(select(Incident))}
    for key in p2:   # only SLA marks: the version is untouched, the chain grew by exactly two events
        assert after[key][1] == before[key][1]
        assert after[key][2] == before[key][2] + 2
        assert incidents[key].response_sla_state == "breached"
        assert incidents[key].response_breached_at == incidents[key].response_due_at
    for key in p1:   # three SLA events, then the automatic escalation (a real change: version + 1)
        assert after[key][1] == before[key][1] + 1
        assert after[key][2] >= before[key][2] + 4
        assert (incidents[key].response_sla_state, incidents[key].resolution_sla_state) == ("breached", "at_risk")
    assert sla_log == {before[k][0]: 1 for k in p1 + p2}         # one change-log row per changed incident
    assert due_count(ctx) == 0
    assert sla.sweep(ctx).changes == []


def test_another_console_hears_of_every_incident_a_bulk_sweep_changed(db, make_ctx, clock):
    """On PostgreSQL the sweep sends one NOTIFY carrying many ids; on SQLite the change log is read."""
    ctx = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",))
    keys = [svc.log_incident(ctx, svc.Intake(title=f"slow {i}", impact="high", urgency="medium", group="Ops"))
            for i in range(25)]
    other = open_database(db.url if db.backend == "sqlite" else db.engine.url.render_as_string(hide_password=False))
    feed = ChangeFeed(other)
    try:
        feed.wait(0.1)                      # connect (and LISTEN) before the change
        clock.advance(minutes=25)           # every P2 response target at risk
        assert len(sla.sweep(ctx).changes) == len(keys)
        want = {int(k.split("-")[1]) for k in keys}
        seen: set[int] = set()
        deadline = time.monotonic() + 5
        while not want <= seen and time.monotonic() < deadline:
            seen |= feed.wait(0.5).incident_ids
        assert want <= seen
    finally:
        feed.close()
        other.dispose()


def test_notify_payloads_stay_under_the_limit_and_parse_back():
    ids = list(range(1, 5001))
    payloads = sla.notify_payloads(ids, limit=100)
    assert all(len(p) <= 100 for p in payloads) and len(payloads) > 1
    assert [i for p in payloads for i in _payload_ids(p)] == ids
    assert sla.notify_payloads(ids) and all(len(p) < 8000 for p in sla.notify_payloads(ids))
    assert sla.notify_payloads([]) == []
    assert _payload_ids("42") == [42]
    assert _payload_ids("1,2,,x,3") == [1, 2, 3]
