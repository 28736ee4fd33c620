"""What the config says of alert payloads: the formats accepted and which labels name which field.

Apart from the alert model (domain/alerts.py) and the routing rules (domain/routing.py), which
use them, so that the config schema can offer them as choices and defaults without importing
either: every command validates the config at start, and a site that receives no alerts should
not pay for the alert machinery.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCES = ("alertmanager", "events-v2", "grafana")  # the payload formats an integration may declare


@dataclass(frozen=True)
class LabelMapping:
    """Which labels name the service, the CI, the category and the severity (first present wins)."""

    service: tuple[str, ...] = ("service", "component", "job")
    ci: tuple[str, ...] = ("ci", "instance", "host", "source")
    category: tuple[str, ...] = ("category",)
    severity: tuple[str, ...] = ("severity",)
