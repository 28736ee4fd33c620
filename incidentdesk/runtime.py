"""Start-up shared by every entry point: read config, open the database, know the actor."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from incidentdesk.config import Config, load_config, resolve_database_url
from incidentdesk.services.context import ServiceContext, resolve_actor
from incidentdesk.store.engine import Database, open_database, translate_errors
from incidentdesk.store.migrate import ensure_schema


@dataclass
class Runtime:
    config: Config
    db: Database
    ctx: ServiceContext


def open_runtime(db_url: str | None = None, acting_as: str | None = None, config_file: Path | None = None,
                 config: Config | None = None) -> Runtime:
    config = config or load_config(config_file)
    db = open_database(resolve_database_url(db_url, config), group_shared=config.sqlite_group_shared)
    try:
        with translate_errors():  # e.g. PostgreSQL down or the database missing: one clear message
            ensure_schema(db.engine)
            actor = resolve_actor(db, config, acting_as)
    except Exception:
        db.dispose()
        raise
    return Runtime(config, db, ServiceContext(db, config, actor))
