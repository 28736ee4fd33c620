"""`[handover]`: the shift handover (services/handover.py) — when an unacknowledged one is flagged."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from incidentdesk.config.base import Section, bad, doc


class Handover(Section):
    ack_within_minutes: Annotated[float, doc(
        "a published handover nobody has acknowledged after this many minutes is flagged (the handover "
        "screen, a banner under the console's header, `incidentdesk handover list`); 1 to 1440")] = 30.0

    def __post_init__(self) -> None:
        minutes = self.ack_within_minutes
        if isinstance(minutes, bool) or not (1 <= float(minutes) <= 24 * 60):
            raise bad("ack_within_minutes", minutes, "use a number of minutes from 1 to 1440")

    @property
    def ack_within(self) -> timedelta:
        return timedelta(minutes=float(self.ack_within_minutes))
