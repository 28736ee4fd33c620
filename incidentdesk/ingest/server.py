"""Running the receiver under uvicorn, from the CLI or a test."""

from __future__ import annotations

import json
import socket
import sys

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from incidentdesk.config import Config
from incidentdesk.ingest.app import create_app
from incidentdesk.ingest.settings import IngestSettings, settings_from_config
from incidentdesk.services.alerts import monitoring_actor
from incidentdesk.services.context import ServiceContext, os_login
from incidentdesk.store.engine import Database

MALFORMED_HTTP = json.dumps({
    "status": "error",
    "message": "malformed HTTP request (for example a Content-Length that is not one whole number, or "
               "two of them); nothing was read or stored: fix the sender's request",
}).encode()


class JsonErrorsH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, but a request h11 cannot parse gets the receiver's JSON error
    body (every other refusal is JSON) instead of uvicorn's plain text."""

    def send_400_response(self, msg: str) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(MALFORMED_HTTP)).encode()),
                   (b"connection", b"close")]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                      h11.Data(data=MALFORMED_HTTP), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()


def uvicorn_config(app, **kwargs) -> uvicorn.Config:
    """The one uvicorn configuration of the receiver (the CLI and the tests both use it)."""
    options = {"log_level": "warning", "access_log": False, "lifespan": "off", "server_header": False,
               "timeout_keep_alive": 30, **kwargs}
    return uvicorn.Config(app, http=JsonErrorsH11Protocol, **options)


def receiver_context(db: Database, config: Config, settings: IngestSettings) -> ServiceContext:
    return ServiceContext(db, config, monitoring_actor(os_login(), settings.actor))


def build_server(db: Database, config: Config, *, settings: IngestSettings | None = None, host: str | None = None,
                 port: int | None = None, dry_run: bool = False, log_level: str = "warning") -> uvicorn.Server:
    settings = settings or settings_from_config(config)
    app = create_app(receiver_context(db, config, settings), settings, dry_run=dry_run)
    return uvicorn.Server(uvicorn_config(
        app, host=host or settings.host, port=settings.port if port is None else port, log_level=log_level,
    ))


def serve(db: Database, config: Config, *, host: str | None = None, port: int | None = None,
          dry_run: bool = False) -> None:
    settings = settings_from_config(config)
    if not any(i.enabled for i in settings.integrations):
        print("incidentdesk receive: no enabled integrations: every request will get 401 or 403; add "
              "[ingest.integrations.NAME] with format and token to incidentdesk.toml", file=sys.stderr)
    server = build_server(db, config, settings=settings, host=host, port=port, dry_run=dry_run)
    sock = socket.socket(socket.AF_INET6 if ":" in server.config.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((server.config.host, server.config.port))
    bound = sock.getsockname()[1]
    names = ", ".join(f"{i.name} ({i.format}{'' if i.enabled else ', disabled'})" for i in settings.integrations)
    print(f"incidentdesk receive: listening on http://{server.config.host}:{bound} "
          f"({'dry run: nothing stored' if dry_run else db.display_name}); integrations: {names or 'none'}",
          file=sys.stderr, flush=True)
    server.run(sockets=[sock])
