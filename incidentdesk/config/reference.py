"""The README's table of every section and key, generated from the schema.

    python -m incidentdesk.config.reference           # print the table
    python -m incidentdesk.config.reference --write   # put it in README.md between its markers

tests/config/test_reference.py fails when the README's table and the schema differ.
"""

from __future__ import annotations

import sys
import typing
from pathlib import Path

import msgspec

from incidentdesk.config.base import toml_value
from incidentdesk.config.effective import plain
from incidentdesk.config.errors import describe, strip_type
from incidentdesk.config.schema import Schema

START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def _doc(tp) -> str:
    if typing.get_origin(tp) is typing.Annotated:
        for meta in typing.get_args(tp)[1:]:
            if isinstance(meta, msgspec.Meta) and meta.description:
                return meta.description
    return ""


def _struct(tp):
    inner = strip_type(tp)
    return inner if isinstance(inner, type) and issubclass(inner, msgspec.Struct) else None


def _default_text(field: msgspec.structs.FieldInfo, instance) -> str:
    if field.required:
        return "required"
    value = getattr(instance, field.name) if instance is not None else (
        field.default if field.default is not msgspec.NODEFAULT else field.default_factory())
    value = plain(value) if isinstance(value, msgspec.Struct) else value
    if value is None:
        return "–"
    text = toml_value(value)
    return text if len(text) <= 60 else text[:57] + "..."


def rows(tp=Schema, name: str = "", array: bool = False, instance=None) -> list[tuple[str, str, str, str]]:
    """(table, key, default, meaning) for every key under the Struct `tp`, sub-tables after their parents.

    `name` is the table's dotted name ("sla.calendars.NAME"), `array` whether it is an array of tables.
    """
    header = f"[[{name}]]" if array else f"[{name}]"
    out: list[tuple[str, str, str, str]] = []
    later: list[tuple] = []
    legacy: list[str] = []
    if instance is None:
        instance = _sample(tp)
    for field in msgspec.structs.fields(tp):
        key, ftp = field.encode_name, field.type
        inner = strip_type(ftp)
        origin, args = typing.get_origin(inner), typing.get_args(inner)
        dotted = f"{name}.{key}" if name else key
        if _struct(ftp) is not None:
            later.append((_struct(ftp), dotted, False, getattr(instance, field.name, None)))
        elif origin is list and _struct(args[0]):
            later.append((_struct(args[0]), dotted, True, None))
        elif origin is dict and _struct(args[1]):
            later.append((_struct(args[1]), f"{dotted}.NAME", False, None))
        elif _doc(ftp).startswith("older"):
            legacy.append(f"`{key}`")
        elif origin is dict and not name:  # a section that is a table of free keys ([keys])
            later.append((None, key, False, _doc(ftp) or describe(ftp)))
        else:
            out.append((header, f"`{key}`", _default_text(field, instance), _doc(ftp) or describe(ftp)))
    if legacy:
        out.append((header, ", ".join(legacy), "–", "older forms, still read (`config show` prints the current one)"))
    for sub, dotted, is_array, sub_instance in later:
        out += rows(sub, dotted, is_array, sub_instance) if sub is not None else [(f"[{dotted}]", "`ID`", "–",
                                                                                  sub_instance)]
    return out


def _sample(tp):
    """An instance to read defaults from; None for a Struct with required keys (an array item, say)."""
    try:
        return tp()
    except TypeError:
        return None


def table() -> str:
    lines = ["| table | key | default | meaning |", "| --- | --- | --- | --- |"]
    for tbl, key, default, meaning in rows():
        cell = default if default in ("required", "–") else f"`{default}`"
        lines.append(f"| `{tbl}` | {key} | {cell.replace('|', chr(92) + '|')} | {meaning.replace('|', chr(92) + '|')} |")
    return "\n".join(lines)


def readme_block(text: str) -> str | None:
    """The table between the markers in `text`, or None if the markers are missing."""
    if START not in text or END not in text:
        return None
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def main(argv: list[str]) -> int:
    if "--write" in argv:
        text = README.read_text()
        if readme_block(text) is None:
            print(f"{README}: no {START} ... {END} markers to write between", file=sys.stderr)
            return 1
        head, rest = text.split(START, 1)
        README.write_text(f"{head}{START}\n{table()}\n{END}{rest.split(END, 1)[1]}")
        return 0
    print(table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
