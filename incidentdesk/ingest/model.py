"""The normalised form every payload is parsed into, whatever tool sent it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from incidentdesk.domain.errors import ValidationError

Action = Literal["firing", "resolved", "acknowledge"]
SOURCES = ("alertmanager", "events-v2", "grafana")


MAX_LISTED_ERRORS = 20


class PayloadError(ValidationError):
    """The payload is not what the sender's API defines; `errors` names each problem.

    At most MAX_LISTED_ERRORS are listed, then one line counting the rest: a body of half a
    million bad items must not become a 25 MB answer (nor hold half a million strings in memory).
    """

    def __init__(self, errors: list[str], *, unlisted: int = 0) -> None:
        listed = list(errors[:MAX_LISTED_ERRORS]) or ["invalid payload"]
        unlisted += max(0, len(errors) - MAX_LISTED_ERRORS)
        if unlisted:
            listed.append(f"... and {unlisted:,} more problems (only the first {MAX_LISTED_ERRORS} are listed)")
        self.errors = listed
        super().__init__("; ".join(self.errors[:5]) + (" ..." if len(self.errors) > 5 else ""))


@dataclass(frozen=True)
class NormalAlert:
    """One alert: `fingerprint` identifies the alert, `incident_key` the incident it belongs to.

    For Alertmanager and Grafana the incident key is the notification's groupKey (correlation:
    one group, one incident); for Events API v2 it is the dedup_key.
    """

    action: Action
    fingerprint: str
    incident_key: str
    title: str
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict = field(default_factory=dict)
    description: str = ""
    severity: str | None = None  # a field of the payload (Events API v2); else taken from labels
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    generator_url: str | None = None
    group_key: str | None = None


@dataclass(frozen=True)
class AlertBatch:
    source: str
    alerts: tuple[NormalAlert, ...]
    # Events API v2: the routing key (a credential; never stored) and the dedup_key to answer with.
    routing_key: str | None = None
    dedup_key: str | None = None
    # Alertmanager/Grafana `truncatedAlerts`: alerts of the group the sender left out (max_alerts).
    # More of the group may be firing than the batch shows, so it never auto-resolves the incident.
    truncated: int = 0
