"""The directory use cases: adding (or changing) people and support groups.

Admins run them (on a database with no admin yet, the first caller may: services/directory.py),
from the command line: the console has no directory dialogs, so they say why not.
"""

from __future__ import annotations

from dataclasses import asdict

from incidentdesk.domain.enums import Role
from incidentdesk.services.catalog.spec import Kind, Param, Subject, UseCase

_NOT_IN_CONSOLE = "directory changes are an admin's, made from the command line"


def _directory():
    from incidentdesk.services import directory

    return directory


def person_record(db, login: str) -> dict:
    """The person as `incidentdesk users list` knows them: login, name, role, groups."""
    from incidentdesk.store import queries

    return next(asdict(p) for p in queries.list_people(db) if p.login == login)


def group_record(db, name: str) -> dict:
    """The group: name, tier, manager, members."""
    from incidentdesk.store import queries

    return next(asdict(g) for g in queries.list_groups(db) if g.name == name)


USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "add_user", "Add person", "add a person (or change their role)",
        lambda: _directory().add_user, subject=Subject.NONE, role=Role.ADMIN, command=("users", "add"),
        printed="{login}: {role}", record=person_record, names="login", console=_NOT_IN_CONSOLE, params=(
            Param("login", "Login", required=True, positional=True),
            Param("role", "Role", Kind.CHOICE, enum=Role, required=True),
            Param("groups", "Groups", Kind.LIST, flag="--group", default=(), help="a group to join (repeatable)"),
            Param("name", "Display name"),
        ),
    ),
    UseCase(
        "add_group", "Add group", "add a group (or change its tier)",
        lambda: _directory().add_group, subject=Subject.NONE, role=Role.ADMIN, command=("groups", "add"),
        printed="{name}: tier {tier}", record=group_record, names="name", console=_NOT_IN_CONSOLE, params=(
            Param("name", "Group", required=True, positional=True),
            Param("tier", "Tier", Kind.INT, minimum=1, maximum=3, choices=("1", "2", "3"), default=1),
            Param("manager", "Manager", Kind.PERSON, help="login of the group's incident manager"),
        ),
    ),
)
