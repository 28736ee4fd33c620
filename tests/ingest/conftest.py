"""A real receiver (uvicorn in a thread, on a free 127.0.0.1 port) over the `db` fixture's database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from incidentdesk.config import Config, parse_config
from incidentdesk.ingest.app import create_app
from incidentdesk.ingest.settings import settings_from_config
from incidentdesk.services.alerts import monitoring_actor
from incidentdesk.services.context import ServiceContext, utc_now
from tests.support.receiver import BASE_INGEST, Receiver, free_socket, serve_in_thread


@pytest.fixture
def start_receiver(db, clock) -> Iterator[Callable[..., Receiver]]:
    """start_receiver(ingest={...}) -> a running receiver with those [ingest] settings merged over the base.

    It reads the test's `clock` unless `real_time=True` (for a real sender such as Alertmanager).
    """
    running = []

    def start(ingest: dict | None = None, config: dict | None = None, *, real_time: bool = False) -> Receiver:
        raw = dict(config or {})
        raw["ingest"] = {**BASE_INGEST, **(ingest or {})}
        conf: Config = parse_config(raw)
        settings = settings_from_config(conf)
        ctx = ServiceContext(db, conf, monitoring_actor("tester", settings.actor), utc_now if real_time else clock)
        sock = free_socket()
        server, thread = serve_in_thread(create_app(ctx, settings), sock)
        client = httpx.Client(timeout=30)
        running.append((server, thread, client))
        return Receiver(f"http://127.0.0.1:{sock.getsockname()[1]}", db, client, settings)

    yield start
    for server, thread, client in running:
        client.close()
        server.should_exit = True
        thread.join(10)
