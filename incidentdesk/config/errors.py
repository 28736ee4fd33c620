"""msgspec's validation errors as one line each, in the words of the TOML file.

msgspec says `Object contains unknown field `refresh_secs` - at `$.console``; a user needs
`incidentdesk.toml: [console] unknown key "refresh_secs" (did you mean "refresh_seconds"?)`.
This module walks the error's path through the raw data and the schema's types at once, to
name the table as it is written (`[sla.calendars.b]`, `[[sla.escalation]] #2`), the key, the
value given, and what is allowed (from the field's type).

msgspec stops at the first error, so `all_errors` collects every one by removing each bad key
from a copy of the data and validating again (at most MAX_ERRORS).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import types
import typing
from typing import Any, Literal

import msgspec

from incidentdesk.config.base import toml_value

MAX_ERRORS = 20
_AT = re.compile(r"^(?P<msg>.*) - at `\$(?P<path>[^`]*)`$", re.S)
_TOKEN = re.compile(r"\.(\w+)|\[(\d+|\.\.\.)\]")


def strip_type(tp):
    """The type without Annotated and without None in a union."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else typing.Union[tuple(args)]
    return tp


def _meta(tp) -> list[msgspec.Meta]:
    return [a for a in typing.get_args(tp)[1:] if isinstance(a, msgspec.Meta)] \
        if typing.get_origin(tp) is typing.Annotated else []


def describe(tp) -> str:
    """What a value of type `tp` may be, in words."""
    bounds = []
    for meta in _meta(tp):
        for attr, word in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(meta, attr) is not None:
                bounds.append(f"{word} {getattr(meta, attr):g}")
    tp = strip_type(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in typing.get_args(tp))
    if origin is Literal:
        return "one of " + ", ".join(toml_value(v) for v in typing.get_args(tp))
    if origin is list:
        return f"a list of {_plural(describe(typing.get_args(tp)[0]))}"
    if origin is dict:
        return f"a table of name = {describe(typing.get_args(tp)[1])}"
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return "a table"
    words = {bool: "true or false", int: "a whole number", float: "a number", str: "a string in quotes",
             dt.date: "a date like 2026-12-25"}.get(tp, getattr(tp, "__name__", str(tp)))
    return words + (" " + " and ".join(bounds) if bounds else "")


def _plural(text: str) -> str:
    return {"a string in quotes": "strings in quotes", "a table": "tables", "a whole number": "whole numbers",
            "a number": "numbers", "a date like 2026-12-25": "dates like 2026-12-25"}.get(text, text)


def field_doc(tp) -> str:
    """A field's help (config/base.doc), if it has one."""
    if typing.get_origin(tp) is typing.Annotated:
        for meta in _meta(tp):
            if meta.description:
                return meta.description
    return ""


def struct_fields(tp) -> dict[str, Any]:
    """A Struct type's TOML keys and their types."""
    return {f.encode_name: f.type for f in msgspec.structs.fields(tp)}


class _Place:
    """Where an error is: the table as written in TOML, the raw container, its type, the key in it."""

    def __init__(self, root_type) -> None:
        self.names: list[str] = []      # the table's dotted name
        self.item: int | None = None    # an array of tables' item number (from 1)
        self.value: Any = None          # the raw value at the path
        self.type = root_type           # the schema type of that value
        self.trail: list[str | int] = []  # every key from the top
        self.rel: list[str | int] = []    # the keys below the table header

    def label(self) -> str:
        name = ".".join(self.names)
        if self.item is not None:
            return f"[[{name}]] #{self.item}"
        return f"[{name}]" if name else ""


def _value_type(tp):
    """The type of a dict's values or a list's items."""
    args = typing.get_args(strip_type(tp))
    return args[-1] if args else Any


def locate(path: str, data: dict, root_type, removed: dict | None = None) -> _Place:
    """Follow msgspec's `path` (`.sla.escalation[0].on`) through `data` and the schema together."""
    place = _Place(root_type)
    place.value = data
    for name, index in ((m.group(1), m.group(2)) for m in _TOKEN.finditer(path)):
        container, tp = place.value, strip_type(place.type)
        if name is not None:
            key = name
            sub = struct_fields(tp).get(name, Any) if isinstance(tp, type) and issubclass(tp, msgspec.Struct) else Any
        elif index == "...":  # a dict key msgspec does not name: the first value that does not validate
            key, sub = _failing_key(container, _value_type(tp)), _value_type(tp)
        else:
            key, sub = int(index), _value_type(tp)
        place.type = sub
        place.value = container[key]
        place.trail.append(key)
        if isinstance(key, int) and isinstance(place.value, dict) and place.item is None:
            place.names += [str(k) for k in place.rel]  # an array of tables: [[name]] #n
            place.rel, place.item = [], _original(removed, tuple(place.trail[:-1]), key) + 1
        else:
            place.rel.append(key)
            if isinstance(place.value, dict) and place.item is None:
                place.names += [str(k) for k in place.rel]
                place.rel = []
    return place


def _original(removed: dict | None, list_trail: tuple, index: int) -> int:
    """An array item's index in the file, before items with errors were dropped (to find later errors)."""
    for gone in sorted((removed or {}).get(list_trail, [])):
        if gone <= index:
            index += 1
    return index


def _failing_key(container: dict, tp) -> str:
    for key, value in container.items():
        try:
            msgspec.convert(value, tp)
        except msgspec.ValidationError:
            return key
    return "?"


def _key_text(trail: list) -> str:
    out = ""
    for k in trail:
        if isinstance(k, int):
            out += f"[{k}]"
        else:
            text = k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else toml_value(k)
            out += f".{text}" if out else text
    return out


def _quoted(text: str) -> str:
    return text if text.startswith('"') else f'"{text}"'


def message(exc: msgspec.ValidationError, data: dict, root_type, removed: dict | None = None
            ) -> tuple[str, list | None]:
    """One line for `exc` (without the file name), and the path of the raw key to drop to find the next."""
    match = _AT.match(str(exc))
    text, path = (match.group("msg"), match.group("path")) if match else (str(exc), "")
    try:
        place = locate(path, data, root_type, removed)
    except (KeyError, IndexError, TypeError):
        return f"{text} (at {path or 'the top'})", None
    label = place.label()
    where = f"{label} " if label else ""
    rel = place.rel  # keys below the table header (e.g. `holidays[1]`, `match.team`) are named from it
    unknown = re.match(r"Object contains unknown field `(.+)`$", text)
    if unknown:
        key = unknown.group(1)
        tp = strip_type(place.type)
        known = list(struct_fields(tp)) if isinstance(tp, type) and issubclass(tp, msgspec.Struct) else []
        import difflib  # only for a mistake: every command start reads a config, few have one

        close = [k for k in known if k.lower() == key.lower()] or [
            k for k in known if k.lower() in difflib.get_close_matches(key.lower(), [n.lower() for n in known], 1, 0.6)]
        hint = f" (did you mean {_quoted(_key_text([close[0]]))}?)" if close else (
            f"; known: {', '.join(known)}" if known else "")
        if not label and not rel:
            line = (f"unknown section [{_key_text([key])}]" if isinstance(place.value.get(key), dict)
                    else f"unknown key {_quoted(_key_text([key]))}")
            return line + hint, [*place.trail, key]
        return f"{where}unknown key {_quoted(_key_text([*rel, key]))}{hint}", [*place.trail, key]
    missing = re.match(r"Object missing required field `(.+)`$", text)
    if missing:
        return f'{where}needs {missing.group(1)} (it is missing)', place.trail or None
    custom = re.match(r"^(?:(?P<sub>[\w\[\]]+)/)?(?P<key>[\w.\[\]]+) = (?P<rest>.*)$", text, re.S)
    if custom or not rel:  # a check in __post_init__: the path is the table, the message names the key
        if custom and custom.group("sub"):
            sub = custom.group("sub")
            m = re.fullmatch(r"(\w+)\[(\d+)\]", sub)
            where = (f"[[{'.'.join(place.names + [m.group(1)])}]] #{int(m.group(2)) + 1} " if m
                     else f"[{'.'.join(place.names + [sub])}] ")
            return f"{where}{custom.group('key')} = {custom.group('rest')}", place.trail or None
        return f"{where}{text}", place.trail or None
    shown = toml_value(place.value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    help_text = field_doc(place.type)
    return (f"{where}{_key_text(rel)} = {shown}: use {describe(place.type)}"
            + (f"; {help_text}" if help_text else "")), place.trail


def all_errors(data: dict, root_type) -> tuple[list[str], Any]:
    """Every error line in `data` (up to MAX_ERRORS), and the validated value (None if any error).

    After each error the bad key (or the table a check refused) is dropped from a copy of the data
    and the rest validated again; an array item dropped is remembered, so later items keep the
    numbers they have in the file.
    """
    lines: list[str] = []
    work = data
    removed: dict[tuple, list[int]] = {}
    for _ in range(MAX_ERRORS):
        try:
            value = msgspec.convert(work, root_type)
        except msgspec.ValidationError as exc:
            line, drop = message(exc, work, root_type, removed)
            if line in lines:
                break
            lines.append(line)
            if work is data:
                work = copy.deepcopy(data)
            if not drop or not _drop(work, drop, removed):
                break
            continue
        return lines, (value if not lines else None)
    return lines, None


def _drop(data, trail: list, removed: dict) -> bool:
    """Remove the key at `trail` from `data` (to find the next error); False if it is not there."""
    node = data
    try:
        for key in trail[:-1]:
            node = node[key]
        del node[trail[-1]]
    except (KeyError, IndexError, TypeError):
        return False
    if isinstance(trail[-1], int):
        list_trail = tuple(trail[:-1])
        removed.setdefault(list_trail, []).append(_original(removed, list_trail, trail[-1]))
    return True
