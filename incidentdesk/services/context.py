"""What every service call needs: the database, the settings, who acts, and the time."""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from incidentdesk.config import Config
from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import PermissionDenied
from incidentdesk.domain.roles import Actor
from incidentdesk.domain.names import check_login

if TYPE_CHECKING:  # the console resolves its actor before SQLAlchemy is imported (store/fastpath)
    from incidentdesk.store.engine import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceContext:
    db: Database
    config: Config
    actor: Actor
    clock: Callable[[], datetime] = field(default=utc_now)

    def __post_init__(self) -> None:
        # The outbox hook (services/outbox, called by timeline.append_event) reads the notification
        # rules from the writing session: every write through this context carries them.
        notify = getattr(self.config, "notify", None)
        if notify is not None and notify.active and hasattr(self.db, "with_session_info") \
                and self.db.session_info.get("notify") is not notify:
            self.db = self.db.with_session_info(notify=notify)

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def as_actor(self, actor: Actor) -> ServiceContext:
        return replace(self, actor=actor)


def os_login() -> str:
    """The login of this process's uid, from the passwd database — never LOGNAME/USER.

    Any user can set those variables (`LOGNAME=adm incidentdesk ...`); the uid is the kernel's.
    A uid with no passwd entry (some containers) is "uid:<n>": still only that uid, a name no
    passwd login can have (":" separates passwd fields), and an admin may give it a role.
    """
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid:{uid}"


def load_actor(db: Database, login: str, real_login: str | None = None) -> Actor:
    """The actor for `login`: role and groups from the users table; unknown logins are responders."""
    from sqlalchemy import select

    from incidentdesk.store.models import User

    with db.read() as s:
        user = s.scalar(select(User).where(User.login == login))
        if user is None:
            return Actor(login=login, role=Role.RESPONDER, real_login=real_login or login, known=False)
        return Actor(
            login=user.login,
            role=Role(user.role),
            real_login=real_login or login,
            groups=frozenset(g.name for g in user.groups),
        )


def resolve_actor(db: Database | None, config: Config, acting_as: str | None = None, *,
                  load: Callable[..., Actor] | None = None) -> Actor:
    """The OS login, or `--as LOGIN` where the config allows acting as someone else.

    `load(login, real_login=...)` reads the actor; by default `load_actor` on `db` (the console's
    start-up passes store/fastpath's plain-sqlite3 reader instead).
    """
    if load is None:
        load = partial(load_actor, db)
    real = os_login()
    if acting_as and acting_as != real:
        check_login(acting_as, "acting_as")
        if not config.allow_acting_as:
            raise PermissionDenied(
                f"--as {acting_as} is not allowed: set allow_acting_as = true under [general] in incidentdesk.toml"
            )
        return load(acting_as, real_login=real)
    return load(real)
