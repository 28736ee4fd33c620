"""People, groups, categories and services: who works incidents and what they are about.

Every change is recorded, in the same transaction, in the directory trail: append-only and
hash-chained (domain/audit.py) like a timeline, one chain for the whole database, each record
naming who made the change (and the OS login behind it) and the subject's state before and
after. Nothing else writes these tables, so `audit verify` holds them to the trail: a role
granted by editing the database shows. Names are checked on entry (domain/names.py).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidentdesk.domain.audit import chained_directory_record
from incidentdesk.domain.enums import Role, parse_enum
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.names import check_login, check_name
from incidentdesk.domain.roles import require
from incidentdesk.services.context import ServiceContext
from incidentdesk.store import audit as trail
from incidentdesk.store.models import Category, DirectoryEvent, Group, Service, User


def _admin_or_bootstrap(ctx: ServiceContext, session: Session, doing: str) -> None:
    """Admins manage the directory; on a database with no admin yet, the first caller may (bootstrap).

    Takes the trail's lock first: directory changes are serialised, so the bootstrap happens once
    and the trail's records follow each other.
    """
    trail.lock(session, trail.DIRECTORY_LOCK)
    has_admin = session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN.value))
    if has_admin:
        require(ctx.actor, Role.ADMIN, doing)


def _record(ctx: ServiceContext, s: Session, kind: str, subject_type: str, subject: str,
            before: dict | None, after: dict) -> None:
    """Append one record to the directory trail, if anything changed."""
    if before == after:
        return
    s.flush()
    head = trail.directory_head(s)
    s.add(DirectoryEvent(**chained_directory_record(
        head[1] if head else None, seq=(head[0] if head else 0) + 1, at=ctx.now(), actor=ctx.actor.login,
        real_actor=ctx.actor.effective_real_login, kind=kind, subject_type=subject_type, subject=subject,
        before=before, after=after)))


def add_user(ctx: ServiceContext, login: str, *, role: Role | str = Role.RESPONDER, name: str = "",
             groups: list[str] | tuple[str, ...] = ()) -> None:
    """Add a person, or update their role and add them to groups if they exist."""
    login = check_login(login, "login")
    name = check_name(name, "name", required=False)
    role = parse_enum(Role, role, "role")
    with ctx.db.write() as s:
        _admin_or_bootstrap(ctx, s, "manage users")
        user = s.scalar(select(User).where(User.login == login))
        before = None
        if user is None:
            user = User(login=login, name=name or login, role=str(role), created_at=ctx.now())
            s.add(user)
        else:
            before = trail.user_state(user)
            user.role = str(role)
            if name:
                user.name = name
        for group_name in groups:
            group = s.scalar(select(Group).where(Group.name == group_name))
            if group is None:
                raise ValidationError(f"unknown group {check_name(group_name, 'group')!r}: add it first with "
                                      "`incidentdesk groups add`", field="group")
            if group not in user.groups:
                user.groups.append(group)
        _record(ctx, s, "user_added" if before is None else "user_changed", "user", login, before,
                trail.user_state(user))


def add_group(ctx: ServiceContext, name: str, *, tier: int = 1, manager: str | None = None,
              description: str = "") -> None:
    name = check_name(name, "group")
    manager = check_login(manager, "manager") if manager else None
    if tier not in (1, 2, 3):
        raise ValidationError(f"tier must be 1, 2 or 3, not {tier}", field="tier")
    with ctx.db.write() as s:
        _admin_or_bootstrap(ctx, s, "manage groups")
        group = s.scalar(select(Group).where(Group.name == name))
        before = None
        if group is None:
            group = Group(name=name, tier=tier, manager=manager, description=description)
            s.add(group)
        else:
            before = trail.group_state(group)
            group.tier, group.manager = tier, manager or group.manager
            group.description = description or group.description
        _record(ctx, s, "group_added" if before is None else "group_changed", "group", name, before,
                trail.group_state(group))


def add_category(ctx: ServiceContext, path: str, *, default_group: str | None = None) -> None:
    parts = [check_name(p, "category") for p in (path or "").split("/") if p.strip()]
    if not parts or len(parts) > 3:
        raise ValidationError("a category is Service/System/Application (one to three levels)", field="category")
    check_name("/".join(parts), "category")
    default_group = check_name(default_group, "default_group") if default_group else None
    with ctx.db.write() as s:
        _admin_or_bootstrap(ctx, s, "manage categories")
        for depth in range(1, len(parts) + 1):
            node = "/".join(parts[:depth])
            if s.scalar(select(Category).where(Category.path == node)) is None:
                category = Category(path=node, default_group=default_group if depth == len(parts) else None)
                s.add(category)
                _record(ctx, s, "category_added", "category", node, None, trail.category_state(category))


def add_service(ctx: ServiceContext, name: str, *, owner_group: str | None = None, description: str = "") -> None:
    name = check_name(name, "service")
    owner_group = check_name(owner_group, "owner_group") if owner_group else None
    with ctx.db.write() as s:
        _admin_or_bootstrap(ctx, s, "manage services")
        if s.scalar(select(Service).where(Service.name == name)) is None:
            service = Service(name=name, owner_group=owner_group, description=description)
            s.add(service)
            _record(ctx, s, "service_added", "service", name, None, trail.service_state(service))
