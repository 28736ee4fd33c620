"""Recurring detection and folding in the queue's SQL, on SQLite and PostgreSQL, held to domain/recurring.py.

The boundaries: exactly N within the window (marked), N-1 (not), one just outside (not), one exactly at
the window's edge (inside: both ends included). Folding: children and duplicates leave the queue for
their parent's count, come back when it is expanded, and the counts say how many are folded where.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from incidentdesk.domain.recurring import is_recurring
from incidentdesk.services import incidents as svc
from incidentdesk.services import links
from incidentdesk.store import queries
from incidentdesk.store.queries import QueueFilter

WEEK = timedelta(days=7)


def _log(ctx, title, ci=None, category=None) -> str:
    return svc.log_incident(ctx, svc.Intake(title=title, impact="low", urgency="low", ci=ci, category=category))


def _marks(db, flt=QueueFilter()) -> dict[str, bool]:
    return {r.title: r.recurring for r in queries.queue_page(db, flt, limit=100).rows}


@pytest.fixture
def ann(make_ctx):
    return make_ctx("ann")


@pytest.mark.parametrize("gaps, expected", [
    # days between arrivals on one CI -> which arrivals are recurring (N = 3, window 7 days)
    ((1, 1), [False, False, True]),                  # exactly N within the window: the N-th is marked
    ((1,), [False, False]),                          # N-1: nothing
    ((3.5, 3.5), [False, False, True]),              # the first exactly at the window's edge: inside
    ((3.5, 3.5 + 1 / 86400), [False, False, False]),  # one second outside: not
    ((1, 1, 10, 1), [False, False, True, False, False]),  # the pattern ends; a later pair is not one
    ((1, 1, 1), [False, False, True, True]),         # every arrival while it lasts
])
def test_recurring_on_a_ci_at_the_boundaries(db, ann, clock, gaps, expected):
    times = [clock.now]
    _log(ann, "0", ci="mx1")
    for i, gap in enumerate(gaps, 1):
        times.append(clock.advance(days=gap))
        _log(ann, str(i), ci="mx1")
    _log(ann, "other CI", ci="mx2")
    marks = _marks(db)
    assert [marks[str(i)] for i in range(len(times))] == expected
    assert [is_recurring(times, t, 3, WEEK) for t in times] == expected   # the domain's rule says the same
    ci_only = _marks(db, QueueFilter(recurring_by_category=False))
    assert [ci_only[str(i)] for i in range(len(times))] == expected
    assert marks["other CI"] is False


def test_recurring_on_a_category_and_the_configured_count(db, ann, clock):
    for i in range(3):
        _log(ann, f"c{i}", category="Email/Exchange")
        clock.advance(hours=1)
    _log(ann, "no ci, no category")
    marks = _marks(db)
    assert [marks[f"c{i}"] for i in range(3)] == [False, False, True] and marks["no ci, no category"] is False
    two = _marks(db, QueueFilter(recurring_count=2, recurring_days=1))
    assert [two[f"c{i}"] for i in range(3)] == [False, True, True]
    assert not any(_marks(db, QueueFilter(recurring_by_category=False)).values())   # the CI only: none here
    # rows read one by one (the console's repaint) carry the same mark
    [row] = [r for r in queries.rows_for_ids(db, [3])]
    assert row.title == "c2" and row.recurring is True


def test_children_and_duplicates_fold_under_their_parent(db, ann):
    parent, c1, c2, lone = (_log(ann, t) for t in ("outage", "me too", "me three", "unrelated"))
    other_parent, c3 = _log(ann, "second outage"), _log(ann, "second me too")
    links.link_parent(ann, c1, parent=parent)
    links.duplicate(ann, c2, of=parent)
    links.link_parent(ann, c3, parent=other_parent)
    rows = {r.key: r for r in queries.queue_page(db).rows}
    assert set(rows) == {parent, lone, other_parent}
    assert (rows[parent].folded, rows[other_parent].folded, rows[lone].folded) == (2, 1, 0)
    assert queries.queue_count(db) == 3 and queries.fold_counts(db, QueueFilter()) == (3, 2)
    pid = rows[parent].id
    expanded = QueueFilter(expanded=(pid,))
    shown = {r.key: r for r in queries.queue_page(db, expanded).rows}
    assert set(shown) == {parent, c1, c2, lone, other_parent} and shown[c1].parent_id == pid
    assert queries.fold_counts(db, expanded) == (1, 1)
    # a search finds children wherever they are folded; a resolved child no longer counts
    assert {r.key for r in queries.queue_page(db, QueueFilter(text="me t")).rows} == {c1, c2, c3}
    svc.resolve(ann, c3, code="permanent_fix", notes="was the same outage")
    rows = {r.key: r for r in queries.queue_page(db).rows}
    assert rows[other_parent].folded == 0 and queries.fold_counts(db, QueueFilter()) == (2, 1)
