"""kill -9 the receiver mid-stream: every acknowledged alert is stored, no incident is half-written.
And `incidentdesk ingest` from a file and from stdin."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import httpx
from sqlalchemy import func, select

from incidentdesk.cli import main
from incidentdesk.store import queries
from incidentdesk.store.models import Alert, Incident, TimelineEvent

from tests.ingest.conftest import AM_TOKEN, ROUTING_KEY
from tests.ingest.payloads import am_alert, am_payload, event

CONFIG = f"""
[ingest]
[ingest.integrations.prom]
format = "alertmanager"
token = "{AM_TOKEN}"
[ingest.integrations.pd]
format = "events-v2"
token = "{ROUTING_KEY}"
"""


def test_kill_9_mid_stream_loses_nothing_acknowledged(db, tmp_path):
    conf = tmp_path / "incidentdesk.toml"
    conf.write_text(CONFIG)
    conf.chmod(0o600)  # it holds tokens: readable by others, it would earn a warning line on stderr first
    proc = subprocess.Popen(
        [sys.executable, "-m", "incidentdesk", "--db", db.url, "--config", str(conf), "receive", "--port", "0"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    try:
        line = proc.stderr.readline()
        port = int(re.search(r":(\d+) ", line).group(1))
        url = f"http://127.0.0.1:{port}/api/v1/alertmanager"
        acked: list[list[str]] = []
        lock = threading.Lock()
        stop = threading.Event()

        def sender(n: int) -> None:
            with httpx.Client(timeout=10) as client:
                i = 0
                while not stop.is_set():
                    group = f"G{n}-{i % 40}"  # groups come back: new incidents and repeats interleave
                    fps = [f"{group}-{j}" for j in range(3)]
                    payload = am_payload([am_alert(fp, value=f"{i}-{j}") for j, fp in enumerate(fps)], group=group)
                    try:
                        r = client.post(url, json=payload, headers={"Authorization": f"Bearer {AM_TOKEN}"})
                    except httpx.HTTPError:
                        return  # the receiver died under us: this one was never acknowledged
                    if r.status_code == 200:
                        with lock:
                            acked.append(fps)
                    i += 1

        threads = [threading.Thread(target=sender, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while len(acked) < 150 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        stop.set()
        for t in threads:
            t.join(15)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert len(acked) >= 150
    db.engine.dispose()  # fresh connections after the killed writer
    with db.read() as s:
        stored = set(s.scalars(select(Alert.fingerprint)))
        assert {fp for fps in acked for fp in fps} <= stored
        incidents = s.scalars(select(Incident)).all()
        assert incidents
        for inc in incidents:
            alerts = s.scalars(select(Alert).where(Alert.incident_id == inc.id)).all()
            created = s.scalar(select(func.count()).select_from(TimelineEvent).where(
                TimelineEvent.incident_id == inc.id, TimelineEvent.kind == "created"))
            assert alerts and created == 1, inc.key
            assert inc.alert_count == sum(a.occurrences for a in alerts), inc.key
        # one incident per group: dedup held under concurrency
        groups = s.execute(select(Incident.correlation_key, func.count()).group_by(Incident.correlation_key)).all()
        assert all(n == 1 for _, n in groups)
    assert list(queries.verify_audit(db)) == []


def test_cli_ingest_from_file_and_stdin(sqlite_db, tmp_path, capsys, monkeypatch):
    conf = tmp_path / "incidentdesk.toml"
    conf.write_text(CONFIG)
    conf.chmod(0o600)  # it holds tokens (see test_kill_9_mid_stream_loses_nothing_acknowledged)
    payload = tmp_path / "am.json"
    payload.write_text(json.dumps(am_payload([am_alert("fp-cli")])))
    base = ["--db", sqlite_db.url, "--config", str(conf), "ingest"]
    assert main(base + ["--format", "alertmanager", str(payload)]) == 0
    out = capsys.readouterr().out
    assert "1 alert(s) applied" in out and "new: INC-000001" in out
    assert main(base + ["--format", "alertmanager", str(payload)]) == 0
    assert "already applied" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(event(routing_key=ROUTING_KEY)).encode())))
    assert main(base + ["--format", "events-v2", "--json", "-"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["created"] == ["INC-000002"] and outcome["dedup_key"] == "db-disk-1"
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": "4"}')
    assert main(base + ["--format", "alertmanager", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'alerts' is missing" in err and "Traceback" not in err
    assert main(base + ["--format", "grafana", str(tmp_path / "nope.json")]) == 1
    assert "cannot read" in capsys.readouterr().err
