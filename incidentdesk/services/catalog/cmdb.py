"""The CMDB's use cases, declared once: the category tree, CI and change imports, changes, and an incident's links.

Admins manage the category tree and import CIs and changes (a file is read by the command line,
so imports are not in the console). Changes are recorded by anyone on the desk from the command
line (`change new|update`; most teams feed them from their change tool with `change import`).
On an incident: recategorise (Y: category from the tree, and/or the CI) and link the change that
caused it (L). Reading — `categories list`, `ci list|show|export`, `change list|show` — is
cli/cmdb.py's.
"""

from __future__ import annotations

from enum import StrEnum

from incidentdesk.domain.cmdb import ChangeStatus, Risk
from incidentdesk.domain.enums import Role
from incidentdesk.services.catalog.spec import Kind, Param, Subject, UseCase

_ADMIN_CLI = "the category tree is an admin's, managed from the command line"
_FILE = "imports read a file: from the command line"
_CHANGES = "changes come from the command line or the change tool (change import)"


class ImportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def _categories():
    from incidentdesk.services import categories

    return categories


def _cmdb():
    from incidentdesk.services import cmdb

    return cmdb


def _imports():
    from incidentdesk.services import cmdb_import

    return cmdb_import


def category_record(db, path: str) -> dict:
    from dataclasses import asdict

    from incidentdesk.store.cmdb import list_categories

    return next((asdict(c) for c in list_categories(db) if c.path == path), {"path": path})


def change_record(db, key: str) -> dict:
    from incidentdesk.store.cmdb import change_detail

    return change_detail(db, key).to_json()


def incident_record(db, key: str) -> dict:
    from incidentdesk.store import queries

    return queries.incident_detail(db, key).to_json()


def _file_record(db, file: str) -> dict:
    return {"file": file}


def _change_params(required_title: bool) -> tuple[Param, ...]:
    return (
        Param("title", "Title", required=required_title, positional=required_title,
              placeholder="what is changed, e.g. TLS certificate rotation"),
        Param("cis", "CIs", Kind.LIST, flag="--ci", default=(), help="a CI the change touches (repeatable; "
              "update: the list replaces the change's CIs)"),
        Param("status", "Status", Kind.CHOICE, enum=ChangeStatus),
        Param("risk", "Risk", Kind.CHOICE, enum=Risk),
        Param("implementer", "Implementer", Kind.PERSON),
        Param("planned_start", "Planned start", Kind.TIME, flag="--planned-start"),
        Param("planned_end", "Planned end", Kind.TIME, flag="--planned-end"),
        Param("actual_start", "Actual start", Kind.TIME, flag="--actual-start"),
        Param("actual_end", "Actual end", Kind.TIME, flag="--actual-end"),
        Param("description", "Description", Kind.AREA),
    )


def _import(name: str, what: str, service) -> UseCase:
    return UseCase(
        name, f"Import {what}", f"import {what} from a CSV or JSON file (idempotent: a re-import updates)",
        service, subject=Subject.NONE, role=Role.ADMIN, command=(name.split("_")[0], "import"),
        printed="{file}: imported", record=_file_record, names="file", console=_FILE, shows_result=True, params=(
            Param("file", "File", required=True, positional=True),
            Param("format", "Format", Kind.CHOICE, enum=ImportFormat, help="default: from the file's extension"),
            Param("strict", "Strict", Kind.FLAG, default=False, help="a rejected row refuses the whole file"),
        ),
    )


USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "category_add", "Add category", "add a category path (Service/System/Application); parents are added too",
        lambda: _categories().add_category, subject=Subject.NONE, role=Role.ADMIN, command=("categories", "add"),
        printed="{key}: added", record=category_record, console=_ADMIN_CLI, params=(
            Param("path", "Category", Kind.CATEGORY, required=True, positional=True),
            Param("default_group", "Default group", Kind.GROUP, flag="--group",
                  help="the group incidents of this category go to (routing)"),
        ),
    ),
    UseCase(
        "category_rename", "Rename category",
        "rename a category's last level; paths under it and incidents' categories follow",
        lambda: _categories().rename_category, subject=Subject.NONE, role=Role.ADMIN,
        command=("categories", "rename"), printed="renamed to {key}", record=category_record, console=_ADMIN_CLI,
        params=(
            Param("path", "Category", Kind.CATEGORY, required=True, positional=True),
            Param("name", "New name", required=True, positional=True, help="the new name of its last level"),
        ),
    ),
    UseCase(
        "category_retire", "Retire category",
        "retire a category and those under it: not offered for new incidents (--undo: bring back)",
        lambda: _categories().retire_category, subject=Subject.NONE, role=Role.ADMIN,
        command=("categories", "retire"), printed="{key}: done", record=category_record, console=_ADMIN_CLI,
        params=(
            Param("path", "Category", Kind.CATEGORY, required=True, positional=True),
            Param("undo", "Bring back", Kind.FLAG, default=False),
        ),
    ),
    _import("ci_import", "CIs", lambda: _imports().import_cis),
    _import("change_import", "changes", lambda: _imports().import_changes),
    UseCase(
        "change_new", "New change", "record a change: title, CIs, windows, status, implementer, risk",
        lambda: _cmdb().new_change, subject=Subject.NONE, command=("change", "new"), printed="{key}",
        record=change_record, console=_CHANGES, params=_change_params(True),
    ),
    UseCase(
        "change_update", "Update change", "update a change's status, windows, CIs, ... (what is given)",
        lambda: _cmdb().update_change, subject=Subject.NONE, command=("change", "update"), printed="{key}: updated",
        record=change_record, console=_CHANGES,
        params=(Param("change", "Change", required=True, positional=True, help="its key, e.g. CHG-000012"),
                *_change_params(False)),
    ),
    UseCase(
        "recategorise", "Category / CI", "set the incident's category (from the tree) and/or its CI",
        lambda: _cmdb().recategorise, command=("recategorise",), key="Y", rank=30, dialog_title="Category and CI",
        submit="Save", done="{key}: category / CI saved", record=incident_record, params=(
            Param("category", "Category", Kind.CATEGORY, initial="category"),
            Param("ci", "CI (asset)", initial="ci", placeholder="e.g. pay-gw-prod"),
        ),
    ),
    UseCase(
        "link_change", "Caused by change", "link the change that caused the incident (or unlink it)",
        lambda: _cmdb().link_change, command=("link-change",), key="L", rank=31, dialog_title="Caused by change",
        submit="Link change", done="{key}: linked to its change", record=incident_record, params=(
            Param("change", "Change", required=True, positional=True, placeholder="CHG-000012",
                  help="the change's key (the CI tab lists recent changes)"),
            Param("undo", "Not caused by it after all", Kind.FLAG, default=False),
        ),
    ),
)
