"""domain/lifecycle.why_not: can this action succeed now, and if not, one line saying why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incidentdesk.domain.enums import Role, Status
from incidentdesk.domain.lifecycle import Situation, why_not
from incidentdesk.domain.roles import Actor

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ANA = Actor("ana")
TESS = Actor("tess", Role.TRIAGE_CAPTAIN)
INES = Actor("ines", Role.INCIDENT_MANAGER)


def it(status, **kw) -> Situation:
    return Situation(key="INC-000007", status=status, **kw)


@pytest.mark.parametrize("action,status,words", [
    ("close", Status.NEW, "cannot close INC-000007: it is new"),
    ("close", Status.IN_PROGRESS, "it is in progress"),
    ("reopen", Status.IN_PROGRESS, "cannot reopen INC-000007: it is in progress"),
    ("acknowledge", Status.ACKNOWLEDGED, "cannot acknowledge"),
    ("escalate", Status.RESOLVED, "cannot escalate INC-000007: it is resolved"),
    ("resume", Status.IN_PROGRESS, "cannot resume"),
])
def test_the_state_rules_an_action_out_and_says_which_state(action, status, words):
    reason = why_not(action, it(status), TESS)
    assert reason is not None and words in reason


@pytest.mark.parametrize("action,status", [
    ("close", Status.RESOLVED), ("reopen", Status.RESOLVED), ("acknowledge", Status.NEW),
    ("resume", Status.ON_HOLD), ("comment", Status.CLOSED), ("escalate", Status.ON_HOLD),
])
def test_allowed_in_the_right_state(action, status):
    assert why_not(action, it(status, resolved_at=NOW - timedelta(hours=1)), TESS, now=NOW,
                   reopen_window=timedelta(days=7)) is None


def test_reopen_window():
    old = it(Status.RESOLVED, resolved_at=NOW - timedelta(days=8))
    assert "more than 168 h ago" in why_not("reopen", old, TESS, now=NOW, reopen_window=timedelta(days=7))
    assert why_not("reopen", old, TESS) is None  # no clock given: the window is not judged


def test_roles_and_ownership():
    others = it(Status.IN_PROGRESS, assignee="chen", reporter="chen")
    assert "ana may not reprioritise INC-000007" in why_not("reprioritise", others, ANA)
    assert why_not("reprioritise", others, TESS) is None
    assert "may not reassign" in why_not("take", others, ANA)
    assert why_not("take", it(Status.NEW, reporter="chen"), ANA) is None  # anyone takes unassigned work
    assert why_not("assign", it(Status.NEW, reporter="chen"), ANA) is None  # (to themself)
    assert "may not cancel" in why_not("cancel", others, ANA)
    assert why_not("cancel", it(Status.NEW, reporter="ana"), ANA) is None
    assert "needs the triage captain role" in why_not("declare_major", others, ANA)
    assert why_not("declare_major", others, TESS) is None
    major = it(Status.IN_PROGRESS, is_major=True, commander="ines", assignee="chen")
    assert "already a major incident" in why_not("declare_major", major, TESS)
    assert "needs the incident manager role" in why_not("stand_down_major", major, TESS)
    assert why_not("stand_down_major", major, INES) is None
    assert "not a major incident" in why_not("stand_down_major", others, INES)
    assert "commander of major incident" in why_not("take", it(Status.NEW, is_major=True, commander="ines"), INES)


def test_without_an_actor_only_the_lifecycle_is_judged():
    assert why_not("reprioritise", it(Status.NEW, assignee="chen"), None) is None
    assert "cannot close" in why_not("close", it(Status.NEW), None)
