"""`[ingest]` in incidentdesk.toml: integrations and their tokens, limits, routing and severity.

    [ingest]
    host = "127.0.0.1"            # receiver bind address (--host wins)
    port = 9095                   # (--port wins)
    max_body_bytes = 1048576      # larger bodies get 413
    body_timeout_seconds = 10     # a body not fully arrived by then gets 408 (a slow client frees its slot)
    auto_resolve = true           # false: only note in the timeline when every alert resolved
    raise_priority = true         # false: a more severe alert joining is only noted, never reprioritises
    burst_gap_seconds = 300       # repeats closer than this are one burst (one timeline line)
    retry_window_seconds = 30     # a byte-identical delivery this soon is the sender's retry: not counted
                                  # again (last-seen still moves); later, it is a repeat and counts
    default_group = "Service Desk"  # when no routing rule names a group (optional)
    actor = "monitoring"          # the login alert-made changes are recorded under

    [ingest.integrations.prometheus]   # one table per sender
    format = "alertmanager"            # alertmanager | grafana | events-v2
    token = "long-random-secret"       # Bearer token (for events-v2: the routing_key)
    enabled = true                     # false: its senders get 403 and nothing is stored
    # token_env = "AM_TOKEN"           # ...or read it from this environment variable

    [ingest.severity.critical]         # severity label/field -> impact, urgency, severity
    impact = "high"
    urgency = "high"
    severity = "SEV1"

    [ingest.mapping]                   # which labels name service / CI / category / severity
    service_labels = ["service", "component", "job"]

    [[ingest.routes]]                  # first match wins
    name = "databases"
    match = { team = "dba" }           # label equality
    match_re = { alertname = "Postgres.*" }
    service = "Payments"               # mapped service equals (case-insensitive)
    category = "Infrastructure"        # category path prefix
    source = "alertmanager"
    group = "Database"
    tier = 2
    assignee = "dana"                  # optional
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

from incidentdesk.config import Config
from incidentdesk.domain import routing
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.alerts import SOURCES
from incidentdesk.services.alerts import MONITORING_LOGIN, AlertPolicy

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9095
DEFAULT_MAX_BODY = 1024 * 1024
DEFAULT_BODY_TIMEOUT = 10.0
DEFAULT_RETRY_WINDOW = 30
LOGIN_LIMIT = 64  # the actor is recorded on every timeline event (TimelineEvent.actor)


@dataclass(frozen=True)
class Integration:
    name: str
    format: str
    token: str = field(repr=False)
    enabled: bool = True


@dataclass(frozen=True)
class IngestSettings:
    integrations: tuple[Integration, ...] = ()
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    max_body_bytes: int = DEFAULT_MAX_BODY
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    actor: str = MONITORING_LOGIN
    policy: AlertPolicy = AlertPolicy()

    def for_format(self, fmt: str) -> tuple[Integration, ...]:
        return tuple(i for i in self.integrations if i.format == fmt)


def _number(table: dict, key: str, default, *, minimum: float = 0):
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ValidationError(f"[ingest] {key} must be a number >= {minimum:g}")
    return value


def _flag(table: dict, key: str, default: bool = True) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ValidationError(f"[ingest] {key} must be true or false")
    return value


def settings_from_config(config: Config) -> IngestSettings:
    table = config.section("ingest")
    integrations = []
    for name, item in (table.get("integrations") or {}).items():
        where = f"[ingest.integrations.{name}]"
        if not isinstance(item, dict):
            raise ValidationError(f"{where} must be a table with format and token")
        fmt = item.get("format")
        if fmt not in SOURCES:
            raise ValidationError(f"{where} format must be one of {', '.join(SOURCES)}")
        token = item.get("token") or item.get("routing_key")
        if item.get("token_env"):
            token = os.environ.get(str(item["token_env"]))
            if not token:
                raise ValidationError(f"{where} token_env names {item['token_env']}, which is not set")
        if not isinstance(token, str) or not token.strip():
            raise ValidationError(f"{where} needs a token (or token_env)")
        enabled = item.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ValidationError(f"{where} enabled must be true or false")
        integrations.append(Integration(name=str(name), format=fmt, token=token.strip(), enabled=enabled))
    auto_resolve = _flag(table, "auto_resolve")
    raise_priority = _flag(table, "raise_priority")
    default_group = table.get("default_group")
    if default_group is not None and (not isinstance(default_group, str) or not default_group.strip()):
        raise ValidationError("[ingest] default_group must be a group name")
    actor = table.get("actor", MONITORING_LOGIN)
    if not isinstance(actor, str) or not actor.strip() or len(actor.strip()) > LOGIN_LIMIT:
        raise ValidationError(f"[ingest] actor must be a login of at most {LOGIN_LIMIT} characters")
    policy = AlertPolicy(
        rules=tuple(routing.rules_from_config(table.get("routes"))),
        severity_table=routing.severity_table_from_config(table.get("severity")),
        mapping=routing.label_mapping_from_config(table.get("mapping")),
        default_group=default_group.strip() if default_group else None,
        auto_resolve=auto_resolve,
        raise_priority=raise_priority,
        burst_gap=timedelta(seconds=_number(table, "burst_gap_seconds", 300)),
        receipt_window=timedelta(seconds=_number(table, "retry_window_seconds", DEFAULT_RETRY_WINDOW)),
    )
    return IngestSettings(
        integrations=tuple(integrations),
        host=str(table.get("host", DEFAULT_HOST)),
        port=int(_number(table, "port", DEFAULT_PORT, minimum=0)),
        max_body_bytes=int(_number(table, "max_body_bytes", DEFAULT_MAX_BODY, minimum=1)),
        body_timeout=float(_number(table, "body_timeout_seconds", DEFAULT_BODY_TIMEOUT, minimum=0.1)),
        actor=actor.strip(),
        policy=policy,
    )
