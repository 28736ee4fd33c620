"""A real alert receiver for the tests: uvicorn in a thread on a free 127.0.0.1 port, and a client
that speaks each sender's format and reads back what landed in the database.

The `start_receiver` fixture (tests/ingest/conftest.py) starts these over the `db` fixture.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import httpx
import uvicorn
from sqlalchemy import func, select

from incidentdesk.ingest.server import uvicorn_config
from incidentdesk.ingest.settings import IngestSettings
from incidentdesk.store.engine import Database
from incidentdesk.store.models import Alert, AlertReceipt, ChangeLog, Incident, TimelineEvent

AM_TOKEN = "am-token-0123456789"
GRAFANA_TOKEN = "grafana-token-0123456789"
ROUTING_KEY = "R0UT1NGKEY0123456789abcdefabcdef"

BASE_INGEST = {
    "integrations": {
        "prom": {"format": "alertmanager", "token": AM_TOKEN},
        "graf": {"format": "grafana", "token": GRAFANA_TOKEN},
        "pd": {"format": "events-v2", "token": ROUTING_KEY},
    },
}


@dataclass
class Receiver:
    url: str
    db: Database
    client: httpx.Client
    settings: IngestSettings

    def am(self, payload, token: str | None = AM_TOKEN, **kw) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.post(f"{self.url}/api/v1/alertmanager", json=payload, headers=headers, **kw)

    def grafana(self, payload, token: str | None = GRAFANA_TOKEN) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.post(f"{self.url}/api/v1/grafana", json=payload, headers=headers)

    def event(self, payload) -> httpx.Response:
        return self.client.post(f"{self.url}/v2/enqueue", json=payload)

    def counts(self) -> dict[str, int]:
        with self.db.read() as s:
            return {name: int(s.scalar(select(func.count()).select_from(model)) or 0)
                    for name, model in (("incidents", Incident), ("alerts", Alert), ("events", TimelineEvent),
                                        ("receipts", AlertReceipt), ("changes", ChangeLog))}

    def incidents(self) -> list[Incident]:
        with self.db.read() as s:
            return list(s.scalars(select(Incident).order_by(Incident.id)))

    def incident(self, key: str) -> Incident:
        with self.db.read() as s:
            return s.scalar(select(Incident).where(Incident.key == key))

    def timeline(self, key: str) -> list[TimelineEvent]:
        with self.db.read() as s:
            inc = s.scalar(select(Incident).where(Incident.key == key))
            return list(s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == inc.id)
                                  .order_by(TimelineEvent.seq)))

    def alerts(self, key: str | None = None) -> list[Alert]:
        with self.db.read() as s:
            q = select(Alert).order_by(Alert.id)
            if key:
                q = q.join(Incident, Alert.incident_id == Incident.id).where(Incident.key == key)
            return list(s.scalars(q))


def serve_in_thread(app, sock: socket.socket) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(uvicorn_config(app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the receiver did not start")
        time.sleep(0.01)
    return server, thread


def free_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


