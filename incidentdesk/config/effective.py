"""The validated config as the services and the console use it: `Config`, built in one place.

`Config.from_schema` turns the validated Structs into the domain's objects (the priority matrix,
SLA targets and settings, the reopen window, ...). Callers read those, or `config.schema.<section>`
for a section's own settings; nobody reads the TOML file's raw tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

import msgspec

from incidentdesk.config import paths
from incidentdesk.config.schema import Schema
from incidentdesk.domain.enums import Level
from incidentdesk.domain.priority import DEFAULT_MATRIX
from incidentdesk.domain.sla import DEFAULT_TARGETS, SlaSettings, SlaTarget, settings_from_config, targets_from_config

if TYPE_CHECKING:  # read when config.notify is first used, not at every start
    from incidentdesk.domain.notify_rules import NotifySettings


def plain(value: Any) -> Any:
    """A Struct as the plain tables TOML gives (None left out, dates kept), for the domain's parsers."""
    return _drop_none(msgspec.to_builtins(value, builtin_types=(dt.date,)))


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


@dataclass(frozen=True)
class Config:
    database_url: str | None = None
    priority_matrix: dict[tuple[Level, Level], int] = field(default_factory=lambda: dict(DEFAULT_MATRIX))
    sla_targets: dict[int, SlaTarget] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    reopen_window: timedelta = timedelta(days=7)
    allow_acting_as: bool = False
    sqlite_group_shared: bool = False
    keys: dict[str, str] = field(default_factory=dict)
    theme: str = "textual-dark"
    # The site's time zone: business-hours SLA calendars count in it unless they name their own.
    time_zone: str = field(default_factory=lambda: paths.machine_time_zone())
    schema: Schema = field(default_factory=Schema)
    source: str = "incidentdesk.toml"  # the file it was read from, for error lines

    @classmethod
    def from_schema(cls, schema: Schema, source: str = "incidentdesk.toml") -> Config:
        """The one place the validated file becomes the objects the services use."""
        general, sla = schema.general, plain(schema.sla)
        config = cls(
            database_url=schema.database.url,
            priority_matrix=schema.priority_matrix.matrix(),
            sla_targets=targets_from_config(sla),
            reopen_window=timedelta(hours=general.reopen_window_hours),
            allow_acting_as=general.allow_acting_as,
            sqlite_group_shared=schema.database.sqlite_group_shared,
            keys=dict(schema.keys),
            theme=general.theme,
            time_zone=general.time_zone or paths.machine_time_zone(),
            schema=schema,
            source=source,
        )
        config.sla  # noqa: B018  (built now: a bad [sla] table fails when the file is read, not at the first sweep)
        return config

    @cached_property
    def notify(self) -> NotifySettings:
        """`[notify]` as the outbox hook and the delivery worker use it (rules indexed by event), once per Config."""
        from incidentdesk.domain.notify_rules import parse_notify

        return parse_notify(plain(self.schema.notify))

    @cached_property
    def sla(self) -> SlaSettings:
        """Every `[sla]` setting, parsed once per Config, calendars in the site time zone."""
        return settings_from_config(plain(self.schema.sla), self.sla_targets, time_zone=self.time_zone)

    @cached_property
    def major(self):
        """`[major]` as the domain's MajorSettings: the update cadence per severity, the amber threshold."""
        from incidentdesk.domain.major_cadence import settings_from_config

        return settings_from_config(plain(self.schema.major))

    def section(self, name: str) -> dict:
        """A section as plain tables (prefer `config.schema.<name>`, typed). A name the schema lacks is a
        bug, not an empty table: add the section (config/schema.py) and read its Struct."""
        if name not in msgspec.structs.asdict(self.schema):
            raise KeyError(f"incidentdesk.toml has no section [{name}] in the schema: add it (config/schema.py)")
        return plain(getattr(self.schema, name))
