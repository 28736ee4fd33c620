"""End to end with the real Alertmanager (Debian's prometheus-alertmanager, 0.25): it groups, repeats,
truncates, resolves and fires again; our receiver must count every repeat, move last-seen, never
auto-resolve a truncated group, resolve once every alert has resolved, and reopen on a new firing.

Alertmanager runs with its own storage in tmp, no clustering, on a free 127.0.0.1 port, with short
group_wait / group_interval / repeat_interval and a webhook to the running receiver (bearer token via
http_config); alerts are posted to its /api/v2/alerts as Prometheus would.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from incidentdesk.store import queries

from tests.ingest.conftest import AM_TOKEN, free_socket

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
pytestmark = pytest.mark.skipif(
    BINARY is None, reason="!!! prometheus-alertmanager NOT INSTALLED: apt-get install -y prometheus-alertmanager "
                           "(.ci/run does) to run the end-to-end Alertmanager test !!!")

CONFIG = """
route:
  receiver: incidentdesk
  group_by: [alertname]
  group_wait: 100ms
  group_interval: 500ms
  repeat_interval: 1500ms
  routes:
    - matchers: ['alertname="Truncated"']
      receiver: incidentdesk-max1
receivers:
  - name: incidentdesk
    webhook_configs:
      - &hook
        url: {url}/api/v1/alertmanager
        send_resolved: true
        http_config:
          authorization: {{type: Bearer, credentials: {token}}}
  - name: incidentdesk-max1
    webhook_configs:
      - <<: *hook
        max_alerts: 1
"""


def wait_for(what: str, probe: Callable[[], object], timeout: float = 20.0):
    """Poll until `probe()` is truthy; fail naming `what` if it never is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


@pytest.fixture
def alertmanager(tmp_path):
    """start(receiver_url) -> Alertmanager's base URL; stopped (by its pid) at the end."""
    procs: list[subprocess.Popen] = []

    def start(receiver_url: str) -> str:
        config = tmp_path / "alertmanager.yml"
        config.write_text(CONFIG.format(url=receiver_url, token=AM_TOKEN))
        sock = free_socket()
        port = sock.getsockname()[1]
        sock.close()
        log = open(tmp_path / "alertmanager.log", "wb")
        procs.append(subprocess.Popen(
            [BINARY, f"--config.file={config}", f"--storage.path={tmp_path / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
        base = f"http://127.0.0.1:{port}"

        def ready():
            if procs[-1].poll() is not None:
                pytest.fail("alertmanager exited: " + (tmp_path / "alertmanager.log").read_text()[-2000:])
            try:
                return httpx.get(f"{base}/-/ready", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for("alertmanager to be ready", ready)
        return base

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def post_alerts(base: str, alerts: list[dict]) -> None:
    r = httpx.post(f"{base}/api/v2/alerts", json=alerts, timeout=5)
    assert r.status_code == 200, r.text


def alert(name: str, instance: str, starts: datetime, *, resolved: bool = False) -> dict:
    body = {"labels": {"alertname": name, "instance": instance, "severity": "warning", "job": "node"},
            "annotations": {"summary": f"{name} on {instance}"}, "startsAt": starts.isoformat(),
            "generatorURL": "http://prometheus.example:9090/graph"}
    if resolved:
        body["endsAt"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    return body


def test_real_alertmanager_repeats_truncates_and_resolves(start_receiver, alertmanager):
    rx = start_receiver({"retry_window_seconds": 0.3}, real_time=True)  # retries: well under a repeat_interval
    am = alertmanager(rx.url)
    started = datetime.now(UTC) - timedelta(minutes=1)

    def incident_of(name: str):
        found = [i for i in rx.incidents() if f'alertname="{name}"' in (i.correlation_key or "")]
        return found[0] if found else None

    def timeline_texts(key: str) -> list[str]:
        return [e.text for e in rx.timeline(key) if e.kind == "alert"]

    # -- a steadily firing alert: every repeat is counted and moves last-seen --
    post_alerts(am, [alert("Steady", "web1", started)])
    steady = wait_for("the Steady incident", lambda: incident_of("Steady"))
    seen = [rx.alerts(steady.key)[0].last_seen_at]
    for n in (2, 3):
        wait_for(f"repeat {n} of Steady", lambda: rx.alerts(steady.key)[0].occurrences >= n)
        seen.append(rx.alerts(steady.key)[0].last_seen_at)
    assert seen[0] < seen[1] < seen[2], seen
    inc = rx.incident(steady.key)
    assert inc.alert_count == rx.alerts(steady.key)[0].occurrences >= 3 and inc.last_alert_at >= seen[2]

    # -- a group of three firing, shown one at a time (max_alerts = 1) --
    post_alerts(am, [alert("Truncated", f"db{i}", started) for i in (1, 2, 3)])
    trunc = wait_for("the Truncated incident", lambda: incident_of("Truncated"))
    shown = []
    for step in range(3):
        attached = wait_for(f"alert {step + 1} of Truncated to be shown",
                            lambda: [a for a in rx.alerts(trunc.key) if a.labels["instance"] not in shown])
        instance = attached[0].labels["instance"]
        shown.append(instance)
        notes_before = len(timeline_texts(trunc.key))
        post_alerts(am, [alert("Truncated", instance, started, resolved=True)])
        if step < 2:  # the others are left out of the notification, still firing: never auto-resolved
            wait_for(f"the truncated resolve of {instance}",
                     lambda: any("not auto-resolved" in t for t in timeline_texts(trunc.key)[notes_before:]))
            assert rx.incident(trunc.key).is_open, step
    assert sorted(shown) == ["db1", "db2", "db3"]
    wait_for("Truncated to auto-resolve once nothing is left out",
             lambda: rx.incident(trunc.key).status == "resolved")
    assert rx.incident(trunc.key).resolution_code == "auto_resolved"

    # -- Steady resolves: the incident resolves, and its occurrences were each counted once --
    post_alerts(am, [alert("Steady", "web1", started, resolved=True)])
    wait_for("Steady to auto-resolve", lambda: rx.incident(steady.key).status == "resolved")
    inc = rx.incident(steady.key)
    assert inc.alert_count == sum(a.occurrences for a in rx.alerts(steady.key))

    # -- and fires again, with the same startsAt (Alertmanager sends the first notification again,
    # byte for byte): that is news, so the incident reopens; it is never dropped as an old copy --
    post_alerts(am, [alert("Steady", "web1", started)])
    wait_for("Steady to reopen", lambda: rx.incident(steady.key).is_open)
    inc = rx.incident(steady.key)
    assert inc.reopen_count == 1 and rx.alerts(steady.key)[0].status == "firing"
    assert len(rx.incidents()) == 2
    assert list(queries.verify_audit(rx.db)) == []
