"""Helpers of the notification tests: a [notify] config with quick retries, an incident, a poll with a deadline."""

from __future__ import annotations

import time

from incidentdesk.config import parse_config
from incidentdesk.domain.enums import Level


def notify_config(*, rules: list[dict], channels: dict[str, str] | None = None, **settings):
    """A Config with [notify]: channels as name -> environment variable, quick retries for tests."""
    table = {"backoff_base_seconds": 0.05, "backoff_max_seconds": 0.2, "timeout_seconds": 0.5,
             "lease_seconds": 2, "max_attempts": 3, **settings,
             "channel": [{"name": name, "url_env": env} for name, env in (channels or {"ops": "TEST_OPS_URL"}).items()],
             "rule": rules}
    return parse_config({"notify": table})


def new_incident(ctx, title="Checkout down", impact=Level.HIGH, urgency=Level.HIGH, **kwargs) -> str:
    from incidentdesk.services import incidents as svc

    return svc.log_incident(ctx, svc.Intake(title=title, impact=impact, urgency=urgency, **kwargs))


def wait_for(predicate, timeout=10.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
