"""Queue views (domain/queue_view): scopes and sorts cycle, a scope resolves for its viewer, words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incidentdesk.domain.enums import Role
from incidentdesk.domain.queue_view import CLEARED, SCOPES, SORTS, QueueView, following
from incidentdesk.domain.roles import Actor

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ANA = Actor(login="ana", role=Role.RESPONDER, real_login="ana", groups=frozenset({"Service Desk", "Network"}))


def test_scopes_and_sorts_cycle_round_in_order():
    view = QueueView()
    seen = []
    for _ in SCOPES:
        seen.append(view.scope)
        view = view.next_scope()
    assert seen == list(SCOPES) and view.scope == SCOPES[0]
    assert [QueueView(sort=s).next_sort().sort for s in SORTS] == list(SORTS[1:]) + [SORTS[0]]
    assert following(SORTS, "no such sort") == SORTS[0]


@pytest.mark.parametrize(("scope", "expected"), [
    ("all", {}),
    ("mine", {"assignee": "ana"}),
    ("my groups", {"groups": ("Network", "Service Desk")}),
    ("unassigned", {"unassigned": True}),
    ("at risk", {"at_risk_at": NOW}),
    ("major", {"major": True}),
])
def test_each_scope_resolves_for_its_viewer(scope, expected):
    base = QueueView().criteria(ANA, NOW)
    got = QueueView(scope=scope).criteria(ANA, NOW)
    assert {k: v for k, v in got.items() if base[k] != v} == expected


def test_criteria_carry_the_filters_and_the_sort():
    got = QueueView(text="vpn", status="on_hold", priority=1, include_closed=True, sort="due").criteria(ANA, NOW)
    assert (got["text"], got["status"], got["priority"], got["open_only"], got["sort"]) == ("vpn", "on_hold", 1, False, "due")


def test_words_say_what_the_view_leaves_out():
    assert CLEARED.words() == "open incidents"
    assert QueueView(scope="mine", status="in_progress", priority=2, text="mail").words() == \
        "scope mine, status in progress, P2, text “mail”"
    with pytest.raises(TypeError):
        QueueView().changed(colour="red")
