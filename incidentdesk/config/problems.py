"""`[problems]`: problem management (services/problems.py) — when incidents count as recurring."""

from __future__ import annotations

from typing import Annotated

from incidentdesk.config.base import Section, bad, doc


class Problems(Section):
    recurring_count: Annotated[int, doc(
        "an incident is marked recurring (↻ in the queue) when at least this many incidents, itself "
        "included, on its CI or its category were created within the window ending at its creation")] = 3
    recurring_window_days: Annotated[int, doc("the window of recurring_count, in days")] = 7
    recurring_by_category: Annotated[bool, doc(
        "count incidents in the same category too, not only on the same CI (turn off where categories are "
        "broad and busy: then only a CI failing again is recurring)")] = True

    def __post_init__(self) -> None:
        if not 2 <= self.recurring_count <= 100:
            raise bad("recurring_count", self.recurring_count, "use a whole number from 2 to 100")
        if not 1 <= self.recurring_window_days <= 365:
            raise bad("recurring_window_days", self.recurring_window_days, "use a whole number of days from 1 to 365")
