"""Recurring incidents: the same CI (or category) failing again and again within a short window.

The rule, once: an incident is *recurring* when, counting itself, at least `count` incidents on
its CI were created in the `window` ending at its own creation (both ends included) — or the same
on its category. So the arrival that makes the pattern is marked, and every one after it while
the pattern lasts; the first ones of a cluster are not (they were not recurring when they came).
`[problems] recurring_count` (default 3) and `recurring_window_days` (default 7) set them;
`recurring_by_category = false` counts the CI only (where categories are broad and busy).

The queue computes the same rule in SQL for each row it shows (store/recurring_sql.py: the
`count`-th most recent incident on the CI at or before this one is no older than the window),
so a page costs `count` index entries per row, not a scan; tests hold both to the same cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

MARKER = "↻"


def is_recurring(created: Iterable[datetime], at: datetime, count: int, window: timedelta) -> bool:
    """Whether an incident created `at` is recurring among `created` (the creation times of the incidents
    on its CI or category, itself included)."""
    earlier = sorted((t for t in created if t <= at), reverse=True)
    return len(earlier) >= count and earlier[count - 1] >= at - window


def suggestion(key: str, on: str, count: int, days: int, open_key: str) -> str:
    """The console's notice for a recurring incident, naming the key that opens a problem."""
    return (f"{key} recurs: {count} or more incidents on {on} within {days} days — "
            f"press {open_key} to open a problem from it")
