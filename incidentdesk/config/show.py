"""`incidentdesk config show`: the effective config as TOML, defaults filled in, secrets masked.

The output is a valid incidentdesk.toml that `config check` accepts and that reads back to the
same effective config (secrets stay `***`, so it is safe to paste into a ticket, not to deploy).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from urllib.parse import urlsplit, urlunsplit

from incidentdesk.config.base import SECRET_KEYS, toml_string
from incidentdesk.config.effective import Config, plain

MASK = "***"
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def mask_url(url: str) -> str:
    """A URL with its password (if any) as ***."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url
    if not password:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:{MASK}@{host}"))


def masked(value, key: str = ""):
    """`value` with every secret replaced by ***: tokens and the like, passwords in URLs."""
    if isinstance(value, dict):
        return {k: masked(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, key) for v in value]
    if isinstance(value, str) and value:
        if key.lower() in SECRET_KEYS:
            return MASK
        if key.lower() == "url" or "://" in value:
            return mask_url(value)
    return value


def effective_tables(config: Config, database_url: str | None = None) -> dict:
    """The effective config as TOML tables: the validated file, defaults filled, the site zone and URL resolved."""
    tables = plain(config.schema)
    tables["general"]["time_zone"] = config.time_zone
    if database_url is not None:
        tables["database"]["url"] = database_url
    return masked(tables)


def to_toml(tables: dict) -> str:
    """A TOML document from plain tables (str, int, float, bool, date, lists, tables)."""
    out: list[str] = []
    for name, value in tables.items():
        if isinstance(value, dict):
            _table(out, [name], value)
        else:
            out.insert(0, f"{_key(name)} = {_value(value)}")
    return "\n".join(out).strip() + "\n"


def _is_table_array(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(out: list[str], names: list[str], table: dict) -> None:
    later, lines = [], []
    for key, value in table.items():
        if (isinstance(value, dict) and value) or _is_table_array(value):
            later.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    if lines or not later:  # a table holding only tables needs no header of its own
        out += ["", f"[{'.'.join(_key(n) for n in names)}]", *lines]
    for key, value in later:
        if isinstance(value, dict):
            _table(out, [*names, key], value)
        else:
            for item in value:
                out.append("")
                out.append(f"[[{'.'.join(_key(n) for n in [*names, key])}]]")
                for k, v in item.items():
                    out.append(f"{_key(k)} = {_value(v)}")


def _key(key) -> str:
    key = str(key)
    return key if _BARE.match(key) else toml_string(key)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
