"""People, groups, categories and services: who works incidents and what they are about."""

from __future__ import annotations

from sqlalchemy import func, select

from incidentdesk.domain.enums import Role, parse_enum
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.roles import require
from incidentdesk.services.context import ServiceContext
from incidentdesk.store.models import Category, Group, Service, User


def _admin_or_bootstrap(ctx: ServiceContext, session, doing: str) -> None:
    """Admins manage the directory; on a database with no admin yet, the first caller may (bootstrap)."""
    has_admin = session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN.value))
    if has_admin:
        require(ctx.actor, Role.ADMIN, doing)


def add_user(ctx: ServiceContext, login: str, *, role: Role | str = Role.RESPONDER, name: str = "",
             groups: list[str] | tuple[str, ...] = ()) -> None:
    """Add a person, or update their role and add them to groups if they exist."""
    login = (login or "").strip()
    if not login or len(login) > 64 or any(c.isspace() for c in login):
        raise ValidationError("a login is one word of at most 64 characters", field="login")
    role = parse_enum(Role, role, "role")
    with ctx.db.write() as s:
        _admin_or_bootstrap(ctx, s, "manage users")
        user = s.scalar(select(User).where(User.login == login))
        if user is None:
            user = User(login=login, name=name or login, role=str(role), created_at=ctx.now())
            s.add(user)
        else:
            user.role = str(role)
            if name:
                user.name = name
        for group_name in groups:
            group = s.scalar(select(Group).where(Group.name == group_name))
            if group is None:
                raise ValidationError(f"unknown group {group_name!r}: add it first with `incidentdesk groups add`",
                                      field="group")
            if group not in user.groups:
                user.groups.append(group)


def add_group(ctx: ServiceContext, name: str, *, tier: int = 1, manager: str | None = None,
              description: str = "") -> None:
    name = (name or "").strip()
    if not name:
        raise ValidationError("a group needs a name", field="name")
    if tier not in (1, 2, 3):
        raise ValidationError(f"tier must be 1, 2 or 3, not {tier}", field="tier")
    with ctx.db.write() as s:
        _admin_or_bootstrap(ctx, s, "manage groups")
        group = s.scalar(select(Group).where(Group.name == name))
        if group is None:
            s.add(Group(name=name, tier=tier, manager=manager, description=description))
        else:
            group.tier, group.manager = tier, manager or group.manager
            group.description = description or group.description


def add_category(ctx: ServiceContext, path: str, *, default_group: str | None = None) -> None:
    parts = [p.strip() for p in (path or "").split("/") if p.strip()]
    if not parts or len(parts) > 3:
        raise ValidationError("a category is Service/System/Application (one to three levels)", field="category")
    with ctx.db.write() as s:
        _admin_or_bootstrap(ctx, s, "manage categories")
        for depth in range(1, len(parts) + 1):
            node = "/".join(parts[:depth])
            if s.scalar(select(Category).where(Category.path == node)) is None:
                s.add(Category(path=node, default_group=default_group if depth == len(parts) else None))
                s.flush()


def add_service(ctx: ServiceContext, name: str, *, owner_group: str | None = None, description: str = "") -> None:
    name = (name or "").strip()
    if not name:
        raise ValidationError("a service needs a name", field="name")
    with ctx.db.write() as s:
        _admin_or_bootstrap(ctx, s, "manage services")
        if s.scalar(select(Service).where(Service.name == name)) is None:
            s.add(Service(name=name, owner_group=owner_group, description=description))
