"""PagerDuty's Events API v2 (`POST /v2/enqueue`): one event per request, routed by routing_key.

https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
"""

from __future__ import annotations

import hashlib

from incidentdesk.domain.alerts import AlertBatch, NormalAlert
from incidentdesk.ingest.common import Reader, bounded, clean_json, shorten, type_name
from incidentdesk.ingest.errors import PayloadError

ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")
DEDUP_LIMIT = 255
SUMMARY_LIMIT = 1024
KEY_LIMIT = 300


def routing_scope(routing_key: str) -> str:
    """Dedup keys are scoped per routing key (per service) without storing the key, a credential."""
    return hashlib.sha256(routing_key.encode("utf-8", "replace")).hexdigest()[:12]


def parse_events_v2(data, *, body_digest: str = "") -> AlertBatch:
    """`body_digest` names an event sent without dedup_key, so a retry of it maps to the same incident."""
    if not isinstance(data, dict):
        raise PayloadError([f"the event must be a JSON object, not {type_name(data)}"])
    r = Reader()
    routing_key = r.string(data, "routing_key", "", required=True)
    action = r.string(data, "event_action", "", required=True)
    if action is not None and action not in ACTIONS:
        r.fail(f"'event_action' must be one of {', '.join(ACTIONS)}, not {shorten(action, 40)!r}")
    dedup_key = r.string(data, "dedup_key", "", nonempty=True, max_len=DEDUP_LIMIT)
    if action in ("acknowledge", "resolve") and data.get("dedup_key") is None:
        r.fail(f"'dedup_key' is required for {action} events")
    r.string(data, "client", "")
    client_url = r.string(data, "client_url", "")
    links = _list_of_objects(r, data, "links", ("href", "text"), required=("href",))
    images = _list_of_objects(r, data, "images", ("src", "href", "alt"), required=("src",))
    labels: dict[str, str] = {}
    annotations: dict = {}
    summary = severity = None
    timestamp = None
    if action == "trigger" or data.get("payload") is not None:
        payload = r.obj(data.get("payload"), "'payload'")
        if payload is not None:
            summary = r.string(payload, "summary", "payload", required=True)
            source = r.string(payload, "source", "payload", required=True)
            severity = r.string(payload, "severity", "payload", required=True)
            if severity is not None and severity not in SEVERITIES:
                r.fail(f"'payload.severity' must be one of {', '.join(SEVERITIES)}, not {shorten(severity, 40)!r}")
            timestamp = r.time(payload, "timestamp", "payload")
            extra = {k: r.string(payload, k, "payload") for k in ("component", "group", "class")}
            details = payload.get("custom_details")
            if details is not None:
                details = clean_json(details)
                if isinstance(details, dict):
                    labels.update({k: str(v) for k, v in details.items()
                                   if isinstance(v, str | int | float) and not isinstance(v, bool)})
                annotations["custom_details"] = details
            labels.update({k: v for k, v in extra.items() if v})
            if source:
                labels["source"] = source
            if severity:
                labels["severity"] = severity
    r.check()
    assert action is not None and routing_key is not None
    if dedup_key is None:
        dedup_key = body_digest[:32] or hashlib.sha256(repr(sorted(data.items())).encode()).hexdigest()[:32]
    if summary is not None:
        annotations["summary"] = summary
    if links:
        annotations["links"] = links
    if images:
        annotations["images"] = images
    scope = routing_scope(routing_key)
    correlation_key = bounded(f"events-v2:{scope}:{dedup_key}", KEY_LIMIT)
    title = shorten(" ".join((summary or dedup_key).split()), 480) or dedup_key
    description = "\n".join(f"link: {link.get('text') or ''} {link['href']}".replace("  ", " ") for link in links)
    alert = NormalAlert(
        action={"trigger": "firing", "resolve": "resolved", "acknowledge": "acknowledge"}[action],  # type: ignore[arg-type]
        fingerprint=bounded(f"{scope}:{dedup_key}", KEY_LIMIT), correlation_key=correlation_key, title=title, labels=labels,
        annotations=annotations, description=description, severity=severity, starts_at=timestamp,
        generator_url=client_url,
    )
    return AlertBatch(source="events-v2", alerts=(alert,), routing_key=routing_key, sender_dedup_key=dedup_key)


def _list_of_objects(r: Reader, data: dict, key: str, fields: tuple[str, ...], required: tuple[str, ...]) -> list[dict]:
    out = []
    for where, item in r.objects(data, key):
        entry = {}
        for f in fields:
            text = r.string(item, f, where, required=f in required)
            if text is not None:
                entry[f] = text
        out.append(entry)
    return out
