"""The storage steps of the services' incident writes, for either kind of write session.

A service transaction is a SQLAlchemy session (store/engine.Database.write) or, for a CLI command
on a current SQLite file, a plain sqlite3 one (store/plainwrite.PlainDatabase.write). The services
run the same rules on both; the few steps that touch storage — load the incident locked, make a
timeline event, learn who won a race — are here, each choosing by the session it is given, so a
service never imports SQLAlchemy or the models just to be importable (a plain write imports neither).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from incidentdesk.store.plainwrite import PlainDatabase, PlainEvent, PlainSession, StaleRow

__all__ = ["StaleRow", "categories", "group_named", "group_names", "incident_for_update", "incident_now", "is_plain",
           "max_incident_id", "new_incident", "timeline_event", "transaction"]


def is_plain(session) -> bool:
    return isinstance(session, PlainSession)


@contextmanager
def transaction(db) -> Iterator:
    """`db.write()`, with a lost optimistic-lock race raised as StaleRow on either kind."""
    if isinstance(db, PlainDatabase):
        with db.write() as session:
            yield session
        return
    from sqlalchemy.orm.exc import StaleDataError

    try:
        with db.write() as session:
            yield session
    except StaleDataError as exc:
        raise StaleRow(str(exc)) from exc


def incident_for_update(session, number: int):
    """The incident with this id, locked for the rest of the transaction (None: there is none)."""
    if isinstance(session, PlainSession):  # BEGIN IMMEDIATE already holds the write lock
        return session.incident_for_update(number)
    from sqlalchemy import select

    from incidentdesk.store.models import Incident

    return session.scalar(select(Incident).where(Incident.id == number).with_for_update(of=Incident))


def incident_now(db, number: int):
    """The incident as committed now, read in its own transaction."""
    if isinstance(db, PlainDatabase):
        return db.incident_now(number)
    from incidentdesk.store.models import Incident

    with db.read() as s:
        return s.get(Incident, number)


def timeline_event(session, **values):
    """A new timeline event for `session.add` (columns as store/models.TimelineEvent names them)."""
    if isinstance(session, PlainSession):
        return PlainEvent(**values)
    from incidentdesk.store.models import TimelineEvent

    return TimelineEvent(**values)


def new_incident(session, **values):
    """A new incident for `session.add` (attributes as store/models.Incident names them)."""
    if isinstance(session, PlainSession):
        return session.new_incident(**values)
    from incidentdesk.store.models import Incident

    return Incident(**values)


def max_incident_id(session) -> int | None:
    """The highest incident id so far (None: none yet)."""
    if isinstance(session, PlainSession):
        return session.max_incident_id()
    from sqlalchemy import func, select

    from incidentdesk.store.models import Incident

    return session.scalar(select(func.max(Incident.id)))


def group_named(session, name: str):
    """The group with this name, or None."""
    if isinstance(session, PlainSession):
        return session.group_named(name)
    from sqlalchemy import select

    from incidentdesk.store.models import Group

    return session.scalar(select(Group).where(Group.name == name))


def group_names(session) -> list[str]:
    """Every group's name, in order."""
    if isinstance(session, PlainSession):
        return session.group_names()
    from sqlalchemy import select

    from incidentdesk.store.models import Group

    return list(session.scalars(select(Group.name).order_by(Group.name)).all())


def categories(session) -> list[tuple[str, bool, str | None]]:
    """Every category of the tree: (path, retired, default group), by path."""
    if isinstance(session, PlainSession):
        return session.categories()
    from sqlalchemy import select

    from incidentdesk.store.models import Category

    rows = session.execute(select(Category.path, Category.retired, Category.default_group).order_by(Category.path))
    return [(path, bool(retired), group) for path, retired, group in rows]
