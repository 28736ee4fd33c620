"""`[cmdb]`: configuration items and changes — which alert labels name a CI, how far back "recent changes" look.

`alert_ci_labels`: the alert intake (services/alert_batch.py) sets a new incident's CI from the
first of these labels whose value is the name of a known CI (when none is, the CI comes from
`[ingest.mapping] ci_labels` as before). `recent_changes_hours`: the incident pane's CI tab and
`ci show` list changes on the CI or its dependencies whose window reaches into this many hours.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from incidentdesk.config.base import Section, bad, doc


class Cmdb(Section):
    alert_ci_labels: Annotated[list[str], doc(
        "alert labels that may name a CI, in order: the first whose value is a known CI's name wins")] = (
        msgspec.field(default_factory=lambda: ["ci", "instance", "host"]))
    recent_changes_hours: Annotated[int, doc(
        "the CI tab and `ci show` list changes on the CI or its dependencies within this many hours (1 to 8760)")] = 72

    def __post_init__(self) -> None:
        if not 1 <= self.recent_changes_hours <= 8760:
            raise bad("recent_changes_hours", self.recent_changes_hours, "use 1 to 8760 hours")
        if any(not isinstance(label, str) or not label.strip() for label in self.alert_ci_labels):
            raise bad("alert_ci_labels", self.alert_ci_labels, "use a list of label names")
