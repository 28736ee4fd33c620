"""`[console]`: how the terminal console behaves (its SLA sweep)."""

from __future__ import annotations

import math
from typing import Annotated

from incidentdesk.config.base import Section, bad, doc


class Console(Section):
    sla_sweep_seconds: Annotated[float, doc(
        "how often each console sweeps SLAs: 0.5 to 86400 seconds, or 0 to leave it to "
        "`incidentdesk sla sweep --loop`")] = 5.0

    def __post_init__(self) -> None:
        s = self.sla_sweep_seconds
        if math.isnan(s) or not (s == 0 or 0.5 <= s <= 86_400):
            raise bad("sla_sweep_seconds", s, "use a number of seconds from 0.5 to 86400, or 0 to leave sweeping "
                      "to `incidentdesk sla sweep --loop`")
