"""`[general]`: the site's settings every command shares (reopen window, acting as, time zone, theme)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from incidentdesk.config.base import Section, bad, doc
from incidentdesk.config.paths import is_time_zone


class General(Section):
    reopen_window_hours: Annotated[float, msgspec.Meta(gt=0), doc(
        "hours after resolution in which an incident may be reopened (and an alert reopens it)")] = 168.0
    allow_acting_as: Annotated[bool, doc("whether `--as LOGIN` may act as another login")] = False
    time_zone: Annotated[str | None, doc(
        "the site's IANA time zone for business-hours calendars (default: the host's zone, not $TZ)")] = None
    theme: Annotated[str, doc("the console's theme, e.g. textual-dark, textual-light")] = "textual-dark"

    def __post_init__(self) -> None:
        if self.time_zone is not None:
            name = self.time_zone.strip()
            if not is_time_zone(name):
                raise bad("time_zone", self.time_zone, "not a time zone: use an IANA name such as Europe/London or UTC")
            msgspec.structs.force_setattr(self, "time_zone", name)
