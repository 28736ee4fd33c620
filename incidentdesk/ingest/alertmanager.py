"""Prometheus Alertmanager's webhook payload (version "4"), and Grafana's, which copies its shape.

https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
"""

from __future__ import annotations

from incidentdesk.domain.alerts import AlertBatch, NormalAlert
from incidentdesk.ingest.common import Reader, bounded, shorten, type_name
from incidentdesk.ingest.errors import PayloadError

STATUSES = ("firing", "resolved")
FINGERPRINT_LIMIT = 300
KEY_LIMIT = 300
GROUP_KEY_LIMIT = 500
MAX_TITLE = 480


def alert_title(labels: dict[str, str], annotations: dict[str, str]) -> str:
    """What a person scanning the queue needs: the alert name and its one-line summary."""
    name = labels.get("alertname", "").strip()
    summary = (annotations.get("summary") or annotations.get("title") or annotations.get("message") or "").strip()
    if name and summary and summary != name:
        title = f"{name}: {summary}"
    else:
        title = name or summary
    if not title:
        title = ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "alert without labels"
    return shorten(" ".join(title.split()), MAX_TITLE)


def describe(annotations: dict[str, str], url: str | None) -> str:
    parts = [annotations.get("description", "").strip()]
    for key in ("runbook_url", "runbook", "dashboard"):
        if annotations.get(key):
            parts.append(f"{key}: {annotations[key]}")
    if url:
        parts.append(f"source: {url}")
    return "\n".join(p for p in parts if p)


def parse_grouped(data, source: str, *, version: str | None, extra_alert_fields: tuple[str, ...] = ()) -> AlertBatch:
    """Both Alertmanager and Grafana send a group: alerts[] sharing a groupKey."""
    r = Reader()
    if not isinstance(data, dict):
        raise PayloadError([f"the payload must be a JSON object, not {type_name(data)}"])
    if version is not None:
        got = data.get("version")
        if got is None:
            r.fail("'version' is missing")
        elif got != version:
            r.fail(f"'version' is {shorten(str(got), 20)!r}; this endpoint takes version {version!r}")
    status = r.string(data, "status", "", required=True)
    if status is not None and status not in STATUSES:
        r.fail(f"'status' must be firing or resolved, not {shorten(status, 40)!r}")
    r.string(data, "receiver", "")
    group_key = r.string(data, "groupKey", "", required=True)
    r.str_map(data, "groupLabels", "")
    r.str_map(data, "commonLabels", "")
    r.str_map(data, "commonAnnotations", "")
    r.string(data, "externalURL", "")
    truncated = r.integer(data, "truncatedAlerts", "")
    if truncated is not None and truncated < 0:
        r.fail("'truncatedAlerts' must not be negative")
    alerts = []
    for where, item in r.objects(data, "alerts", required=True):
        a_status = r.string(item, "status", where, required=True)
        if a_status is not None and a_status not in STATUSES:
            r.fail(f"'{where}.status' must be firing or resolved, not {shorten(a_status, 40)!r}")
        labels = r.str_map(item, "labels", where, required=True)
        annotations = r.str_map(item, "annotations", where)
        starts_at = r.time(item, "startsAt", where, required=True)
        ends_at = r.time(item, "endsAt", where)
        url = r.string(item, "generatorURL", where)
        fingerprint = r.string(item, "fingerprint", where, required=True)
        for key in extra_alert_fields:
            if item.get(key) is not None and not isinstance(item.get(key), str):
                r.fail(f"'{where}.{key}' must be a string, not {type_name(item.get(key))}")
        if r.errors or group_key is None or fingerprint is None or a_status is None:
            continue
        alerts.append(NormalAlert(
            action="resolved" if a_status == "resolved" else "firing",
            fingerprint=bounded(fingerprint, FINGERPRINT_LIMIT),
            correlation_key=bounded(f"{source}:{group_key}", KEY_LIMIT),
            title=alert_title(labels, annotations), labels=labels, annotations=annotations,
            description=describe(annotations, url), starts_at=starts_at, ends_at=ends_at,
            generator_url=url, group_key=bounded(group_key, GROUP_KEY_LIMIT),
        ))
    r.check()
    return AlertBatch(source=source, alerts=tuple(alerts), truncated=truncated or 0)


def parse_alertmanager(data) -> AlertBatch:
    return parse_grouped(data, "alertmanager", version="4")
