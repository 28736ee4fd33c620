"""Real HTTP against a running receiver, on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from incidentdesk.domain.enums import Role
from incidentdesk.services import directory
from incidentdesk.store import queries

from tests.ingest.conftest import AM_TOKEN, GRAFANA_TOKEN, ROUTING_KEY
from tests.ingest.payloads import am_alert, am_payload, event, grafana_payload

NOTHING = {"incidents": 0, "alerts": 0, "events": 0, "receipts": 0, "changes": 0}


def test_missing_or_wrong_credentials_get_401_and_store_nothing(start_receiver):
    rx = start_receiver()
    payload = am_payload([am_alert("fp1")])
    for token in (None, "wrong", GRAFANA_TOKEN):  # a Grafana token does not open the Alertmanager endpoint
        r = rx.am(payload, token=token)
        assert r.status_code == 401, token
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert "token" in r.json()["message"]
    assert rx.grafana(grafana_payload(), token=AM_TOKEN).status_code == 401
    r = rx.event(event(routing_key="not-a-configured-key"))
    assert r.status_code == 401 and r.json()["status"] == "unauthorized"
    body = event(routing_key=ROUTING_KEY)
    del body["routing_key"]
    assert rx.event(body).status_code == 401
    assert rx.counts() == NOTHING


def test_alertmanager_group_is_one_incident_and_repeats_update_it(start_receiver, clock):
    rx = start_receiver()
    first = rx.am(am_payload([am_alert("fp-a", instance="db1", severity="critical"),
                              am_alert("fp-b", instance="db2", severity="critical")]))
    assert first.status_code == 200, first.text
    key = first.json()["created"][0]
    assert first.json()["incidents"] == [key]
    clock.advance(seconds=30)
    # Alertmanager re-sends the group with fresh values: repeats, plus one new alert in the group.
    again = rx.am(am_payload([am_alert("fp-a", instance="db1", value="98%"), am_alert("fp-b", instance="db2", value="98%"),
                              am_alert("fp-c", instance="db3", value="96%")]))
    assert again.status_code == 200 and again.json()["created"] == [] and again.json()["incidents"] == [key]
    clock.advance(seconds=30)
    within_burst = rx.am(am_payload([am_alert("fp-a", instance="db1", value="99%")]))
    assert within_burst.json()["incidents"] == [key]
    assert len(rx.incidents()) == 1
    inc = rx.incident(key)
    assert (inc.alert_count, inc.source, inc.priority, inc.severity) == (6, "alert", 1, "SEV1")
    assert inc.correlation_key == 'alertmanager:{}/{}:{alertname="DiskFull"}'
    occurrences = {a.fingerprint: a.occurrences for a in rx.alerts(key)}
    assert occurrences == {"fp-a": 3, "fp-b": 2, "fp-c": 1}
    kinds = [(e.kind, e.actor, e.real_actor) for e in rx.timeline(key)]
    # created, then one line for the new alert attached; the in-burst repeats add no line
    assert [k for k, _, _ in kinds] == ["created", "alert"]
    assert all(actor == "monitoring" and real == "tester" for _, actor, real in kinds)
    assert "fp-c" not in rx.timeline(key)[1].text and "DiskFull" in rx.timeline(key)[1].text
    # A repeat after the burst gap starts a new burst: exactly one more line.
    clock.advance(minutes=10)
    rx.am(am_payload([am_alert("fp-a", instance="db1", value="91%")]))
    rx.am(am_payload([am_alert("fp-a", instance="db1", value="92%")]))
    assert [e.kind for e in rx.timeline(key)] == ["created", "alert", "alert"]
    assert "repeating" in rx.timeline(key)[2].text
    assert rx.incident(key).alert_count == 8
    # another group is another incident
    other = rx.am(am_payload([am_alert("fp-x", alertname="NodeDown")], group="NodeDown"))
    assert other.json()["created"] and other.json()["created"] != [key]
    assert list(queries.verify_audit(rx.db)) == []


def test_counter_only_updates_do_not_make_a_persons_edit_conflict(start_receiver, clock, make_ctx):
    from incidentdesk.services import incidents as svc

    rx = start_receiver()
    key = rx.am(am_payload([am_alert("fp-1")])).json()["created"][0]
    person = make_ctx("alice", Role.RESPONDER)
    seen_version = rx.incident(key).version
    clock.advance(seconds=5)
    rx.am(am_payload([am_alert("fp-1", value="99%")]))  # a repeat within the burst: counters only
    svc.acknowledge(person, key, expected_version=seen_version)  # no EditConflict
    assert rx.incident(key).status == "acknowledged" and rx.incident(key).alert_count == 2


def test_a_retried_payload_changes_nothing_but_last_seen(start_receiver):
    rx = start_receiver()
    payload = am_payload([am_alert("fp-r1"), am_alert("fp-r2")])
    first = rx.am(payload)
    before = rx.counts()
    second = rx.am(payload)
    assert second.status_code == 200 and second.json()["replayed"] is True
    assert second.json()["incidents"] == first.json()["incidents"]
    # one change-feed row, so consoles repaint the moved last-seen; nothing else is written
    assert rx.counts() == {**before, "changes": before["changes"] + 1}
    # The same delivery retried five times at once (a sender that timed out): still one effect.
    burst = am_payload([am_alert("fp-r3", value="12%")], group="Other")
    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: rx.am(burst), range(5)))
    assert {r.status_code for r in answers} == {200}
    assert sorted(r.json()["replayed"] for r in answers) == [False, True, True, True, True]
    assert len(rx.incidents()) == 2
    assert [a.occurrences for a in rx.alerts()] == [1, 1, 1]
    assert sum(i.alert_count for i in rx.incidents()) == 3


def test_all_alerts_resolved_auto_resolves_and_a_repeat_reopens(start_receiver, clock):
    rx = start_receiver()
    key = rx.am(am_payload([am_alert("fp-1"), am_alert("fp-2")])).json()["created"][0]
    clock.advance(minutes=1)
    half = rx.am(am_payload([am_alert("fp-1", status="resolved"), am_alert("fp-2")]))
    assert half.json()["auto_resolved"] == [] and rx.incident(key).status == "new"
    assert "1 still firing" in rx.timeline(key)[-1].text
    clock.advance(minutes=1)
    done = rx.am(am_payload([am_alert("fp-1", status="resolved"), am_alert("fp-2", status="resolved")]))
    assert done.json()["auto_resolved"] == [key]
    inc = rx.incident(key)
    assert (inc.status, inc.resolution_code, inc.is_open) == ("resolved", "auto_resolved", False)
    assert "auto-resolved by monitoring" in inc.resolution_notes
    assert all(a.status == "resolved" and a.ends_at is not None for a in rx.alerts(key))
    # It fires again (a new startsAt) inside the reopen window: the same incident reopens.
    # (The same startsAt reopens too: see test_repeats.test_alertmanager_same_firing_after_resolve_reopens.)
    clock.advance(hours=2)
    again = rx.am(am_payload([am_alert("fp-1", starts="2026-11-23T11:00:00Z")]))
    assert again.json()["reopened"] == [key] and again.json()["created"] == []
    inc = rx.incident(key)
    assert (inc.status, inc.reopen_count, inc.is_open) == ("in_progress", 1, True)
    assert [e.kind for e in rx.timeline(key)][-2:] == ["reopened", "alert"]
    assert rx.timeline(key)[-2].actor == "monitoring" and "fired again" in rx.timeline(key)[-2].text
    # Resolved again, then a repeat after the window (7 days): a new incident.
    rx.am(am_payload([am_alert("fp-1", status="resolved", starts="2026-11-23T11:00:00Z")]))
    assert rx.incident(key).status == "resolved"
    clock.advance(days=8)
    late = rx.am(am_payload([am_alert("fp-1", starts="2026-12-01T11:00:00Z")]))
    assert late.json()["created"] and late.json()["created"] != [key]
    assert rx.incident(key).status == "resolved"
    assert list(queries.verify_audit(rx.db)) == []


def test_auto_resolve_off_only_annotates(start_receiver):
    rx = start_receiver({"auto_resolve": False})
    key = rx.am(am_payload([am_alert("fp-1")])).json()["created"][0]
    r = rx.am(am_payload([am_alert("fp-1", status="resolved")]))
    assert r.json()["auto_resolved"] == []
    assert rx.incident(key).status == "new"
    assert "all alerts resolved" in rx.timeline(key)[-1].text


def test_events_v2_trigger_acknowledge_resolve(start_receiver):
    rx = start_receiver()
    r = rx.event(event(routing_key=ROUTING_KEY))
    assert r.status_code == 202
    assert r.json() == {"status": "success", "message": "Event processed", "dedup_key": "db-disk-1"}
    assert rx.event(event(routing_key=ROUTING_KEY, summary="db1 disk still full")).status_code == 202
    [inc] = rx.incidents()
    assert (inc.title, inc.priority, inc.alert_count, inc.ci, inc.affected_service) == (
        "db1 disk full", 1, 2, "db1.example", "postgres")
    [alert] = rx.alerts()
    assert alert.annotations["custom_details"] == {"free": "1%", "team": "dba"}
    assert alert.annotations["links"][0]["href"] == "http://runbooks.example/disk"
    assert alert.labels["team"] == "dba" and alert.occurrences == 2
    assert rx.event(event("acknowledge", routing_key=ROUTING_KEY)).status_code == 202
    inc = rx.incident(inc.key)
    assert (inc.status, inc.assignee) == ("acknowledged", "monitoring")
    # acknowledging again, or an unknown dedup_key, is accepted and changes nothing (as PagerDuty does)
    assert rx.event(event("acknowledge", routing_key=ROUTING_KEY)).status_code == 202
    assert rx.event(event("resolve", "never-seen", routing_key=ROUTING_KEY)).status_code == 202
    assert rx.event(event("resolve", routing_key=ROUTING_KEY)).status_code == 202
    inc = rx.incident(inc.key)
    assert (inc.status, inc.resolution_code) == ("resolved", "auto_resolved")
    assert [e.kind for e in rx.timeline(inc.key)] == ["created", "acknowledged", "resolved"]
    # No dedup_key: one is made from the event, and a retry of it maps to the same incident.
    anonymous = event(routing_key=ROUTING_KEY, dedup_key=None, summary="cache cold")
    first, retry = rx.event(anonymous), rx.event(anonymous)
    assert first.status_code == retry.status_code == 202
    assert first.json()["dedup_key"] == retry.json()["dedup_key"] and len(first.json()["dedup_key"]) == 32
    assert len(rx.incidents()) == 2


def test_grafana_webhook(start_receiver):
    rx = start_receiver()
    r = rx.grafana(grafana_payload())
    assert r.status_code == 200, r.text
    key = r.json()["created"][0]
    inc = rx.incident(key)
    assert (inc.title, inc.affected_service, inc.priority, inc.severity) == (
        "HighLatency: p99 latency over 2 s", "Payments", 3, "SEV3")
    assert rx.grafana(grafana_payload(status="resolved")).json()["auto_resolved"] == [key]


def test_routing_rules_pick_group_tier_and_assignee(start_receiver, make_ctx):
    admin = make_ctx("ada", Role.ADMIN)
    directory.add_group(admin, "Database", tier=2)
    directory.add_group(admin, "Payments Team", tier=1)
    rx = start_receiver({
        "routes": [
            {"name": "dba", "match": {"team": "dba"}, "match_re": {"alertname": "Postgres.*"}, "group": "Database",
             "tier": 3, "assignee": "dana"},
            {"name": "payments", "service": "payments", "group": "Payments Team"},
            {"name": "missing group", "match": {"team": "ghost"}, "group": "No Such Group"},
        ],
        "default_group": "Database",
        "severity": {"critical": {"impact": "medium", "urgency": "high", "severity": "SEV2"}},
    })
    dba = rx.am(am_payload([am_alert("f1", alertname="PostgresDown", team="dba", severity="critical")],
                           group="PostgresDown")).json()["created"][0]
    pay = rx.am(am_payload([am_alert("f2", alertname="Latency", service="Payments", team="dba")],
                           group="Latency")).json()["created"][0]
    other = rx.am(am_payload([am_alert("f3", alertname="Other", severity="info")], group="Other")).json()["created"][0]
    ghost = rx.am(am_payload([am_alert("f4", alertname="Ghost", team="ghost")], group="Ghost")).json()["created"][0]
    by_key = {d.key: d for d in (queries.incident_detail(rx.db, k) for k in (dba, pay, other, ghost))}
    assert (by_key[dba].group, by_key[dba].tier, by_key[dba].assignee, by_key[dba].priority,
            by_key[dba].severity) == ("Database", 3, "dana", 2, "SEV2")
    assert (by_key[pay].group, by_key[pay].tier, by_key[pay].assignee) == ("Payments Team", 1, None)
    assert (by_key[other].group, by_key[other].priority) == ("Database", 4)  # default group; info -> P4
    assert by_key[ghost].group is None and "does not exist" in by_key[ghost].description


def test_bad_input_is_refused_and_nothing_is_written(start_receiver):
    rx = start_receiver({"max_body_bytes": 4096})
    url = f"{rx.url}/api/v1/alertmanager"
    auth = {"Authorization": f"Bearer {AM_TOKEN}"}
    good = json.dumps(am_payload([am_alert("fp-1")])).encode()

    def post(body: bytes, content_type: str | None = "application/json", target: str = url, headers=auth):
        h = dict(headers)
        if content_type:
            h["Content-Type"] = content_type
        return rx.client.post(target, content=body, headers=h)

    r = post(good, "text/plain")
    assert r.status_code == 415 and "application/json" in r.json()["message"]
    assert post(good, None).status_code == 415
    r = post(b"{" + b" " * 5000 + b"}")
    assert r.status_code == 413 and "4096" in r.json()["message"]
    r = rx.client.post(url, content=iter([b"{", b" " * 5000, b"}"]), headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 413  # chunked, no Content-Length: still capped
    r = post(b'{"version": "4", ')
    assert r.status_code == 400 and r.json()["errors"][0].startswith("malformed JSON")
    assert post(b"\xff\xfe").status_code == 400
    assert post(b'{"version": NaN}').status_code == 400
    wrong = am_payload([am_alert("fp-1")])
    wrong["alerts"][0]["labels"] = {"alertname": 5}
    wrong["alerts"][0]["startsAt"] = "yesterday"
    r = post(json.dumps(wrong).encode())
    assert r.status_code == 400
    assert any("alerts[0].labels" in e for e in r.json()["errors"])
    assert any("alerts[0].startsAt" in e for e in r.json()["errors"])
    missing = am_payload([am_alert("fp-1")])
    del missing["groupKey"]
    del missing["alerts"][0]["fingerprint"]
    errors = post(json.dumps(missing).encode()).json()["errors"]
    assert "'groupKey' is missing" in errors and "'alerts[0].fingerprint' is missing" in errors
    assert post(json.dumps({**am_payload([]), "version": "3"}).encode()).status_code == 400
    assert post(b"[]").status_code == 400
    # Events API v2 answers in its own shape
    ev = f"{rx.url}/v2/enqueue"
    r = post(json.dumps({"routing_key": ROUTING_KEY, "event_action": "explode"}).encode(), target=ev, headers={})
    assert r.status_code == 400 and r.json()["status"] == "invalid event"
    assert "'event_action' must be one of trigger, acknowledge, resolve" in r.json()["errors"][0]
    bad = event(routing_key=ROUTING_KEY, severity="fatal")
    del bad["payload"]["summary"]
    r = post(json.dumps(bad).encode(), target=ev, headers={})
    assert r.status_code == 400 and len(r.json()["errors"]) == 2
    r = post(json.dumps(event("resolve", None, routing_key=ROUTING_KEY)).encode(), target=ev, headers={})
    assert r.status_code == 400 and "dedup_key" in r.json()["errors"][0]
    assert post(b"not json", target=ev, headers={}).json()["status"] == "invalid event"
    assert post(good, "text/plain", target=ev, headers={}).status_code == 415
    assert rx.counts() == NOTHING
    # ...and the same server still takes a good payload afterwards
    assert post(good).status_code == 200


def test_untrusted_text_is_stored_as_sent(start_receiver):
    rx = start_receiver()
    nasty = "[@click=app.quit]x[/] \x1b[31mred\x1b[0m [bold red]"
    key = rx.am(am_payload([am_alert("fp-n", summary=nasty)])).json()["created"][0]
    [alert] = rx.alerts(key)
    assert alert.annotations["summary"] == nasty  # the alert record keeps it exactly
    assert "\x1b" not in rx.incident(key).title and "[@click=app.quit]x[/]" in rx.incident(key).title
