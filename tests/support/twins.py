"""Two copies of one SQLite desk, one written through SQLAlchemy and one through plain sqlite3
(store/plainwrite), and everything stored in a file, to compare them value for value."""

from __future__ import annotations

import shutil
import sqlite3
import tomllib
from dataclasses import dataclass
from pathlib import Path

from incidentdesk.config import Config, parse_config
from incidentdesk.services.catalog import BY_NAME
from incidentdesk.services.catalog.spec import invoke
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.store.engine import Database
from incidentdesk.store.plainwrite import PlainDatabase
from tests.support.clock import Clock
from tests.support.desk import build, open_db

# A site's settings: targets counted from the start after a reprioritisation (so the replaced targets
# are read back), a business-hours calendar for P3 (pause time recounted on it), the review required,
# and notification rules on every incident event to a channel, to people (addresses, managers) and to
# the on-call.
SITE = """
[sla]
reprioritise_from = "start"
pausing_reasons = ["waiting for user", "waiting for vendor"]
[sla.calendars.uk]
hours = "08:00-18:00"
[sla.P3]
response = "4h"
calendar = "uk"
[pir]
required = true
[notify]
[[notify.channel]]
name = "ops"
url_env = "TEST_OPS_URL"
[[notify.channel]]
name = "mail"
url_env = "TEST_MAIL_URL"
[[notify.rule]]
on = ["created", "acknowledged", "started", "assigned", "reprioritised", "escalated", "held", "resumed",
      "resolved", "closed", "reopened", "cancelled", "comment", "sla_at_risk", "sla_breached", "major_declared",
      "major_stood_down", "command_handed", "stakeholder_update"]
to = "ops"
[[notify.rule]]
on = ["assigned", "escalated", "resolved", "reopened", "major_declared", "command_handed"]
to = ["assignee", "manager", "reporter", "commander"]
via = "mail"
[[notify.rule]]
on = ["escalated"]
group = ["Platform SRE"]
to = "group"
via = "mail"
[[notify.rule]]
on = ["comment", "escalated", "held", "major_declared"]
to = "oncall"
via = "mail"
[notify.addresses]
ana = "ana@example.com"
tess = "tess@example.com"
chen = "chen@example.com"
ines = "ines@example.com"
marco = "marco@example.com"
"Platform SRE" = "sre@example.com"
"""


def site_config() -> Config:
    """SITE as a Config (both twins run with it)."""
    return parse_config(tomllib.loads(SITE))


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, as stored (raw sqlite3 values: text, ints, floats), in rowid order."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: _rows(conn, t) for t in tables}
    finally:
        conn.close()


def _rows(conn: sqlite3.Connection, table: str) -> list[tuple]:
    """In rowid order; a WITHOUT ROWID table (an FTS5 index's config, say) in its columns' order."""
    try:
        return conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
    except sqlite3.OperationalError:
        return sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)


def checkpointed_copy(db: Database, to: Path) -> None:
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    shutil.copy(Path(db.engine.url.database), to)


@dataclass
class Twins:
    """The same desk twice; `run` does one use case on both with the same clock and actor."""

    orm: Database
    plain: PlainDatabase
    orm_path: Path
    plain_path: Path
    clock: Clock
    keys: dict
    config: Config

    def run(self, name: str, login: str, raw: dict, key: str | None = None, expected_version: int | None = None):
        """The outcome (or the error's class and text) on each side: (orm, plain)."""
        uc = BY_NAME[name]
        results = []
        for db in (self.orm, self.plain):
            actor = load_actor(self.orm, login)  # who acts: read once, the same on both sides
            ctx = ServiceContext(db, self.config, actor, self.clock)
            try:
                outcome = invoke(uc, ctx, dict(raw), key=key, expected_version=expected_version, origin="cli")
                results.append(("ok", outcome.key, outcome.result))
            except Exception as exc:  # noqa: BLE001 - compared, not swallowed: both sides must fail alike
                results.append((type(exc).__name__, str(exc)))
        return tuple(results)


def assert_same(twins: Twins) -> None:
    """Both files hold the same rows, table for table, value for value."""
    twins.orm.dispose()
    orm, plain = dump(twins.orm_path), dump(twins.plain_path)
    assert orm.keys() == plain.keys()
    for table in orm:
        assert orm[table] == plain[table], table


def make_twins(tmp_path: Path, template: Path | None = None, config: Config | None = None) -> Twins:
    """A built desk (tests/support/desk.build) copied to two files; `template` reuses one built before;
    `config`: the settings both sides run with (notification rules, SLA policies...)."""
    orm_path, plain_path = tmp_path / "orm.db", tmp_path / "plain.db"
    clock = Clock()
    if template is None:
        db = open_db(orm_path)
        keys = build(db, clock)
        checkpointed_copy(db, plain_path)
    else:
        shutil.copy(template, orm_path)
        shutil.copy(template, plain_path)
        keys = {}
    for p in (orm_path, plain_path):
        p.chmod(0o600)
    orm = open_db(orm_path)
    return Twins(orm, PlainDatabase(plain_path, f"sqlite:///{plain_path}"), orm_path, plain_path, clock, keys,
                 config or Config())
