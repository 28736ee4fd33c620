"""Schema versions: upgrade, report, and refuse a database newer than this code.

Migrations run by themselves only on an empty database. An older schema is left alone
with a message to run `incidentdesk db upgrade`, since other consoles may share it.

Checking the version is on every start-up path (the console, each CLI command), so it does
not import Alembic: the database's revision is one SELECT, and the head revision is read
from the `revision`/`down_revision` lines of the files in migrations/versions (a test holds
this to Alembic's own ScriptDirectory). Alembic is imported only to actually migrate.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from incidentdesk.domain.errors import DomainError

MIGRATIONS = Path(__file__).with_name("migrations")
VERSIONS = MIGRATIONS / "versions"

if TYPE_CHECKING:  # SQLAlchemy is imported only where an engine is used: the head revision needs none
    from sqlalchemy import Engine


class SchemaError(DomainError):
    """The database's schema does not match this version of incidentdesk."""


def alembic_config(engine: Engine | None = None, connection=None):
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


# A module-level `revision = "..."` / `down_revision: ... = ...` line of a migration file. Matching
# these lines and evaluating only their values is ~10x cheaper than parsing each whole file, and
# every command start reads the head revision (a file this cannot read leaves no single head:
# Alembic is then asked, below).
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*(?:#.*)?$", re.M)


def _revision_ids(path: Path) -> tuple[str | None, tuple[str, ...]]:
    """(revision, down_revisions) from a migration file's module-level assignments."""
    import ast

    found: dict[str, object] = {}
    for name, value in _ASSIGNMENT.findall(path.read_text(encoding="utf-8")):
        try:
            found[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            found[name] = None
    down = found.get("down_revision")
    downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
    revision = found.get("revision")
    return (revision if isinstance(revision, str) else None), downs


@lru_cache(maxsize=1)
def revision_graph() -> dict[str, tuple[str, ...]]:
    """Every revision this code knows and the revisions it follows."""
    graph = {}
    for path in sorted(VERSIONS.glob("*.py")):
        revision, downs = _revision_ids(path)
        if revision is not None:
            graph[revision] = downs
    return graph


def head_revision() -> str:
    graph = revision_graph()
    followed = {down for downs in graph.values() for down in downs}
    heads = [rev for rev in graph if rev not in followed]
    if len(heads) != 1:  # a branch being merged, or a file we cannot read: let Alembic say what is wrong
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(alembic_config()).get_current_head()
    return heads[0]


def known_revisions() -> set[str]:
    return set(revision_graph())


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import inspect

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    if len(versions) > 1:
        raise SchemaError(f"the database records several schema versions ({', '.join(sorted(versions))}); "
                          "run `incidentdesk db upgrade`")
    return versions[0] if versions else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    _refuse_newer(engine)
    from alembic import command

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
        from sqlalchemy import inspect

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
