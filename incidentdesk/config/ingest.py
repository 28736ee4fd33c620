"""`[ingest]`: the alert receiver — where it listens, its limits, integrations and their tokens,
severity mapping, label mapping and routing rules (the format: ingest/settings.py's docstring).

Tokens are secrets: a literal `token` (the file must then be private), `token_env` (an
environment variable) or `token_file` (a file only its owner may read). Only the form is checked
here; the variable and the file are read when the receiver (or `ingest`) starts, in the
environment it runs in, so a console without the receiver's variables still starts.
"""

from __future__ import annotations

import re
from typing import Annotated

import msgspec

from incidentdesk.config.base import Section, bad, choice, doc, non_empty
from incidentdesk.domain.enums import Level, Severity
from incidentdesk.domain.alert_labels import SOURCES, LabelMapping

LOGIN_LIMIT = 64  # the actor is recorded on every timeline event (TimelineEvent.actor)
LEVELS = tuple(level.value for level in Level)
SEVERITIES = tuple(s.value for s in Severity)


class Integration(Section):
    """`[ingest.integrations.NAME]`: one sender and its token."""

    format: Annotated[str, doc(" | ".join(SOURCES))]
    token: Annotated[str | None, doc("the bearer token (events-v2: the routing_key); keep the file private")] = None
    routing_key: Annotated[str | None, doc("events-v2: the same as token")] = None
    token_env: Annotated[str | None, doc("read the token from this environment variable (wins over the others)")] = None
    token_file: Annotated[str | None, doc("read the token from this file, which only its owner may read (wins over token)")] = None
    enabled: Annotated[bool, doc("false: its senders get 403 and nothing is stored")] = True

    def __post_init__(self) -> None:
        if self.format not in SOURCES:
            raise bad("format", self.format, "use one of " + ", ".join(f'"{s}"' for s in SOURCES))
        for key in ("token", "routing_key", "token_env", "token_file"):
            non_empty(self, key)
        if not (self.token or self.routing_key or self.token_env or self.token_file):
            raise ValueError("token is missing: give token, token_env or token_file")


class SeverityRow(Section):
    """`[ingest.severity.NAME]`: what an alert of this severity becomes."""

    impact: Annotated[str, doc("high | medium | low")]
    urgency: Annotated[str, doc("high | medium | low")]
    severity: Annotated[str | None, doc("SEV1..SEV4 (default: the built-in row's, else SEV3)")] = None

    def __post_init__(self) -> None:
        choice(self, "impact", LEVELS)
        choice(self, "urgency", LEVELS)
        if self.severity is not None:
            if self.severity.strip().upper() not in SEVERITIES:
                raise bad("severity", self.severity, "use one of " + ", ".join(SEVERITIES))
            msgspec.structs.force_setattr(self, "severity", self.severity.strip().upper())


_DEFAULT_LABELS = LabelMapping()


class Mapping(Section):
    """`[ingest.mapping]`: which labels name the service, CI, category and severity (first present wins)."""

    service_labels: Annotated[list[str], doc("labels naming the service")] = msgspec.field(default_factory=lambda: list(_DEFAULT_LABELS.service))
    ci_labels: Annotated[list[str], doc("labels naming the CI")] = msgspec.field(default_factory=lambda: list(_DEFAULT_LABELS.ci))
    category_labels: Annotated[list[str], doc("labels naming the category")] = msgspec.field(default_factory=lambda: list(_DEFAULT_LABELS.category))
    severity_labels: Annotated[list[str], doc("labels naming the severity")] = msgspec.field(default_factory=lambda: list(_DEFAULT_LABELS.severity))


class Route(Section):
    """`[[ingest.routes]]`: a routing rule; every condition given must hold; first match wins."""

    name: Annotated[str | None, doc("shown in the timeline (default: rule N)")] = None
    match: Annotated[dict[str, str], doc("label = value, all equal")] = {}
    match_re: Annotated[dict[str, str], doc("label = regular expression, all match")] = {}
    service: Annotated[str | None, doc("the mapped service equals (case-insensitive)")] = None
    category: Annotated[str | None, doc("the category path starts with")] = None
    source: Annotated[str | None, doc(" | ".join(SOURCES))] = None
    group: Annotated[str | None, doc("the group it is routed to")] = None
    tier: Annotated[int | None, doc("1, 2 or 3")] = None
    assignee: Annotated[str | None, doc("the login it is assigned to")] = None
    assign: Annotated[str | None, doc('"oncall": to the group\'s current on-call (when no assignee)')] = None

    def __post_init__(self) -> None:
        for key in ("name", "service", "category", "source", "group", "assignee", "assign"):
            non_empty(self, key)
        if self.assign is not None and self.assign != "oncall":
            raise bad("assign", self.assign, 'use "oncall" (the group\'s current on-call)')
        if self.source is not None and self.source not in SOURCES:
            raise bad("source", self.source, "use one of " + ", ".join(f'"{s}"' for s in SOURCES))
        if self.tier is not None and self.tier not in (1, 2, 3):
            raise bad("tier", self.tier, "use 1, 2 or 3")
        for label, pattern in self.match_re.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise bad(f"match_re.{label}", pattern, f"not a valid regular expression ({exc})") from None


class Ingest(Section):
    host: Annotated[str, doc("the receiver's bind address (--host wins)")] = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=0, le=65535), doc("the receiver's port (--port wins)")] = 9095
    max_body_bytes: Annotated[int, msgspec.Meta(ge=1), doc("larger bodies get 413")] = 1024 * 1024
    body_timeout_seconds: Annotated[float, msgspec.Meta(ge=0.1), doc(
        "the whole body within this, else 408")] = 10.0
    auto_resolve: Annotated[bool, doc("false: only note when every alert resolved")] = True
    raise_priority: Annotated[bool, doc("false: a more severe alert is only noted")] = True
    burst_gap_seconds: Annotated[float, msgspec.Meta(ge=0), doc(
        "a repeat after this much quiet starts a new timeline line")] = 300.0
    retry_window_seconds: Annotated[float, msgspec.Meta(ge=0), doc(
        "a delivery sent again this soon may be a retry (not counted again)")] = 30.0
    default_group: Annotated[str | None, doc("when no routing rule names a group")] = None
    actor: Annotated[str, doc(f"the login alert-made changes are recorded under (at most {LOGIN_LIMIT})")] = \
        "monitoring"
    integrations: Annotated[dict[str, Integration], doc("[ingest.integrations.NAME], one per sender")] = {}
    severity: Annotated[dict[str, SeverityRow], doc(
        "[ingest.severity.NAME], merged over the built-in critical, error, warning, info, ...")] = {}
    mapping: Annotated[Mapping, doc("[ingest.mapping]")] = Mapping()
    routes: Annotated[list[Route], doc("[[ingest.routes]], first match wins")] = []
    metrics_token: Annotated[str | None, doc(
        "GET /metrics bearer token (Prometheus scrape); keep the file private. None of the three: /metrics is off")] = None
    metrics_token_env: Annotated[str | None, doc("read the /metrics token from this environment variable")] = None
    metrics_token_file: Annotated[str | None, doc("read the /metrics token from this file (owner-only)")] = None

    def __post_init__(self) -> None:
        non_empty(self, "default_group")
        non_empty(self, "actor", LOGIN_LIMIT)
        non_empty(self, "host")
        for key in ("metrics_token", "metrics_token_env", "metrics_token_file"):
            non_empty(self, key)
