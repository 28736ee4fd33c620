"""One rule for changing someone else's incident (domain/roles.require_may_change), in every use case.

A responder changes only what is theirs: an incident assigned to them, or an unassigned one they
logged or that sits in their group's queue; picking up unassigned work (take, acknowledge) is
open to all. Triage captains and incident managers change anything. Comments, hierarchical
escalations, and closing or reopening a resolved incident (the user's verdict) are open to all.
"""

from __future__ import annotations

import pytest

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import PermissionDenied
from incidentdesk.services import incidents as svc
from incidentdesk.store import queries


@pytest.fixture
def desk(db, make_ctx):
    ann = make_ctx("ann", Role.RESPONDER, groups=("Service Desk",))
    bob = make_ctx("bob", Role.RESPONDER, groups=("Service Desk",))
    sre = make_ctx("sam", Role.RESPONDER, groups=("Platform SRE",))
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, groups=("Service Desk",))
    return type("Desk", (), dict(db=db, ann=ann, bob=bob, sre=sre, cap=cap))


def _bobs(desk, status: str = "in_progress") -> str:
    """An incident assigned to bob, in `status`."""
    key = svc.log_incident(desk.cap, svc.Intake(title="bob's", impact="low", urgency="low", group="Service Desk"))
    svc.assign(desk.cap, key, user="bob")
    if status in ("acknowledged", "in_progress", "on_hold", "resolved"):
        svc.acknowledge(desk.bob, key)
    if status in ("in_progress", "on_hold"):
        svc.start_work(desk.bob, key)
    if status == "on_hold":
        svc.hold(desk.bob, key, reason="waiting for user")
    if status == "resolved":
        svc.resolve(desk.bob, key, code="workaround", notes="done")
    return key


CHANGES = [  # (what, status the incident is in, the call)
    ("reassign to oneself", "new", lambda c, k: svc.assign(c, k, user=c.actor.login)),
    ("take", "new", lambda c, k: svc.take(c, k)),
    ("assign to another group", "in_progress", lambda c, k: svc.assign(c, k, group="Platform SRE")),
    ("acknowledge", "new", lambda c, k: svc.acknowledge(c, k)),
    ("start work", "acknowledged", lambda c, k: svc.start_work(c, k)),
    ("hold", "in_progress", lambda c, k: svc.hold(c, k, reason="waiting for vendor")),
    ("resume", "on_hold", lambda c, k: svc.resume(c, k)),
    ("functional escalation", "in_progress",
     lambda c, k: svc.escalate(c, k, kind="functional", to_group="Platform SRE", summary="over to you")),
    ("reprioritise", "in_progress", lambda c, k: svc.reprioritise(c, k, impact="high", reason="more users")),
    ("resolve", "in_progress", lambda c, k: svc.resolve(c, k, code="workaround", notes="restarted")),
    ("cancel", "in_progress", lambda c, k: svc.cancel(c, k, reason="duplicate")),
]


@pytest.mark.parametrize("what,status,call", CHANGES, ids=[c[0] for c in CHANGES])
def test_a_responder_may_not_change_someone_elses(desk, what, status, call):
    key = _bobs(desk, status)
    before = queries.incident_detail(desk.db, key)
    with pytest.raises(PermissionDenied, match=f"ann may not .* {key}: it belongs to bob; ask a triage captain"):
        call(desk.ann, key)
    after = queries.incident_detail(desk.db, key)
    assert (after.version, len(after.timeline), after.escalations) == (before.version, len(before.timeline), [])
    call(desk.cap, key)  # a triage captain may
    assert queries.incident_detail(desk.db, key).version == before.version + 1


@pytest.mark.parametrize("what,status,call", CHANGES, ids=[c[0] for c in CHANGES])
def test_the_owner_may(desk, what, status, call):
    key = _bobs(desk, status)
    version = queries.incident_detail(desk.db, key).version
    call(desk.bob, key)
    assert queries.incident_detail(desk.db, key).version == version + 1


def test_open_to_everyone(desk):
    key = _bobs(desk)
    svc.comment(desk.ann, key, "seen this before: check the proxy")
    svc.escalate(desk.ann, key, kind="hierarchical", summary="customers affected; need a decision")
    done = _bobs(desk, "resolved")
    svc.reopen(desk.ann, done, reason="the user called: it is back")
    svc.resolve(desk.bob, done, code="permanent_fix", notes="patched")
    svc.close(desk.ann, done, confirmed=True, csat=5)  # the service desk confirms with the user
    assert queries.incident_detail(desk.db, done).status == "closed"
    d = queries.incident_detail(desk.db, key)
    assert (d.assignee, d.group, [e.kind for e in d.escalations]) == ("bob", "Service Desk", ["hierarchical"])


def test_unassigned_belongs_to_its_reporter_and_its_group(desk):
    key = svc.log_incident(desk.ann, svc.Intake(title="queue", impact="low", urgency="low", group="Service Desk"))
    with pytest.raises(PermissionDenied, match="sam may not hand over INC-000001: it belongs to ann .who logged it. "
                                               "and the Service Desk group until someone takes it; take it first"):
        svc.escalate(desk.sre, key, kind="functional", to_group="Platform SRE", summary="mine now")
    svc.reprioritise(desk.bob, key, urgency="high", reason="whole floor")  # bob: the Service Desk queue
    svc.escalate(desk.ann, key, kind="functional", to_group="Platform SRE", summary="needs SRE")  # the reporter
    with pytest.raises(PermissionDenied):  # now in Platform SRE's queue: not bob's any more
        svc.hold(desk.bob, key, reason="x")
    svc.take(desk.sre, key)  # anyone may pick up unassigned work
    assert queries.incident_detail(desk.db, key).assignee == "sam"
    with pytest.raises(PermissionDenied, match="ann may not hand over INC-000001: it belongs to sam"):
        svc.escalate(desk.ann, key, kind="functional", to_group="Service Desk", summary="back")


def test_the_issue_case(desk):
    """A responder may not `assign --group` someone else's incident — nor move it by a functional escalation."""
    key = _bobs(desk)
    with pytest.raises(PermissionDenied):
        svc.assign(desk.ann, key, group="Platform SRE")
    with pytest.raises(PermissionDenied, match="ann may not hand over"):
        svc.escalate(desk.ann, key, kind="functional", to_group="Platform SRE", summary="not mine")
    d = queries.incident_detail(desk.db, key)
    assert (d.group, d.assignee, d.escalations) == ("Service Desk", "bob", [])
