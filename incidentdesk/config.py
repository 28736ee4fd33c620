"""Where incidentdesk keeps its files, and the settings read from `incidentdesk.toml`.

Reading config is I/O, so it lives here and not in domain/; the result is a plain frozen
object the services and UI are handed.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from incidentdesk.domain.enums import Level
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.priority import DEFAULT_MATRIX, matrix_from_config
from incidentdesk.domain.sla import DEFAULT_TARGETS, SlaSettings, SlaTarget, settings_from_config, targets_from_config

APP = "incidentdesk"
ENV_DB = "INCIDENTDESK_DATABASE_URL"
ENV_CONFIG = "INCIDENTDESK_CONFIG"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def machine_time_zone() -> str:
    """The host's IANA time zone, from /etc/localtime (or /etc/timezone); "UTC" if it cannot be named.

    Deliberately not the TZ variable: every console and sweeper on one jump host must count the
    same business hours, whatever each user's shell says. Set `[general] time_zone` to be sure.
    """
    candidates = []
    try:
        target = os.path.realpath("/etc/localtime")
        if "/zoneinfo/" in target:
            candidates.append(target.split("/zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text().strip())
    except OSError:
        pass
    for name in candidates:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return "UTC" if name in ("Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu") else name
    return "UTC"


def site_time_zone(value: object) -> str:
    """`[general] time_zone`, checked; the machine's zone when absent."""
    if value is None:
        return machine_time_zone()
    name = str(value).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"[general] time_zone {name!r} is not a time zone: use an IANA name such as "
                              "Europe/London or UTC", field="time_zone") from None
    return name


def config_path() -> Path:
    override = os.environ.get(ENV_CONFIG)
    return Path(override) if override else config_dir() / "incidentdesk.toml"


def default_database_path() -> Path:
    return data_dir() / "incidentdesk.db"


def default_database_url() -> str:
    return f"sqlite:///{default_database_path()}"


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
    time_zone: str = field(default_factory=lambda: machine_time_zone())
    raw: dict = field(default_factory=dict)
    # --- [pir] post-incident reviews (services/pir.py) --------------------------------------
    # Kept apart until the typed config schema lands; then it becomes its own section module.
    pir_required: bool = True   # a major incident needs a complete review before it is closed

    @cached_property
    def sla(self) -> SlaSettings:
        """Every `[sla]` setting, parsed once per Config, calendars in the site time zone."""
        return settings_from_config(self.section("sla"), self.sla_targets, time_zone=self.time_zone)

    def section(self, name: str) -> dict:
        """A raw table from the file, for features that read their own settings."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


def parse_config(data: dict) -> Config:
    try:
        general = data.get("general", {})
        db = data.get("database", {})
        config = Config(
            database_url=db.get("url"),
            priority_matrix=matrix_from_config(data.get("priority_matrix")),
            sla_targets=targets_from_config(data.get("sla")),
            reopen_window=timedelta(hours=float(general.get("reopen_window_hours", 168))),
            allow_acting_as=bool(general.get("allow_acting_as", False)),
            sqlite_group_shared=bool(db.get("sqlite_group_shared", False)),
            keys={str(k): str(v) for k, v in data.get("keys", {}).items()},
            theme=str(general.get("theme", "textual-dark")),
            time_zone=site_time_zone(general.get("time_zone")),
            raw=data,
            **pir_settings(data.get("pir")),
        )
        config.sla  # noqa: B018  (a bad [sla] table fails when the file is read, not at the first sweep)
        return config
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValidationError(f"incidentdesk.toml has an invalid value ({exc}); fix the file and retry") from exc


PIR_SETTINGS = {"required": bool}


def pir_settings(table: object) -> dict:
    """`[pir]`: `required = true|false` (default true); an unknown key or a wrong type is one clear line."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ValidationError("[pir] must be a table, e.g. [pir] required = true; fix incidentdesk.toml and retry")
    for key, value in table.items():
        if key not in PIR_SETTINGS:
            raise ValidationError(f"[pir] has no setting {key!r} (known: {', '.join(PIR_SETTINGS)}); "
                                  "fix incidentdesk.toml and retry", field="pir")
        if not isinstance(value, bool):
            raise ValidationError(f"[pir] required must be true or false, not {value!r}; fix incidentdesk.toml "
                                  "and retry", field="pir")
    return {"pir_required": table.get("required", True)}


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    if not path.exists():
        return Config()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{path} is not valid TOML ({exc}); fix the file and retry") from exc
    warn_if_secrets_exposed(path, data)
    return parse_config(data)


_SECRET_KEYS = ("token", "password", "secret", "routing_key", "api_key")


def _secrets_in(data, where: str = "") -> list[str]:
    """Where `data` holds a secret: a token/password/... value, or a database URL with a password."""
    found = []
    for key, value in (data.items() if isinstance(data, dict) else ()):
        name = f"{where}.{key}" if where else str(key)
        if isinstance(value, dict):
            found += _secrets_in(value, name)
        elif isinstance(value, str) and value and (
                str(key).lower() in _SECRET_KEYS or (str(key).lower() == "url" and _url_has_password(value))):
            found.append(name)
    return found


def _url_has_password(url: str) -> bool:
    authority = url.split("://", 1)[-1].split("/", 1)[0]
    return "@" in authority and ":" in authority.rsplit("@", 1)[0]


def warn_if_secrets_exposed(path: Path, data: dict, stream=None) -> bool:
    """Warn (one line on stderr) when the config holds secrets and others may read or write it.

    A warning, not a refusal: every command reads this file, and a console that will not start
    helps nobody on call. The tokens are exposed already, so the line says to rotate them too.
    """
    import stat
    import sys

    from incidentdesk.store.files import loose_bits, who_may

    secrets = _secrets_in(data)
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    bits = loose_bits(mode, 0o600)
    if not secrets or not bits:
        return False
    print(f"incidentdesk: warning: {path} holds secrets ({', '.join(secrets[:3])}) and is {who_may(bits)} "
          f"(mode {stat.S_IMODE(mode):04o}): run `chmod 600 {path}`, and replace the tokens others could read",
          file=stream or sys.stderr)
    return True


def resolve_database_url(cli_url: str | None, config: Config) -> str:
    """--db wins over the environment, which wins over the file, which wins over the default."""
    return cli_url or os.environ.get(ENV_DB) or config.database_url or default_database_url()
