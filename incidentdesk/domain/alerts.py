"""The alert model: the normalised form every payload is parsed into, whatever tool sent it.

It lives in the domain because both sides meet here: ingest/ parses payloads into it and
services/alert_batch.py applies it to incidents, and neither may import the other's layer.

Three identifiers, one name each, across every layer:
- `fingerprint` — one alert (a firing alertname+labels set, one Events API v2 dedup_key): a
  known fingerprint is a repeat of that alert. Stored per alert row (`Alert.fingerprint`).
- `correlation_key` — the incident an alert belongs to: alerts sharing it are one incident.
  Stored on the incident (`Incident.correlation_key`; the database column is still `dedup_key`).
- the sender's own handles, kept under the sender's field names: `group_key` (Alertmanager and
  Grafana `groupKey`, stored on the alert row for the record) and `sender_dedup_key` (the Events
  API v2 `dedup_key` the sender sent, or the one made for it, answered back as `dedup_key`).
The correlation key is made from the sender's handle with the source in front (and hashed when
too long: ingest/common.bounded), so two tools' keys never collide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Action = Literal["firing", "resolved", "acknowledge"]


@dataclass(frozen=True)
class NormalAlert:
    """One alert: `fingerprint` identifies the alert, `correlation_key` the incident it belongs to.

    For Alertmanager and Grafana the correlation key is made from the notification's groupKey
    (one group, one incident); for Events API v2 from the routing key's scope and the dedup_key.
    """

    action: Action
    fingerprint: str
    correlation_key: str
    title: str
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict = field(default_factory=dict)
    description: str = ""
    severity: str | None = None  # a field of the payload (Events API v2); else taken from labels
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    generator_url: str | None = None
    group_key: str | None = None  # the sender's groupKey as sent (Alertmanager, Grafana)


@dataclass(frozen=True)
class AlertBatch:
    source: str
    alerts: tuple[NormalAlert, ...]
    # Events API v2: the routing key (a credential; never stored) and the dedup_key to answer with
    # (the sender's, or the one made for an event sent without one).
    routing_key: str | None = None
    sender_dedup_key: str | None = None
    # Alertmanager/Grafana `truncatedAlerts`: alerts of the group the sender left out (max_alerts).
    # More of the group may be firing than the batch shows, so it never auto-resolves the incident.
    truncated: int = 0
