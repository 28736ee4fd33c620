"""The storage steps of the services' incident writes, for either kind of write session.

A service transaction is a SQLAlchemy session (store/engine.Database.write) or, for a CLI command
on a current SQLite file, a plain sqlite3 one (store/plainwrite.PlainDatabase.write). The services
run the same rules on both; the steps that touch storage — load the incident locked, make a
timeline event or an escalation, learn who won a race, ask whether a person is known or what is
folded under an incident — are here, each choosing by the session it is given (the plain reads
are store/plainreads'), so a service never imports SQLAlchemy or the models just to be importable
(a plain write imports neither).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from datetime import datetime

from incidentdesk.store import plainreads
from incidentdesk.store.plainwrite import PlainDatabase, PlainEvent, PlainSession, StaleRow

__all__ = ["StaleRow", "add_outbox", "categories", "earlier_targets", "escalation", "events_of_kind", "group_named", "group_names",
           "incident_for_update", "incident_now", "is_plain", "known_login", "max_incident_id", "member_logins",
           "new_incident", "on_call_now", "open_folded", "request_steps", "review", "service_request", "sla_target_record",
           "timeline_event", "timeline_of_kinds", "transaction", "was_escalated"]


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


def known_login(session, login: str) -> str | None:
    """The login of the users row for `login` (None: nobody known by it)."""
    if isinstance(session, PlainSession):
        return plainreads.known_login(session.conn, login)
    from sqlalchemy import select

    from incidentdesk.store.models import User

    return session.scalar(select(User.login).where(User.login == login))


def member_logins(session, group) -> set[str]:
    """The logins of the members of `group` (a group as group_named gives it)."""
    if isinstance(session, PlainSession):
        return plainreads.member_logins(session.conn, group.id)
    return {m.login for m in group.members}


def was_escalated(session, incident_id: int) -> bool:
    """Whether the incident has ever been escalated (an escalations row)."""
    if isinstance(session, PlainSession):
        return plainreads.was_escalated(session.conn, incident_id)
    from sqlalchemy import select

    from incidentdesk.store.models import Escalation

    return session.scalar(select(Escalation.id).where(Escalation.incident_id == incident_id).limit(1)) is not None


def open_folded(session, parent_id: int) -> list:
    """The open incidents folded under `parent_id`, by id, locked for the rest of the transaction."""
    if isinstance(session, PlainSession):  # BEGIN IMMEDIATE holds the lock
        return [session.tracked(n) or session.incident_for_update(n)
                for n in plainreads.open_folded_ids(session.conn, parent_id)]
    from sqlalchemy import select

    from incidentdesk.store.models import Incident

    return list(session.scalars(select(Incident).where(Incident.parent_id == parent_id, Incident.is_open.is_(True))
                                .order_by(Incident.id).with_for_update(of=Incident)).all())


def escalation(session, **values):
    """A new escalations row for `session.add` (attributes as store/models.Escalation names them)."""
    if isinstance(session, PlainSession):
        return session.new_row("escalations", **values)
    from incidentdesk.store.models import Escalation

    return Escalation(**values)


def sla_target_record(session, **values):
    """A replaced SLA target for `session.add` (attributes as store/models.SlaTargetRecord names them)."""
    if isinstance(session, PlainSession):
        return session.new_row("sla_target_history", **values)
    from incidentdesk.store.models import SlaTargetRecord

    return SlaTargetRecord(**values)


def earlier_targets(session, incident_id: int, policy: str, counted_from: datetime
                    ) -> list[tuple[str, str, datetime | None]]:
    """(target, state, breached_at) of the incident's replaced targets of `policy` counted from `counted_from`."""
    if isinstance(session, PlainSession):
        return plainreads.earlier_targets(session.conn, incident_id, policy, counted_from)
    from sqlalchemy import select

    from incidentdesk.store.models import SlaTargetRecord

    return [tuple(row) for row in session.execute(
        select(SlaTargetRecord.target, SlaTargetRecord.state, SlaTargetRecord.breached_at)
        .where(SlaTargetRecord.incident_id == incident_id, SlaTargetRecord.policy == policy,
               SlaTargetRecord.counted_from == counted_from)).all()]


def timeline_of_kinds(session, incident_id: int, kinds: list[str]) -> list[tuple[str, datetime, str]]:
    """(kind, at, text) of the incident's timeline events of these kinds, in timeline order."""
    if isinstance(session, PlainSession):
        return plainreads.timeline_of_kinds(session.conn, incident_id, kinds)
    from sqlalchemy import select

    from incidentdesk.store.models import TimelineEvent

    return [tuple(row) for row in session.execute(
        select(TimelineEvent.kind, TimelineEvent.at, TimelineEvent.text)
        .where(TimelineEvent.incident_id == incident_id, TimelineEvent.kind.in_(kinds))
        .order_by(TimelineEvent.seq)).all()]


def events_of_kind(session, incident_id: int, kind: str) -> int:
    """How many timeline events of this kind the incident has (its stakeholder updates, say)."""
    if isinstance(session, PlainSession):
        return plainreads.events_of_kind(session.conn, incident_id, kind)
    from sqlalchemy import func, select

    from incidentdesk.store.models import TimelineEvent

    return int(session.scalar(select(func.count()).select_from(TimelineEvent).where(
        TimelineEvent.incident_id == incident_id, TimelineEvent.kind == kind)) or 0)


def review(session, incident_id: int):
    """The incident's post-incident review (its `summary` and `causes`), or None: none written yet."""
    if isinstance(session, PlainSession):
        return plainreads.review(session.conn, incident_id)
    from incidentdesk.store import pir

    return pir.review_row(session, incident_id)


def service_request(session, incident_id: int):
    """The service request of this incident (approval, approver, decided_by...), or None."""
    if isinstance(session, PlainSession):
        return plainreads.service_request(session.conn, incident_id)
    from incidentdesk.store.request_models import ServiceRequest

    return session.get(ServiceRequest, incident_id)


def request_steps(session, incident_id: int) -> list:
    """The request's fulfilment steps (number, title, done_at...), in order."""
    if isinstance(session, PlainSession):
        return plainreads.request_steps(session.conn, incident_id)
    from sqlalchemy import select

    from incidentdesk.store.request_models import RequestStep

    return list(session.scalars(select(RequestStep).where(RequestStep.incident_id == incident_id)
                                .order_by(RequestStep.number)).all())


def on_call_now(session, group: str, at: datetime) -> str | None:
    """Who is on call for `group` at `at` (None: no rotation, or nobody in it)."""
    if isinstance(session, PlainSession):
        return plainreads.on_call_now(session.conn, group, at)
    from incidentdesk.store.oncall import on_call_now

    return on_call_now(session, group, at)


def add_outbox(session, rows: list[dict]) -> None:
    """Outbox rows in the caller's transaction (store/outbox.add; on a plain session, at its commit)."""
    if not rows:
        return
    if isinstance(session, PlainSession):
        session.insert_rows("outbox", rows)
        return
    from incidentdesk.store import outbox

    outbox.add(session, rows)
