"""What every section of incidentdesk.toml is made of: a strict, frozen msgspec Struct.

`Section` refuses unknown keys (a typo is an error, never a silently ignored setting), is
frozen (one validated config is shared by every thread) and keyword-only. A field's help for
the README table is `Annotated[type, doc("...")]`; a check msgspec's types cannot express is
made in `__post_init__` with the helpers below, which raise ValueError in the one shape the
error formatter (config/errors.py) prints: `key = value: what is allowed`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.text import is_unsafe


# Keys whose values are secrets, in any section: masked by `config show`, warned about in a readable file.
# A new section's secret goes by one of these names (or is added here).
SECRET_KEYS = ("token", "routing_key", "password", "secret", "api_key")


class Section(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A table of incidentdesk.toml (see the module docstring)."""


def doc(text: str) -> msgspec.Meta:
    """A field's one-line help, shown in the README's table of settings."""
    return msgspec.Meta(description=text)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(text: str) -> str:
    """`text` as a TOML basic string: quotes, backslashes, control, bidi and invisible characters escaped,
    so nothing from the file reaches the terminal as an escape sequence (error lines, `config show`)."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif is_unsafe(ch) and ch != " ":
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    """`value` as it would be written in TOML (for error lines and the README)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return str(value)


def bad(key: str, value: Any, allowed: str) -> ValueError:
    """The error for `key = value`, saying what is allowed instead."""
    shown = toml_value(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return ValueError(f"{key} = {shown}: {allowed}")


def set_field(obj: msgspec.Struct, name: str, value: Any) -> None:
    """Normalise a field of a frozen Struct from its __post_init__ (e.g. defaults filled in)."""
    msgspec.structs.force_setattr(obj, name, value)


def choice(obj: msgspec.Struct, key: str, choices: tuple[str, ...]) -> None:
    """`obj.key` must be one of `choices` (case and surrounding spaces ignored); stored normalised."""
    value = getattr(obj, key)
    if value is None:
        return
    normal = value.strip().lower()
    if normal not in choices:
        raise bad(key, value, "use one of " + ", ".join(f'"{c}"' for c in choices))
    set_field(obj, key, normal)


def non_empty(obj: msgspec.Struct, key: str, limit: int | None = None) -> None:
    """`obj.key`, if given, must be text that is not blank (and at most `limit` characters); stored stripped."""
    value = getattr(obj, key)
    if value is None:
        return
    if not value.strip() or (limit is not None and len(value.strip()) > limit):
        raise bad(key, value, "use a non-empty name" + (f" of at most {limit} characters" if limit else ""))
    set_field(obj, key, value.strip())


def domain_check(key: str, value: Any, check) -> Any:
    """Run a domain parser on `value`; its ValidationError becomes this key's error line."""
    try:
        return check(value)
    except ValidationError as exc:
        raise bad(key, value, str(exc)) from None
