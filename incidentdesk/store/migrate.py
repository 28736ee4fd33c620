"""Schema versions: upgrade, report, and refuse a database newer than this code.

Migrations run by themselves only on an empty database. An older schema is left alone
with a message to run `incidentdesk db upgrade`, since other consoles may share it.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from incidentdesk.domain.errors import DomainError

MIGRATIONS = Path(__file__).with_name("migrations")


class SchemaError(DomainError):
    """The database's schema does not match this version of incidentdesk."""


def alembic_config(engine: Engine | None = None, connection=None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    _refuse_newer(engine)
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), revision)


def _refuse_newer(engine: Engine) -> None:
    current = current_revision(engine)
    if current is not None and current not in known_revisions():
        raise SchemaError(
            f"the database is at schema {current}, newer than this incidentdesk knows (up to {head_revision()}); "
            "upgrade incidentdesk before using this database"
        )


def ensure_schema(engine: Engine) -> str:
    """Bring an empty database to head; check any other. Returns the current revision."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return current
    if current is None:
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        if tables:
            raise SchemaError(
                "the database has tables but no incidentdesk schema version; point --db at an incidentdesk database"
            )
        upgrade(engine)
        return head
    _refuse_newer(engine)
    raise SchemaError(
        f"the database is at schema {current}, older than this incidentdesk ({head}); run `incidentdesk db upgrade`"
    )
