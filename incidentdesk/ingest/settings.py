"""The receiver's settings, built from `[ingest]` in incidentdesk.toml (validated by config/ingest.py):
integrations and their tokens, limits, routing and severity.

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
    # token_file = "~/.config/incidentdesk/am.token"  # ...or from a file only its owner may read

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

from incidentdesk.config import Config, ConfigError, plain
from incidentdesk.config.ingest import Ingest as IngestTable
from incidentdesk.config.ingest import Integration as IngestIntegration
from incidentdesk.domain import routing
from incidentdesk.domain.errors import ValidationError
from incidentdesk.services.alerts import MONITORING_LOGIN, AlertPolicy

_DEFAULTS = IngestTable()  # the schema owns the defaults
DEFAULT_HOST = _DEFAULTS.host
DEFAULT_PORT = _DEFAULTS.port
DEFAULT_MAX_BODY = _DEFAULTS.max_body_bytes
DEFAULT_BODY_TIMEOUT = _DEFAULTS.body_timeout_seconds


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
    metrics_token: str | None = field(default=None, repr=False)   # None: GET /metrics is off (403)

    def for_format(self, fmt: str) -> tuple[Integration, ...]:
        return tuple(i for i in self.integrations if i.format == fmt)


def _token(name: str, item: IngestIntegration, source: str, table: str | None = None) -> str:
    """The integration's token: from token_env, else token_file, else the file itself (the schema checked the form)."""
    from pathlib import Path

    from incidentdesk.store.files import check_secret_file

    where = f"{source}: [{table or f'ingest.integrations.{name}'}]"
    if item.token_env:
        token = os.environ.get(item.token_env, "")
        if not token.strip():
            raise ConfigError([f"{where} token_env names {item.token_env}, which is not set (or empty) in this "
                               "environment: set it for the receiver, or use token_file"])
        return token.strip()
    if item.token_file:
        path = Path(item.token_file).expanduser()
        try:
            check_secret_file(path, f"token file of [{table or f'ingest.integrations.{name}'}]")
            token = path.read_text(encoding="utf-8").strip()
        except ValidationError as exc:
            raise ConfigError([f"{where} {exc}"]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{where} token_file = {str(path)!r}: cannot read it "
                               f"({getattr(exc, 'strerror', None) or exc})"]) from None
        if not token:
            raise ConfigError([f"{where} token_file {str(path)!r} is empty: put the token in it"])
        return token
    return (item.token or item.routing_key or "").strip()


def _metrics_token(table: IngestTable, source: str) -> str | None:
    """The /metrics scrape token, read like an integration's (env wins over file over literal); None if unset."""
    if not (table.metrics_token or table.metrics_token_env or table.metrics_token_file):
        return None
    shim = IngestIntegration(format="alertmanager", token=table.metrics_token, token_env=table.metrics_token_env,
                             token_file=table.metrics_token_file)
    return _token("metrics", shim, source, table="ingest")


def settings_from_config(config: Config) -> IngestSettings:
    """The receiver's settings from the validated `[ingest]` section; the tokens read now (env, files)."""
    table = config.schema.ingest
    integrations = tuple(Integration(name=name, format=item.format, token=_token(name, item, config.source),
                                     enabled=item.enabled) for name, item in table.integrations.items())
    policy = AlertPolicy(
        rules=tuple(routing.rules_from_config([plain(r) for r in table.routes])),
        severity_table=routing.severity_table_from_config({k: plain(v) for k, v in table.severity.items()}),
        mapping=routing.label_mapping_from_config(plain(table.mapping)),
        default_group=table.default_group,
        auto_resolve=table.auto_resolve,
        raise_priority=table.raise_priority,
        burst_gap=timedelta(seconds=table.burst_gap_seconds),
        receipt_window=timedelta(seconds=table.retry_window_seconds),
    )
    return IngestSettings(
        integrations=integrations, host=table.host, port=table.port, max_body_bytes=table.max_body_bytes,
        body_timeout=table.body_timeout_seconds, actor=table.actor, policy=policy,
        metrics_token=_metrics_token(table, config.source),
    )
