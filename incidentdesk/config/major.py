"""`[major]`: major-incident coordination — the stakeholder-update cadence by severity.

`cadence` gives the minutes between updates per severity (default SEV1 30, SEV2 60; a severity
not listed gets the slowest listed); `due_soon_minutes` is when the console's update clock turns
amber. Checked by the domain's parser (domain/major_cadence.py), so the file and the services
agree on what is allowed; defaults are filled in, so `config show` prints the cadence in effect.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from incidentdesk.config.base import Section, bad, doc, set_field
from incidentdesk.domain.enums import Severity
from incidentdesk.domain.major_cadence import (
    DEFAULT_CADENCE, DEFAULT_DUE_SOON, MINUTES_ALLOWED, minutes_ok, settings_from_config,
)


def _minutes(span) -> int | float:
    minutes = span.total_seconds() / 60
    return int(minutes) if minutes.is_integer() else minutes


def _default_cadence() -> dict[str, int | float]:
    return {str(sev): _minutes(span) for sev, span in DEFAULT_CADENCE.items()}


class Major(Section):
    cadence: Annotated[dict[str, int | float], doc(
        "minutes between stakeholder updates per severity, e.g. { SEV1 = 30, SEV2 = 60 } (1 to 1440; "
        "a severity not listed gets the slowest listed)")] = msgspec.field(default_factory=_default_cadence)
    due_soon_minutes: Annotated[float, doc(
        "the update clock turns amber this many minutes before the next update is due")] = (
        DEFAULT_DUE_SOON.total_seconds() / 60)

    def __post_init__(self) -> None:
        severities = {s.value for s in Severity}
        for name, minutes in self.cadence.items():
            if name.strip().upper() not in severities:
                raise bad(f"cadence.{name}", minutes, "name a severity: " + ", ".join(sorted(severities)))
            if not minutes_ok(minutes):
                raise bad(f"cadence.{name}", minutes, MINUTES_ALLOWED)
        if not minutes_ok(self.due_soon_minutes):
            raise bad("due_soon_minutes", self.due_soon_minutes, MINUTES_ALLOWED)
        settings = settings_from_config({"cadence": {k.strip(): v for k, v in self.cadence.items()},
                                         "due_soon_minutes": self.due_soon_minutes})
        set_field(self, "cadence", {str(sev): _minutes(span) for sev, span in settings.cadence.items()})
