"""The three parsers as pure functions, and hypothesis fuzzing: any JSON gives a batch or a clean error."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidentdesk.domain.alerts import AlertBatch
from incidentdesk.ingest.alertmanager import parse_alertmanager
from incidentdesk.ingest.common import decode_json
from incidentdesk.ingest.events_v2 import parse_events_v2
from incidentdesk.ingest.grafana import parse_grafana
from incidentdesk.ingest.errors import PayloadError
from incidentdesk.ingest.parsers import parse_body

from tests.ingest.payloads import am_alert, am_payload, event, grafana_payload

KEY = "R0UT1NGKEY0123456789abcdefabcdef"


def test_alertmanager_payload_normalised():
    batch = parse_alertmanager(am_payload([am_alert("fp1", instance="db1"), am_alert("fp2", status="resolved")]))
    a, b = batch.alerts
    assert batch.source == "alertmanager"
    assert (a.action, a.fingerprint, a.title) == ("firing", "fp1", "DiskFull: disk almost full")
    assert a.starts_at == datetime(2026, 11, 23, 8, 59, 0, 123456, tzinfo=UTC)  # nanoseconds read
    assert a.ends_at is None  # Go's zero time means unset
    assert a.correlation_key == b.correlation_key == 'alertmanager:{}/{}:{alertname="DiskFull"}'
    assert (b.action, b.ends_at) == ("resolved", datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    assert a.labels == {"alertname": "DiskFull", "instance": "db1"}


def test_long_keys_are_bounded_and_nul_removed():
    payload = am_payload([am_alert("f" * 1000, summary="a\x00b")])
    payload["groupKey"] = "g" * 2000
    [a] = parse_alertmanager(payload).alerts
    assert len(a.fingerprint) == 300 and len(a.correlation_key) == 300 and len(a.group_key) <= 500
    assert a.annotations["summary"] == "ab"
    other = am_payload([am_alert("f" * 999 + "x")])
    other["groupKey"] = "g" * 2000
    assert parse_alertmanager(other).alerts[0].fingerprint != a.fingerprint  # hashed, not just cut


@pytest.mark.parametrize("mutate, problem", [
    (lambda p: p.pop("alerts"), "'alerts' is missing"),
    (lambda p: p.update(alerts={}), "'alerts' must be an array"),
    (lambda p: p.update(status="on fire"), "'status' must be firing or resolved"),
    (lambda p: p["alerts"][0].update(status="ok"), "'alerts[0].status' must be firing or resolved"),
    (lambda p: p["alerts"][0].update(labels=["a"]), "'alerts[0].labels' must be an object of string values"),
    (lambda p: p["alerts"][0].update(startsAt="2026-13-45T00:00:00Z"), "'alerts[0].startsAt' is not an RFC 3339 time"),
    (lambda p: p["alerts"][0].update(startsAt="2026-11-23T09:00:00"), "'alerts[0].startsAt' has no time zone"),
    (lambda p: p["alerts"][0].update(fingerprint=7), "'alerts[0].fingerprint' must be a string, not a number"),
    (lambda p: p.update(truncatedAlerts="2"), "'truncatedAlerts' must be an integer"),
    (lambda p: p.update(version="3"), "'version' is '3'"),
])
def test_alertmanager_problems_are_named(mutate, problem):
    payload = am_payload([am_alert("fp1")])
    mutate(payload)
    with pytest.raises(PayloadError) as err:
        parse_alertmanager(payload)
    assert any(e.startswith(problem) for e in err.value.errors), err.value.errors


def test_grafana_payload_and_legacy_refusal():
    [a] = parse_grafana(grafana_payload()).alerts
    assert (a.title, a.fingerprint, a.labels["service"]) == ("HighLatency: p99 latency over 2 s", "c6eadffa33fcdf37", "Payments")
    assert a.correlation_key.startswith("grafana:")
    with pytest.raises(PayloadError, match="legacy"):
        parse_grafana({"ruleName": "x", "state": "alerting", "evalMatches": []})
    bad = grafana_payload()
    bad["orgId"] = "one"
    with pytest.raises(PayloadError, match="orgId"):
        parse_grafana(bad)


def test_events_v2_trigger_normalised():
    batch = parse_events_v2(event(routing_key=KEY))
    [a] = batch.alerts
    assert (batch.sender_dedup_key, a.action, a.severity, a.title) == ("db-disk-1", "firing", "critical", "db1 disk full")
    assert a.labels == {"free": "1%", "team": "dba", "component": "postgres", "group": "prod-db", "class": "disk",
                        "source": "db1.example", "severity": "critical"}
    assert a.starts_at == datetime(2026, 11, 23, 8, 58, tzinfo=UTC)
    assert KEY not in a.correlation_key and KEY not in a.fingerprint  # the routing key is a credential
    other_service = parse_events_v2(event(routing_key="another-key"))
    assert other_service.alerts[0].correlation_key != a.correlation_key  # correlation keys are per routing key


def test_events_v2_ack_resolve_and_generated_dedup_key():
    assert parse_events_v2(event("acknowledge", routing_key=KEY)).alerts[0].action == "acknowledge"
    assert parse_events_v2(event("resolve", routing_key=KEY)).alerts[0].action == "resolved"
    anon = event(routing_key=KEY, dedup_key=None)
    assert parse_events_v2(anon, body_digest="ab" * 32).sender_dedup_key == "ab" * 16


@pytest.mark.parametrize("body, problem", [
    ({"event_action": "trigger"}, "'routing_key' is missing"),
    ({"routing_key": KEY, "event_action": "snooze"}, "'event_action' must be one of"),
    ({"routing_key": KEY, "event_action": "trigger"}, "'payload' is missing"),
    ({"routing_key": KEY, "event_action": "resolve"}, "'dedup_key' is required for resolve events"),
    ({"routing_key": KEY, "event_action": "trigger", "payload": {"summary": "s", "source": "h", "severity": "fatal"}},
     "'payload.severity' must be one of critical, error, warning, info"),
    ({"routing_key": KEY, "event_action": "trigger", "dedup_key": "k" * 256,
      "payload": {"summary": "s", "source": "h", "severity": "info"}}, "'dedup_key' is 256 characters long"),
    ({"routing_key": KEY, "event_action": "trigger", "links": [{"text": "x"}],
      "payload": {"summary": "s", "source": "h", "severity": "info"}}, "'links[0].href' is missing"),
])
def test_events_v2_problems_are_named(body, problem):
    with pytest.raises(PayloadError) as err:
        parse_events_v2(body)
    assert any(e.startswith(problem) for e in err.value.errors), err.value.errors


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff", b"NaN", b'{"a": Infinity}', b"[" * 100_000, b"1" * 5000])
def test_decode_json_refuses_cleanly(raw):
    with pytest.raises(PayloadError):
        decode_json(raw)


# ---- fuzzing ----

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(), kids, max_size=4),
                           max_leaves=20)
PARSERS = [parse_alertmanager, parse_grafana, parse_events_v2]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _either(parser, data) -> None:
    try:
        result = parser(data)
    except PayloadError as exc:
        assert exc.errors and all(isinstance(e, str) and e for e in exc.errors)
        return
    assert isinstance(result, AlertBatch)
    for alert in result.alerts:
        json.dumps(alert.labels), json.dumps(alert.annotations)  # storable
        assert len(alert.fingerprint) <= 300 and len(alert.correlation_key) <= 300
        assert "\x00" not in alert.title


@FUZZ
@given(data=json_values)
def test_fuzz_arbitrary_json(data):
    for parser in PARSERS:
        _either(parser, data)


def _mutations(base: dict):
    """Valid payloads with one field (at any depth) replaced by arbitrary JSON or removed."""
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append(path + (k,))
                walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                paths.append(path + (i,))
                walk(v, path + (i,))

    walk(base, ())
    return st.tuples(st.sampled_from(paths), json_values | st.just(KeyError))


def _apply(base: dict, path, value):
    data = copy.deepcopy(base)
    node = data
    for step in path[:-1]:
        node = node[step]
    if value is KeyError and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = None if value is KeyError else value
    return data


AM_BASE = am_payload([am_alert("fp1", instance="db1"), am_alert("fp2", status="resolved")])
GRAFANA_BASE = grafana_payload()
EVENT_BASE = event(routing_key=KEY)


@FUZZ
@given(change=_mutations(AM_BASE))
def test_fuzz_alertmanager_mutations(change):
    _either(parse_alertmanager, _apply(AM_BASE, *change))


@FUZZ
@given(change=_mutations(GRAFANA_BASE))
def test_fuzz_grafana_mutations(change):
    _either(parse_grafana, _apply(GRAFANA_BASE, *change))


@FUZZ
@given(change=_mutations(EVENT_BASE))
def test_fuzz_events_v2_mutations(change):
    _either(parse_events_v2, _apply(EVENT_BASE, *change))


@FUZZ
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_fuzz_raw_bodies(raw):
    for fmt in ("alertmanager", "grafana", "events-v2"):
        try:
            parse_body(fmt, raw, digest="00" * 32)
        except PayloadError:
            pass


@FUZZ
@given(text=st.text(max_size=40))
def test_fuzz_times(text):
    payload = copy.deepcopy(AM_BASE)
    payload["alerts"][0]["startsAt"] = text
    _either(parse_alertmanager, payload)


def test_listed_problems_are_capped_with_a_count():
    payload = am_payload([am_alert("fp1")])
    payload["alerts"] = [1] * 1000 + [{"status": "nope"}]
    with pytest.raises(PayloadError) as err:
        parse_alertmanager(payload)
    errors = err.value.errors
    assert len(errors) == 21 and errors[0] == "'alerts[0]' must be an object, not a number"
    # 1000 bad items + the last one's status, labels, startsAt and fingerprint problems, minus the 20 listed
    assert errors[-1] == "... and 984 more problems (only the first 20 are listed)"
    assert PayloadError(["a", "b"]).errors == ["a", "b"]  # a short list is left as it is


def test_truncated_alerts_are_carried_into_the_batch():
    payload = am_payload([am_alert("fp1")])
    assert parse_alertmanager(payload).truncated == 0
    payload["truncatedAlerts"] = 2
    assert parse_alertmanager(payload).truncated == 2
    graf = grafana_payload()
    graf["truncatedAlerts"] = 3
    assert parse_grafana(graf).truncated == 3


def test_key_limits_are_the_columns_lengths():
    """Keys are bounded (hashed, never just cut) to exactly what their columns hold on either backend."""
    from incidentdesk.ingest import alertmanager, events_v2
    from incidentdesk.store.models import Alert, Incident

    assert alertmanager.FINGERPRINT_LIMIT == events_v2.KEY_LIMIT == Alert.__table__.c.fingerprint.type.length
    assert alertmanager.KEY_LIMIT == events_v2.KEY_LIMIT == Incident.__table__.c.dedup_key.type.length
    assert alertmanager.GROUP_KEY_LIMIT == Alert.__table__.c.group_key.type.length
    assert alertmanager.MAX_TITLE <= Incident.__table__.c.title.type.length
