"""Repeats, retries, re-triggers, truncated groups and more severe alerts — over real HTTP, on both backends.

A sender's *retry* is the same delivery sent again because it did not hear our answer (seconds
later); a *repeat* is the sender saying again that the alert still fires (Alertmanager's
repeat_interval, a PagerDuty client re-triggering). Both are byte-identical; only a retry may be
swallowed, and even a retry moves last-seen.
"""

from __future__ import annotations

from datetime import timedelta

from incidentdesk.store import queries

from tests.support.payloads import am_alert, am_payload, pd_go_client, pd_python_client
from tests.support.receiver import ROUTING_KEY


def _alert(rx, key):
    [alert] = rx.alerts(key)
    return alert


# ---- item 8: repeats are counted, retries are not, last-seen always moves ----

def test_a_byte_identical_repeat_after_the_retry_window_is_counted(start_receiver, clock):
    rx = start_receiver()
    payload = am_payload([am_alert("fp-steady")])
    key = rx.am(payload).json()["created"][0]
    first_seen = _alert(rx, key).last_seen_at
    for n in (2, 3):
        clock.advance(minutes=4)  # Alertmanager's repeat_interval (here 4 min) re-sends the group byte for byte
        r = rx.am(payload)
        assert r.status_code == 200 and r.json()["replayed"] is False, r.json()
        alert, inc = _alert(rx, key), rx.incident(key)
        assert alert.occurrences == n and inc.alert_count == n
        assert alert.last_seen_at == clock.now and inc.last_alert_at == clock.now
    assert first_seen < _alert(rx, key).last_seen_at
    assert list(queries.verify_audit(rx.db)) == []


def test_a_retry_inside_the_window_is_not_counted_but_moves_last_seen(start_receiver, clock):
    rx = start_receiver({"retry_window_seconds": 30})
    payload = am_payload([am_alert("fp-retry")])
    key = rx.am(payload).json()["created"][0]
    version, events = rx.incident(key).version, len(rx.timeline(key))
    clock.advance(seconds=5)  # the sender did not hear our 200 and sends the same delivery again
    r = rx.am(payload)
    assert r.json()["replayed"] is True and r.json()["incidents"] == [key]
    alert, inc = _alert(rx, key), rx.incident(key)
    assert (alert.occurrences, inc.alert_count) == (1, 1)  # not counted twice
    assert alert.last_seen_at == clock.now and inc.last_alert_at == clock.now  # but it is evidence it fires
    assert inc.version == version and len(rx.timeline(key)) == events  # no edit conflict for a person
    clock.advance(seconds=31)  # past the window: the same bytes are a repeat
    assert rx.am(payload).json()["replayed"] is False
    assert _alert(rx, key).occurrences == 2 and rx.incident(key).alert_count == 2


def test_events_v2_repeat_triggers_from_the_official_clients_are_counted(start_receiver, clock):
    rx = start_receiver()
    repeated_at = {}
    for client in (pd_python_client, pd_go_client):
        dedup = f"disk-{client.__name__}"
        body, headers = client("trigger", dedup, ROUTING_KEY, summary="db1 disk full", source="db1")
        assert rx.client.post(f"{rx.url}/v2/enqueue", content=body, headers=headers).status_code == 202
        clock.advance(minutes=1)  # a check that re-triggers every minute, byte for byte
        r = rx.client.post(f"{rx.url}/v2/enqueue", content=body, headers=headers)
        assert r.status_code == 202 and r.json()["dedup_key"] == dedup
        repeated_at[rx.incidents()[-1].key] = clock.now
    assert len(repeated_at) == 2
    for key, at in repeated_at.items():
        inc, alert = rx.incident(key), _alert(rx, key)
        assert (inc.alert_count, alert.occurrences) == (2, 2)
        assert inc.last_alert_at == alert.last_seen_at == at


# ---- item 9: a trigger after a resolve is news ----

def test_events_v2_identical_trigger_after_resolve_reopens_then_makes_a_new_incident(start_receiver, clock):
    rx = start_receiver()
    trigger, headers = pd_python_client("trigger", "web-5xx", ROUTING_KEY, summary="web 5xx", source="lb1")
    resolve, _ = pd_python_client("resolve", "web-5xx", ROUTING_KEY)

    def send(body):
        r = rx.client.post(f"{rx.url}/v2/enqueue", content=body, headers=headers)
        assert r.status_code == 202, r.text

    send(trigger)
    [inc] = rx.incidents()
    clock.advance(seconds=2)
    send(resolve)
    assert rx.incident(inc.key).status == "resolved"
    clock.advance(seconds=2)  # well inside the retry window: still not a retry, the alert fires again
    send(trigger)
    again = rx.incident(inc.key)
    assert again.is_open and again.reopen_count == 1 and again.alert_count == 2
    assert _alert(rx, inc.key).status == "firing"
    assert [e.kind for e in rx.timeline(inc.key)][-2:] == ["reopened", "alert"]
    # Resolved again, and the same trigger after the reopen window: a new incident, not a no-op.
    send(resolve)
    clock.advance(days=8)
    send(trigger)
    assert len(rx.incidents()) == 2 and rx.incidents()[1].is_open
    assert rx.incident(inc.key).status == "resolved"
    assert list(queries.verify_audit(rx.db)) == []


def test_alertmanager_same_firing_after_resolve_reopens(start_receiver, clock):
    rx = start_receiver()
    firing = am_payload([am_alert("fp-flap")])
    key = rx.am(firing).json()["created"][0]
    clock.advance(seconds=3)
    assert rx.am(am_payload([am_alert("fp-flap", status="resolved")])).json()["auto_resolved"] == [key]
    clock.advance(seconds=3)
    r = rx.am(firing)  # byte for byte the first delivery: Alertmanager says it fires again
    assert r.json()["reopened"] == [key] and r.json()["replayed"] is False
    assert rx.incident(key).is_open and _alert(rx, key).status == "firing"


# ---- item 10: never auto-resolve while truncated alerts may still fire ----

def test_a_truncated_group_is_not_auto_resolved_until_no_alert_is_left_out(start_receiver, clock):
    rx = start_receiver()

    def send(alerts, truncated):
        payload = am_payload(alerts, group="Disk")
        payload["truncatedAlerts"] = truncated
        r = rx.am(payload)
        assert r.status_code == 200, r.text
        return r.json()

    # max_alerts = 1 on a group of 3 firing alerts: one is shown, two are left out.
    key = send([am_alert("fp-1", instance="i1")], 2)["created"][0]
    clock.advance(minutes=1)
    out = send([am_alert("fp-1", instance="i1", status="resolved")], 2)
    assert out["auto_resolved"] == [] and rx.incident(key).is_open
    note = rx.timeline(key)[-1]
    assert note.kind == "alert" and "2 alert(s)" in note.text and "not auto-resolved" in note.text
    clock.advance(minutes=1)
    send([am_alert("fp-2", instance="i2")], 1)
    send([am_alert("fp-2", instance="i2", status="resolved")], 1)
    assert rx.incident(key).is_open
    send([am_alert("fp-3", instance="i3")], 0)
    done = send([am_alert("fp-3", instance="i3", status="resolved")], 0)  # nothing left out any more
    assert done["auto_resolved"] == [key]
    assert "all 3 alert(s) resolved" in rx.incident(key).resolution_notes


def test_a_resolved_alert_firing_again_on_an_open_incident_says_so(start_receiver, clock):
    rx = start_receiver()
    key = rx.am(am_payload([am_alert("fp-1"), am_alert("fp-2")])).json()["created"][0]
    clock.advance(seconds=40)
    rx.am(am_payload([am_alert("fp-1", status="resolved"), am_alert("fp-2")]))
    clock.advance(seconds=40)
    rx.am(am_payload([am_alert("fp-1"), am_alert("fp-2")]))  # inside the burst: no "repeating" line
    assert rx.incident(key).is_open
    assert rx.timeline(key)[-1].text == "1 resolved alert(s) firing again: DiskFull"
    assert {a.fingerprint: a.status for a in rx.alerts(key)} == {"fp-1": "firing", "fp-2": "firing"}


def test_a_truncated_group_with_auto_resolve_off_says_why(start_receiver):
    rx = start_receiver({"auto_resolve": False})
    payload = am_payload([am_alert("fp-1")])
    payload["truncatedAlerts"] = 4
    key = rx.am(payload).json()["created"][0]
    payload = am_payload([am_alert("fp-1", status="resolved")])
    payload["truncatedAlerts"] = 4
    rx.am(payload)
    assert rx.incident(key).is_open and "4 alert(s)" in rx.timeline(key)[-1].text


# ---- item 11: a more severe alert raises priority and severity, never lowers them ----

def test_a_more_severe_alert_joining_raises_priority_with_a_timeline_event(start_receiver, clock):
    rx = start_receiver()
    key = rx.am(am_payload([am_alert("fp-w", instance="db1", severity="warning")])).json()["created"][0]
    inc = rx.incident(key)
    assert (inc.priority, inc.severity) == (3, "SEV3")
    p3_response_due = inc.response_due_at
    clock.advance(minutes=2)
    rx.am(am_payload([am_alert("fp-w", instance="db1", severity="warning"),
                      am_alert("fp-c", instance="db2", severity="critical")]))
    inc = rx.incident(key)
    assert (inc.priority, inc.severity, inc.impact, inc.urgency) == (1, "SEV1", "high", "high")
    assert inc.response_due_at < p3_response_due
    # P1 targets (15 min / 4 h), from the change: [sla] reprioritise_from = "change", the default
    raised_at = inc.created_at + timedelta(minutes=2)
    assert (inc.response_due_at - raised_at, inc.resolution_due_at - raised_at) == (
        timedelta(minutes=15), timedelta(hours=4))
    raised = [e for e in rx.timeline(key) if e.kind == "reprioritised"]
    assert len(raised) == 1
    assert raised[0].actor == "monitoring" and "DiskFull" in raised[0].text and "critical" in raised[0].text
    assert "instance=db2" in raised[0].text  # which alert of the group did it
    assert (raised[0].before["priority"], raised[0].after["priority"]) == ("P3", "P1")
    # A less severe alert joining never lowers it.
    clock.advance(minutes=2)
    rx.am(am_payload([am_alert("fp-i", instance="db3", severity="info")]))
    inc = rx.incident(key)
    assert (inc.priority, inc.severity) == (1, "SEV1")
    assert len([e for e in rx.timeline(key) if e.kind == "reprioritised"]) == 1
    assert list(queries.verify_audit(rx.db)) == []


def test_an_events_v2_retrigger_with_a_higher_severity_raises_it(start_receiver, clock):
    rx = start_receiver()
    body, headers = pd_python_client("trigger", "q-depth", ROUTING_KEY, summary="queue deep", source="mq1",
                                     severity="warning")
    rx.client.post(f"{rx.url}/v2/enqueue", content=body, headers=headers)
    [inc] = rx.incidents()
    assert inc.priority == 3
    clock.advance(minutes=1)
    body, _ = pd_python_client("trigger", "q-depth", ROUTING_KEY, summary="queue deep", source="mq1",
                               severity="critical")
    rx.client.post(f"{rx.url}/v2/enqueue", content=body, headers=headers)
    inc = rx.incident(inc.key)
    assert (inc.priority, inc.severity, inc.alert_count) == (1, "SEV1", 2)
    assert [e.kind for e in rx.timeline(inc.key)].count("reprioritised") == 1


def test_raise_priority_off_only_notes_the_more_severe_alert(start_receiver, clock):
    rx = start_receiver({"raise_priority": False})
    key = rx.am(am_payload([am_alert("fp-w", severity="warning")])).json()["created"][0]
    clock.advance(minutes=1)
    rx.am(am_payload([am_alert("fp-w", severity="warning"), am_alert("fp-c", severity="critical", instance="x")]))
    inc = rx.incident(key)
    assert (inc.priority, inc.severity) == (3, "SEV3")
    note = rx.timeline(key)[-1]
    assert note.kind == "alert" and "raise_priority is off" in note.text and "P1" in note.text
