"""What the console offers (domain/lifecycle.why_not) is exactly what the services then allow.

For every status an incident can be in, every action, and an owner and a non-owner: the
action is offered (why_not is None) if and only if the service call, given sensible values,
succeeds — on SQLite and PostgreSQL. So a key the console hides could never have worked,
and a key it shows does not fail after its dialog is filled in because of the state or role.
"""

from __future__ import annotations

import pytest

from incidentdesk.domain import lifecycle
from incidentdesk.domain.errors import DomainError
from incidentdesk.services import incidents as svc
from incidentdesk.services import major as major_svc
from incidentdesk.store import queries

STATES = {
    "new": [],
    "acknowledged": [lambda c, k: svc.acknowledge(c, k)],
    "in_progress": [lambda c, k: svc.acknowledge(c, k), lambda c, k: svc.start_work(c, k)],
    "on_hold": [lambda c, k: svc.hold(c, k, reason="waiting for user")],
    "resolved": [lambda c, k: svc.resolve(c, k, code="workaround", notes="restarted")],
    "closed": [lambda c, k: svc.resolve(c, k, code="workaround", notes="restarted"),
               lambda c, k: svc.close(c, k, confirmed=True)],
    "cancelled": [lambda c, k: svc.cancel(c, k, reason="duplicate")],
}

ACTIONS = {
    "acknowledge": lambda c, k, d: svc.acknowledge(c, k),
    "start": lambda c, k, d: svc.start_work(c, k),
    "hold": lambda c, k, d: svc.hold(c, k, reason="waiting for vendor"),
    "resume": lambda c, k, d: svc.resume(c, k),
    "resolve": lambda c, k, d: svc.resolve(c, k, code="permanent_fix", notes="fixed"),
    "close": lambda c, k, d: svc.close(c, k, confirmed=True),
    "reopen": lambda c, k, d: svc.reopen(c, k, reason="back again"),
    "cancel": lambda c, k, d: svc.cancel(c, k, reason="logged by mistake"),
    "assign": lambda c, k, d: svc.assign(c, k, user=c.actor.login),  # the values most likely to be allowed
    "take": lambda c, k, d: svc.take(c, k),
    # hierarchical: the kind most likely to be allowed (a functional one moves someone else's work,
    # which depends on the dialog's kind; tests/services/test_roles.py covers that refusal)
    "escalate": lambda c, k, d: svc.escalate(c, k, kind="hierarchical", summary="tried a restart"),
    "reprioritise": lambda c, k, d: svc.reprioritise(c, k, reason="wider impact",
                                                     impact="high" if d.impact != "high" else "low"),
    "declare_major": lambda c, k, d: major_svc.declare_major(c, k, reason="all users"),
    "stand_down_major": lambda c, k, d: major_svc.stand_down_major(c, k, reason="contained"),
    "comment": lambda c, k, d: svc.comment(c, k, "a note"),
}


def _situation(d) -> lifecycle.Situation:
    return lifecycle.Situation(key=d.key, status=d.status, assignee=d.assignee, reporter=d.reporter,
                               is_major=d.is_major, commander=d.commander, resolved_at=d.resolved_at,
                               group=d.group, acknowledged=d.acknowledged_at is not None)


def test_offered_exactly_when_the_service_allows_it(team):
    outcomes = []
    for status, steps in STATES.items():
        for actor in (team.ann, team.bob):  # ann logs (and so owns) every incident; bob is another responder
            for action, run in ACTIONS.items():
                key = svc.log_incident(team.ann, svc.Intake(title=f"{status} {action}", impact="medium",
                                                             urgency="medium", group="Service Desk"))
                for step in steps:
                    step(team.ann, key)
                d = queries.incident_detail(team.db, key)
                assert d.status == status
                reason = lifecycle.why_not(action, _situation(d), actor.actor, now=actor.now(),
                                           reopen_window=actor.config.reopen_window)
                try:
                    run(actor, key, d)
                    error = None
                except DomainError as exc:
                    error = str(exc)
                outcomes.append((status, actor.actor.login, action, reason is None, error is None))
                assert (reason is None) == (error is None), (status, actor.actor.login, action, reason, error)
    offered = {(s, a, act) for s, a, act, ok, _ in outcomes if ok}
    # the matrix is not trivially all-or-nothing: some of each, for both people
    assert ("resolved", "ann", "close") in offered and ("new", "ann", "close") not in offered
    assert ("new", "bob", "take") in offered and ("acknowledged", "bob", "take") not in offered
    assert ("in_progress", "ann", "reopen") not in offered and ("resolved", "bob", "reopen") in offered


@pytest.mark.parametrize("login,expected", [("cap", None), ("mgr", None), ("bob", "may not reprioritise")])
def test_role_decides_for_someone_elses_incident(team, login, expected):
    key = svc.log_incident(team.ann, svc.Intake(title="x", impact="low", urgency="low", group="Service Desk"))
    d = queries.incident_detail(team.db, key)
    actor = getattr(team, login).actor
    reason = lifecycle.why_not("reprioritise", _situation(d), actor)
    assert reason is None if expected is None else expected in reason
