"""README's table of settings is the schema's: every section and key, with its default."""

from __future__ import annotations

import typing

import msgspec

from incidentdesk.config import reference
from incidentdesk.config.errors import strip_type, struct_fields
from incidentdesk.config.schema import Schema


def test_the_readme_table_matches_the_schema():
    block = reference.readme_block(reference.README.read_text())
    assert block is not None, "README.md lost its config-reference markers"
    assert block == reference.table(), "run `python -m incidentdesk.config.reference --write`"


def _is_table(tp) -> bool:
    inner = strip_type(tp)
    args = typing.get_args(inner)
    return (isinstance(inner, type) and issubclass(inner, msgspec.Struct)) or any(
        isinstance(a, type) and issubclass(a, msgspec.Struct) for a in args)


def test_the_table_lists_every_key_of_every_section():
    rows = reference.rows()
    keys = {(r[0], r[1]) for r in rows}
    grouped = " ".join(r[1] for r in rows)  # older forms share one row
    for section, tp in struct_fields(Schema).items():
        inner = strip_type(tp)
        if not (isinstance(inner, type) and issubclass(inner, msgspec.Struct)):
            assert (f"[{section}]", "`ID`") in keys  # a table of free keys ([keys])
            continue
        for key, sub in struct_fields(inner).items():
            if not _is_table(sub):
                assert (f"[{section}]", f"`{key}`") in keys or f"`{key}`" in grouped, (section, key)
    for header, key in [("[[sla.escalation]]", "on"), ("[ingest.integrations.NAME]", "token_file"),
                        ("[sla.P3]", "resolution"), ("[sla.calendars.NAME]", "holidays"),
                        ("[[ingest.routes]]", "match_re"), ("[priority_matrix.low]", "medium")]:
        assert (header, f"`{key}`") in keys


def test_a_default_in_the_table_is_the_schema_default():
    rows = {(r[0], r[1]): r[2] for r in reference.rows()}
    assert rows[("[sla.P3]", "`resolution`")] == '"3bd"'
    assert rows[("[ingest]", "`port`")] == "9095"
    assert rows[("[[sla.escalation]]", "`on`")] == "required"
