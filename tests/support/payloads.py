"""Payloads shaped exactly as the real senders write them (Go's zero time, nanoseconds...)."""

from __future__ import annotations

ZERO = "0001-01-01T00:00:00Z"


def am_alert(fingerprint: str, *, status: str = "firing", alertname: str = "DiskFull", starts: str = "2026-11-23T08:59:00.123456789Z",
             ends: str = ZERO, summary: str = "disk almost full", value: str = "97%", **labels) -> dict:
    return {
        "status": status,
        "labels": {"alertname": alertname, **labels},
        "annotations": {"summary": summary, "description": f"usage is {value}", "value": value},
        "startsAt": starts, "endsAt": ends if status == "firing" else "2026-11-23T09:30:00Z",
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=disk", "fingerprint": fingerprint,
    }


def am_payload(alerts: list[dict], *, group: str = "DiskFull", status: str | None = None) -> dict:
    firing = any(a["status"] == "firing" for a in alerts)
    return {
        "version": "4", "groupKey": f'{{}}/{{}}:{{alertname="{group}"}}',
        "truncatedAlerts": 0, "status": status or ("firing" if firing else "resolved"), "receiver": "incidentdesk",
        "groupLabels": {"alertname": group}, "commonLabels": {"alertname": group}, "commonAnnotations": {},
        "externalURL": "http://alertmanager.example:9093", "alerts": alerts,
    }


def grafana_payload(fingerprint: str = "c6eadffa33fcdf37", *, status: str = "firing") -> dict:
    return {
        "receiver": "incidentdesk", "status": status, "orgId": 1,
        "alerts": [{
            "status": status,
            "labels": {"alertname": "HighLatency", "grafana_folder": "Payments", "service": "Payments",
                       "severity": "warning"},
            "annotations": {"summary": "p99 latency over 2 s"},
            "startsAt": "2026-11-23T08:50:00Z",
            "endsAt": ZERO if status == "firing" else "2026-11-23T09:20:00Z",
            "generatorURL": "http://grafana.example/alerting/grafana/abc/view",
            "fingerprint": fingerprint, "silenceURL": "http://grafana.example/silence",
            "dashboardURL": "http://grafana.example/d/x", "panelURL": "http://grafana.example/d/x?viewPanel=2",
            "values": {"B": 2.3, "C": 1}, "valueString": "[ var='B' value=2.3 ]",
        }],
        "groupLabels": {"alertname": "HighLatency"}, "commonLabels": {"alertname": "HighLatency"},
        "commonAnnotations": {}, "externalURL": "http://grafana.example/", "version": "1",
        "groupKey": '{}/{}:{alertname="HighLatency"}', "truncatedAlerts": 0,
        "title": "[FIRING:1] HighLatency", "state": "alerting", "message": "p99 latency over 2 s",
    }


def event(action: str = "trigger", dedup_key: str | None = "db-disk-1", *, routing_key: str,
          severity: str = "critical", summary: str = "db1 disk full") -> dict:
    body: dict = {"routing_key": routing_key, "event_action": action}
    if dedup_key is not None:
        body["dedup_key"] = dedup_key
    if action == "trigger":
        body["payload"] = {"summary": summary, "source": "db1.example", "severity": severity,
                           "timestamp": "2026-11-23T08:58:00.000+0000", "component": "postgres",
                           "group": "prod-db", "class": "disk", "custom_details": {"free": "1%", "team": "dba"}}
        body["links"] = [{"href": "http://runbooks.example/disk", "text": "runbook"}]
        body["images"] = [{"src": "http://graphs.example/disk.png"}]
    return body


# ---- PagerDuty Events API v2, byte for byte as the official clients send it ----

def pd_python_client(action: str, dedup_key: str | None, routing_key: str, *, summary: str = "", source: str = "",
                     severity: str = "critical") -> tuple[bytes, dict]:
    """python-pagerduty 7.x `EventsApiV2Client.trigger()/resolve()/acknowledge()`: the body it builds
    (event_action, payload, dedup_key, then routing_key added by its auth method; httpx's compact JSON)
    and its headers. No timestamp: a repeat is byte-identical."""
    import json

    event: dict = {"event_action": action}
    if action == "trigger":
        event["payload"] = {"summary": summary, "source": source, "severity": severity}
    if dedup_key is not None:
        event["dedup_key"] = dedup_key
    event["routing_key"] = routing_key
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    return body, {"User-Agent": "python-pagerduty/7.2.0 httpx2/2.16.2 Python/3.11", "Content-Type": "application/json"}


def pd_go_client(action: str, dedup_key: str | None, routing_key: str, *, summary: str = "", source: str = "",
                 severity: str = "critical") -> tuple[bytes, dict]:
    """go-pagerduty `ManageEventWithContext(V2Event{...})`: encoding/json of its struct, fields in
    declaration order, empty ones omitted."""
    import json

    event: dict = {"routing_key": routing_key, "event_action": action}
    if dedup_key:
        event["dedup_key"] = dedup_key
    if action == "trigger":
        event["payload"] = {"summary": summary, "source": source, "severity": severity}
    body = json.dumps(event, separators=(",", ":")).encode()
    return body, {"Content-Type": "application/json", "User-Agent": "go-pagerduty/1.8.0"}
