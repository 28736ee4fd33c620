"""GET /metrics over a real HTTP server: Prometheus text parsed back with prometheus_client's parser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.clock import START
from tests.support.metrics import put
from tests.support.receiver import AM_TOKEN

SCRAPE = "scrape-token-0123456789"


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _get(rx, token: str | None):
    return rx.client.get(f"{rx.url}/metrics", headers={"Authorization": f"Bearer {token}"} if token else {})


@pytest.fixture
def desk(db):
    h = timedelta(hours=1)
    put(db, 1, created=START - 2 * h, priority=1, response_sla_state="breached")          # open, new
    put(db, 2, created=START - h, priority=2, ack=60, status="acknowledged", resolution_sla_state="at_risk",
        is_major=True, next_update_due=START - timedelta(minutes=1))                      # major, update overdue
    put(db, 3, created=START - 5 * h, priority=3, ack=60, resolved=600, response_breached_at=START - 4 * h)
    put(db, 4, created=START - 9 * h, priority=1, type="request")                         # excluded
    put(db, 5, created=START - 3 * h, priority=2, ack=60, resolved=60, replaced_breached="resolution")
    return db


def test_scrape_by_hand(desk, start_receiver):
    rx = start_receiver({"metrics_token": SCRAPE})
    resp = _get(rx, SCRAPE)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    s = _samples(resp.text)
    assert s[("incidentdesk_open_incidents", (("priority", "P1"), ("status", "new")))] == 1
    assert s[("incidentdesk_open_incidents", (("priority", "P2"), ("status", "acknowledged")))] == 1
    assert s[("incidentdesk_open_incidents", (("priority", "P1"), ("status", "on_hold")))] == 0
    assert sum(v for (name, _), v in s.items() if name == "incidentdesk_open_incidents") == 2   # 4 is a request
    assert s[("incidentdesk_unacknowledged_incidents", (("priority", "P1"),))] == 1
    assert s[("incidentdesk_breached_incidents", (("priority", "P1"),))] == 1
    assert s[("incidentdesk_at_risk_incidents", (("priority", "P2"),))] == 1
    assert s[("incidentdesk_open_major_incidents", ())] == 1
    assert s[("incidentdesk_overdue_stakeholder_updates", ())] == 1
    assert s[("incidentdesk_oldest_open_incident_age_seconds", ())] == 7200   # 1, created 2 h before now
    assert s[("incidentdesk_incidents_created_total", (("priority", "P2"),))] == 2
    assert s[("incidentdesk_incidents_resolved_total", (("priority", "P3"),))] == 1
    assert s[("incidentdesk_sla_breaches_total", (("priority", "P3"), ("target", "response")))] == 1
    assert s[("incidentdesk_sla_breaches_total", (("priority", "P2"), ("target", "resolution")))] == 1  # replaced
    assert s[("incidentdesk_sla_breaches_total", (("priority", "P1"), ("target", "response")))] == 0  # no breached_at


def test_two_receivers_agree(desk, start_receiver):
    """Derived from the database at scrape time: a second receiver over it says the same."""
    first, second = start_receiver({"metrics_token": SCRAPE}), start_receiver({"metrics_token": SCRAPE})
    assert _samples(_get(first, SCRAPE).text) == _samples(_get(second, SCRAPE).text)


@pytest.mark.parametrize("token, status", [(None, 401), ("wrong-token", 401), (AM_TOKEN, 401)])
def test_refused_without_the_scrape_token(desk, start_receiver, token, status):
    rx = start_receiver({"metrics_token": SCRAPE})
    resp = _get(rx, token)
    assert resp.status_code == status and "incidentdesk_" not in resp.text
    assert resp.headers["www-authenticate"].startswith("Bearer")


def test_off_unless_configured(desk, start_receiver):
    rx = start_receiver()
    resp = _get(rx, SCRAPE)
    assert resp.status_code == 403 and "metrics_token" in resp.json()["message"]


def test_token_from_the_environment(desk, start_receiver, monkeypatch):
    monkeypatch.setenv("INCIDENTDESK_TEST_SCRAPE", SCRAPE)
    rx = start_receiver({"metrics_token_env": "INCIDENTDESK_TEST_SCRAPE"})
    assert _get(rx, SCRAPE).status_code == 200
