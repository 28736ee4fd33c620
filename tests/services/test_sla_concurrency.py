"""Many sweepers at once (threads and separate processes): every change recorded exactly once."""

import json
import subprocess
import sys
import threading
import time
from collections import Counter

from sqlalchemy import select

from incidentdesk.config import parse_config
from incidentdesk.domain.enums import Role
from incidentdesk.services import incidents as svc
from incidentdesk.services import sla
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.store import queries
from incidentdesk.store.engine import open_database
from incidentdesk.store.models import Escalation, TimelineEvent
from tests.support.store import due_count

SLA_TABLE = {"escalation": [{"on": "response_breached", "priority": [1], "kind": "hierarchical"}]}
INCIDENTS = 90
THREADS = 3
PROCESSES = 2

WORKER = r"""
import json, sys, time
from datetime import datetime
from incidentdesk.config import parse_config
from incidentdesk.services import sla
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.store.engine import open_database
url, now, start_at, table = sys.argv[1], datetime.fromisoformat(sys.argv[2]), float(sys.argv[3]), json.loads(sys.argv[4])
db = open_database(url)
ctx = ServiceContext(db, parse_config({"sla": table}), load_actor(db, "proc"), lambda: now)
time.sleep(max(0.0, start_at - time.time()))
changes = escalations = 0
for _ in range(4):
    r = sla.sweep(ctx, batch_size=4)
    changes += len(r.changes); escalations += len(r.escalations)
print(json.dumps([changes, escalations]))
"""


def test_concurrent_sweepers_record_each_breach_once(db, make_ctx, clock):
    config = parse_config({"sla": SLA_TABLE})
    ctx = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",), config_override=config)
    keys = [svc.log_incident(ctx, svc.Intake(title=f"outage {i}", impact="high", urgency="high", group="Ops"))
            for i in range(INCIDENTS)]
    now = clock.advance(minutes=20)     # every response target (15 min) is breached, none recorded yet
    start_at = time.time() + 2.5        # processes need time to start; everyone begins together

    procs = [subprocess.Popen([sys.executable, "-c", WORKER, db.url, now.isoformat(), str(start_at),
                               json.dumps(SLA_TABLE)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(PROCESSES)]
    totals, errors = [], []

    def run():
        own = open_database(db.url)
        try:
            tctx = ServiceContext(own, config, load_actor(own, "thread"), lambda: now)
            time.sleep(max(0.0, start_at - time.time()))
            for _ in range(4):
                r = sla.sweep(tctx, batch_size=4)
                totals.append((len(r.changes), len(r.escalations)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        totals.append(tuple(json.loads(out.strip().splitlines()[-1])))
    assert errors == []

    # Every sweeper together recorded each change once (at risk, then breached), and fired each escalation once.
    assert sum(c for c, _ in totals) == 2 * INCIDENTS
    assert sum(e for _, e in totals) == INCIDENTS
    with db.read() as s:
        events = Counter(s.scalars(select(TimelineEvent.incident_id).where(TimelineEvent.kind == "sla")).all())
        escalations = Counter(s.scalars(select(Escalation.incident_id)).all())
    assert len(events) == INCIDENTS and set(events.values()) == {2}
    assert len(escalations) == INCIDENTS and set(escalations.values()) == {1}
    assert list(queries.verify_audit(db)) == []
    assert due_count(ctx) == 0
    assert {queries.incident_detail(db, k).status for k in keys} == {"new"}


def test_a_sweep_and_a_human_edit_at_once_both_land(db, make_ctx, clock):
    """A human's optimistic edit is not refused because a sweeper marked the incident meanwhile."""
    ctx = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",))
    keys = [svc.log_incident(ctx, svc.Intake(title=f"slow {i}", impact="high", urgency="medium", group="Ops"))
            for i in range(30)]
    versions = {k: queries.incident_detail(db, k).version for k in keys}
    now = clock.advance(minutes=25)      # P2: every response target at risk
    failures = []

    def human():
        own = open_database(db.url)
        hctx = ServiceContext(own, ctx.config, load_actor(own, "cap"), lambda: now)
        try:
            for k in keys:
                svc.comment(hctx, k, "looking")
                svc.acknowledge(hctx, k, expected_version=versions[k] + 1)
        except Exception as exc:
            failures.append(exc)
        finally:
            own.dispose()

    def sweeper():
        own = open_database(db.url)
        try:
            for _ in range(20):
                sla.sweep(ServiceContext(own, ctx.config, load_actor(own, "sweeper"), lambda: now), batch_size=3)
        finally:
            own.dispose()

    threads = [threading.Thread(target=human), threading.Thread(target=sweeper)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    states = {queries.incident_detail(db, k).status for k in keys}
    assert states == {"acknowledged"}
    with db.read() as s:
        per_incident = Counter(s.scalars(select(TimelineEvent.incident_id).where(TimelineEvent.kind == "sla")).all())
    assert set(per_incident.values()) <= {1}   # at most one at-risk mark each (none if acknowledged first)
    assert list(queries.verify_audit(db)) == []

