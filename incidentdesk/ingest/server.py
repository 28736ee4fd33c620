"""Running the receiver under uvicorn, from the CLI or a test."""

from __future__ import annotations

import socket
import sys

import uvicorn

from incidentdesk.config import Config
from incidentdesk.ingest.app import create_app
from incidentdesk.ingest.settings import IngestSettings, settings_from_config
from incidentdesk.services.alerts import monitoring_actor
from incidentdesk.services.context import ServiceContext, os_login
from incidentdesk.store.engine import Database


def receiver_context(db: Database, config: Config, settings: IngestSettings) -> ServiceContext:
    return ServiceContext(db, config, monitoring_actor(os_login(), settings.actor))


def build_server(db: Database, config: Config, *, settings: IngestSettings | None = None, host: str | None = None,
                 port: int | None = None, dry_run: bool = False, log_level: str = "warning") -> uvicorn.Server:
    settings = settings or settings_from_config(config)
    app = create_app(receiver_context(db, config, settings), settings, dry_run=dry_run)
    return uvicorn.Server(uvicorn.Config(
        app, host=host or settings.host, port=settings.port if port is None else port, log_level=log_level,
        access_log=False, lifespan="off", server_header=False, timeout_keep_alive=30,
    ))


def serve(db: Database, config: Config, *, host: str | None = None, port: int | None = None,
          dry_run: bool = False) -> None:
    settings = settings_from_config(config)
    if not settings.integrations:
        print("incidentdesk receive: no integrations configured: every request will get 401; add "
              "[ingest.integrations.NAME] with format and token to incidentdesk.toml", file=sys.stderr)
    server = build_server(db, config, settings=settings, host=host, port=port, dry_run=dry_run)
    sock = socket.socket(socket.AF_INET6 if ":" in server.config.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((server.config.host, server.config.port))
    bound = sock.getsockname()[1]
    names = ", ".join(f"{i.name} ({i.format})" for i in settings.integrations) or "none"
    print(f"incidentdesk receive: listening on http://{server.config.host}:{bound} "
          f"({'dry run: nothing stored' if dry_run else db.display_name}); integrations: {names}",
          file=sys.stderr, flush=True)
    server.run(sockets=[sock])
