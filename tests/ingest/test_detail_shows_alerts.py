"""An incident made from alerts shows its alert records in the detail (and `show --json`)."""

from incidentdesk.store import queries
from tests.support.payloads import am_alert, am_payload


def test_detail_lists_each_alert_with_its_occurrences(start_receiver):
    rx = start_receiver()
    payload = am_payload([am_alert("fp-a"), am_alert("fp-b", alertname="DiskFull")])
    assert rx.am(payload).status_code < 300
    key = queries.queue_page(rx.db, queries.QueueFilter()).rows[0].key
    detail = queries.incident_detail(rx.db, key)
    assert {a.fingerprint for a in detail.alerts} == {"fp-a", "fp-b"}
    assert all(a.status == "firing" and a.occurrences == 1 for a in detail.alerts)
    assert detail.alert_count == 2
    data = detail.to_json()
    assert {a["fingerprint"] for a in data["alerts"]} == {"fp-a", "fp-b"}


def test_a_manual_incident_has_no_alerts(db, make_ctx):
    from incidentdesk.services import incidents as svc

    ctx = make_ctx("alice")
    key = svc.log_incident(ctx, svc.Intake(title="phone call", impact="low", urgency="low"))
    assert queries.incident_detail(db, key).alerts == []
