"""Where incidentdesk keeps its files (config, data, database) and the host's time zone.

Light on purpose (no msgspec, no TOML): `incidentdesk paths` and the start-up path use it.
"""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

APP = "incidentdesk"
ENV_DB = "INCIDENTDESK_DATABASE_URL"
ENV_CONFIG = "INCIDENTDESK_CONFIG"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_path() -> Path:
    override = os.environ.get(ENV_CONFIG)
    return Path(override) if override else config_dir() / "incidentdesk.toml"


def default_database_path() -> Path:
    return data_dir() / "incidentdesk.db"


def default_database_url() -> str:
    return f"sqlite:///{default_database_path()}"


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


def is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
