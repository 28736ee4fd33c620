"""`incidentdesk receive` delivers notifications too: an alert makes an incident, the rule for new
incidents puts a row in the outbox, and the receiver's background worker sends it to the webhook."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import httpx
from sqlalchemy import select

from incidentdesk.store.models import OutboxMessage
from tests.support.notify import wait_for
from tests.support.payloads import am_alert, am_payload
from tests.support.receiver import AM_TOKEN

CONFIG = f"""
[ingest]
[ingest.integrations.prom]
format = "alertmanager"
token = "{AM_TOKEN}"
[notify]
poll_seconds = 0.1
[[notify.channel]]
name = "ops"
url_env = "TEST_OPS_URL"
[[notify.rule]]
on = ["created"]
to = "ops"
"""


def test_receiver_delivers_the_notifications_of_the_incidents_it_makes(db, tmp_path, webhook):
    conf = tmp_path / "incidentdesk.toml"
    conf.write_text(CONFIG)
    conf.chmod(0o600)
    proc = subprocess.Popen(
        [sys.executable, "-m", "incidentdesk", "--db", db.url, "--config", str(conf), "receive", "--port", "0"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env={**os.environ, "TEST_OPS_URL": webhook.url})
    try:
        lines = [proc.stderr.readline(), proc.stderr.readline()]
        assert "delivering notifications with 1 worker" in lines[0], lines
        port = int(re.search(r":(\d+) ", lines[1]).group(1))
        r = httpx.post(f"http://127.0.0.1:{port}/api/v1/alertmanager", timeout=10,
                       json=am_payload([am_alert("fp-1", summary="disk [bold]full[/]")]),
                       headers={"Authorization": f"Bearer {AM_TOKEN}"})
        assert r.status_code == 200, r.text
        assert wait_for(lambda: len(webhook.delivered) == 1, timeout=15)
        with db.read() as s:
            (row,) = s.scalars(select(OutboxMessage)).all()
        assert wait_for(lambda: _state(db, row.id) == "sent", timeout=5)
        assert webhook.delivered[0].headers["Idempotency-Key"] == row.idempotency_key
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _state(db, row_id):
    with db.read() as s:
        return s.get(OutboxMessage, row_id).state
