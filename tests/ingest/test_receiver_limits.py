"""The receiver's own limits: disabled integrations, error lists, slow bodies, /healthz, malformed
HTTP, and labels longer than any column — over real HTTP, on both backends."""

from __future__ import annotations

import json
import socket
import time

from incidentdesk.store.models import Alert, Incident

from tests.support.payloads import am_alert, am_payload, event
from tests.support.receiver import AM_TOKEN, ROUTING_KEY


NOTHING = {"incidents": 0, "alerts": 0, "events": 0, "receipts": 0, "changes": 0}
AUTH = {"Authorization": f"Bearer {AM_TOKEN}", "Content-Type": "application/json"}


def _raw(rx, request: bytes, *, wait: float = 10.0) -> bytes:
    """Send raw bytes and read until the server closes the connection (or `wait` passes)."""
    host, port = rx.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(request)
        chunks, deadline = [], time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def _split(response: bytes) -> tuple[int, dict, dict]:
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body) if body else {}


def test_a_disabled_integration_is_refused_and_nothing_is_stored(start_receiver):
    rx = start_receiver({"integrations": {
        "prom": {"format": "alertmanager", "token": AM_TOKEN, "enabled": False},
        "pd": {"format": "events-v2", "token": ROUTING_KEY, "enabled": False},
    }})
    r = rx.am(am_payload([am_alert("fp-1")]))
    assert r.status_code == 403 and "disabled" in r.json()["message"] and "prom" in r.json()["message"]
    r = rx.event(event(routing_key=ROUTING_KEY))
    assert r.status_code == 403 and "disabled" in r.json()["message"]
    assert rx.counts() == NOTHING


def test_a_body_of_many_bad_items_gets_a_short_error_list_with_a_count(start_receiver):
    rx = start_receiver()
    body = b'{"version":"4","status":"firing","groupKey":"g","alerts":[' + b",".join([b"1"] * 490_000) + b"]}"
    assert len(body) < 1024 * 1024
    r = rx.client.post(f"{rx.url}/api/v1/alertmanager", content=body, headers=AUTH)
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert len(r.content) < 8_000 and 1 < len(errors) <= 21
    assert errors[0] == "'alerts[0]' must be an object, not a number"
    assert errors[-1].startswith("... and 489,980 more problems")
    assert rx.counts() == NOTHING


def test_a_slow_body_gets_408_and_the_connection_is_closed(start_receiver):
    rx = start_receiver({"body_timeout_seconds": 0.5})
    head = (b"POST /api/v1/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + AM_TOKEN.encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"version\"")
    started = time.monotonic()
    status, headers, body = _split(_raw(rx, head))  # the rest of the body never comes
    assert status == 408 and "body_timeout_seconds" in body["message"]
    assert headers.get("connection") == "close"
    assert time.monotonic() - started < 5
    assert rx.counts() == NOTHING
    assert rx.am(am_payload([am_alert("fp-1")])).status_code == 200  # the receiver is still serving


def test_healthz_says_only_ok_unless_authenticated(start_receiver):
    rx = start_receiver()
    r = rx.client.get(f"{rx.url}/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert rx.db.display_name not in r.text
    r = rx.client.get(f"{rx.url}/healthz", headers={"Authorization": "Bearer wrong"})
    assert r.json() == {"status": "ok"}
    r = rx.client.get(f"{rx.url}/healthz", headers={"Authorization": f"Bearer {AM_TOKEN}"})
    assert r.json() == {"status": "ok", "database": rx.db.display_name}


def test_a_malformed_content_length_gets_the_json_error(start_receiver):
    rx = start_receiver()
    for value in (b"abc", b"-1", b"1, 2", b"99999999999999999999999"):
        request = (b"POST /api/v1/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + AM_TOKEN.encode()
                   + b"\r\nContent-Type: application/json\r\nContent-Length: " + value + b"\r\n\r\n{}")
        status, headers, body = _split(_raw(rx, request))
        assert status == 400, value
        assert headers["content-type"].startswith("application/json"), value
        assert body["status"] == "error" and "Content-Length" in body["message"], value
    assert rx.counts() == NOTHING


def test_labels_longer_than_every_column_are_kept_whole_and_never_refused(start_receiver):
    rx = start_receiver()
    long = {name: name[0] * 5000 for name in ("service", "instance", "category")}
    payload = am_payload([am_alert("f" * 5000, alertname="A" * 5000, **long)], group="G" * 5000)
    r = rx.am(payload)
    assert r.status_code == 200, r.text  # PostgreSQL used to answer 500: the sender retried forever
    key = r.json()["created"][0]
    with rx.db.read() as s:
        inc = s.query(Incident).filter_by(key=key).one()
        limits = {c: Incident.__table__.c[c].type.length for c in ("affected_service", "ci", "category", "title")}
        for column, limit in limits.items():
            value = getattr(inc, column)
            assert value and len(value) <= limit, column
        assert inc.affected_service.startswith("s" * 150) and inc.ci.startswith("i" * 150)
        [alert] = s.query(Alert).filter_by(incident_id=inc.id).all()
        assert alert.labels["service"] == long["service"] and alert.labels["alertname"] == "A" * 5000
        assert len(alert.fingerprint) <= Alert.__table__.c.fingerprint.type.length
    # The same alert again is the same alert (its cut key is stable), not a new incident.
    again = rx.am(am_payload([am_alert("f" * 5000, alertname="A" * 5000, value="1%", **long)], group="G" * 5000))
    assert again.json()["incidents"] == [key] and again.json()["created"] == []
