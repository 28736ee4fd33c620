"""Problem use cases (domain/problems.py): open one, link incidents, write the root cause and the
workaround, mark a known error, resolve (resolving its open incidents) and close.

Each is one transaction. A problem has its own version: a caller passes the version it last read
(`version`), and if someone else saved since, nothing is written and EditConflict says who and
when (the console keeps what was typed). Linking an incident, or resolving it with the problem,
is an event on that incident's timeline — which is also where notification rules see it
(services/timeline.append_event writes the outbox rows in this same transaction).
Who: anyone may open, edit and link problems (it is how knowledge is written down); resolving
one resolves other people's incidents, so it needs a triage captain or higher, as reassigning does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from incidentdesk.domain import limits
from incidentdesk.domain.enums import EventKind, ResolutionCode, Role
from incidentdesk.domain.errors import EditConflict, NotFound, ValidationError
from incidentdesk.domain.keys import parse_key
from incidentdesk.domain.problems import (
    ProblemStatus, check_editable, check_known_error, format_problem_key, next_status, parse_problem_key,
)
from incidentdesk.domain.roles import require
from incidentdesk.domain.text import one_line
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.incident_edit import _clean, _editing, _known_user
from incidentdesk.services.incidents import apply_resolve
from incidentdesk.services.timeline import append_event
from incidentdesk.store.models import Incident
from incidentdesk.store.problem_models import Problem, ProblemIncident

RESOLVE_ROLE = Role.TRIAGE_CAPTAIN


def _title(title: str | None) -> str:
    value = one_line(title)
    if not value:
        raise ValidationError("a problem needs a title (what keeps failing)", field="title")
    return limits.check("title", value, parameter="title")


def _owner(s: Session, owner: str | None) -> str | None:
    login = one_line(owner)
    return _known_user(s, login, "owner") if login else None


def _incidents(s: Session, keys: Iterable[str]) -> list[Incident]:
    """The incidents named, locked, in the order given (each once); an unknown key refuses them all."""
    found: list[Incident] = []
    for key in keys:
        inc = s.scalar(select(Incident).where(Incident.id == parse_key(key)).with_for_update(of=Incident))
        if inc is None:
            raise NotFound(f"no incident {key}: check the key (incidentdesk list shows them)")
        if inc not in found:
            found.append(inc)
    return found


def _link(s: Session, ctx: ServiceContext, p: Problem, incs: Iterable[Incident], now: datetime) -> list[str]:
    linked = set(s.scalars(select(ProblemIncident.incident_id).where(ProblemIncident.problem_id == p.id)))
    added = []
    for inc in incs:
        if inc.id in linked:
            continue
        s.add(ProblemIncident(problem_id=p.id, incident_id=inc.id, linked_at=now, linked_by=ctx.actor.login))
        append_event(s, inc, ctx.actor, EventKind.PROBLEM, now, text=f"linked to {format_problem_key(p.id)}: {p.title}",
                     after={"problem": format_problem_key(p.id), "linked": True})
        inc.updated_at, inc.updated_by = now, ctx.actor.login
        added.append(inc.key)
    return added


def _new(s: Session, ctx: ServiceContext, now: datetime, title: str, statement: str | None, owner: str | None,
         from_follow_up: str | None = None) -> Problem:
    p = Problem(title=_title(title), statement=_clean(statement), status=str(ProblemStatus.OPEN), root_cause="",
                workaround="", owner=_owner(s, owner), created_at=now, created_by=ctx.actor.login, updated_at=now,
                updated_by=ctx.actor.login, from_follow_up=from_follow_up)
    s.add(p)
    s.flush()   # its id, for the key the incidents' events name
    return p


def create_problem(ctx: ServiceContext, *, title: str | None = None, statement: str | None = None,
                   incidents: Iterable[str] | None = None, owner: str | None = None) -> str:
    """A new problem, with the incidents named linked to it (the title defaults to the first one's)."""
    keys = list(incidents or ())
    with ctx.db.write() as s:
        incs = _incidents(s, keys)
        if not one_line(title) and not incs:
            raise ValidationError("a problem needs a title, or incidents to take it from (--incident KEY)",
                                  field="title")
        now = ctx.now()
        p = _new(s, ctx, now, title or incs[0].title, statement, owner)
        _link(s, ctx, p, incs, now)
        return format_problem_key(p.id)


def problem_from_incident(ctx: ServiceContext, key: str, *, title: str | None = None, statement: str | None = None,
                          expected_version: int | None = None) -> str:
    """A new problem from one incident (its title unless another is given), the incident linked to it."""
    with _editing(ctx, key, expected_version) as (s, inc, now):
        p = _new(s, ctx, now, title if one_line(title) else inc.title, statement or inc.description, None)
        _link(s, ctx, p, [inc], now)
        return format_problem_key(p.id)


@contextmanager
def _changing(ctx: ServiceContext, problem: str, version: int | None, step: str = "edit"
              ) -> Iterator[tuple[Session, Problem, datetime]]:
    """The problem locked, refused if it moved on since `version`; the block changes it, then its
    version moves by one (one UPDATE)."""
    number = parse_problem_key(problem)
    try:
        with ctx.db.write() as s:
            p = s.scalar(select(Problem).where(Problem.id == number).with_for_update())
            if p is None:
                raise NotFound(f"no problem {problem}: incidentdesk problem list shows them")
            if version is not None and p.version != int(version):
                raise _conflict(p)
            if step in ("edit", "link", "unlink"):
                check_editable(p.status, format_problem_key(p.id), step)
            now = ctx.now()
            with s.no_autoflush:
                yield s, p, now
                p.updated_at, p.updated_by = now, ctx.actor.login
    except StaleDataError:
        with ctx.db.read() as s:
            fresh = s.get(Problem, number)
        raise _conflict(fresh) from None


def _conflict(p: Problem) -> EditConflict:
    key = format_problem_key(p.id)
    when = p.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return EditConflict(f"{key} was changed by {p.updated_by} at {when} (now version {p.version}); nothing was "
                        "saved — reload, then apply your changes again", key=key, changed_by=p.updated_by,
                        changed_at=p.updated_at)


def link_incidents(ctx: ServiceContext, *, problem: str, incidents: Iterable[str],
                   version: int | None = None) -> str:
    keys = list(incidents or ())
    if not keys:
        raise ValidationError("which incidents? give --incident KEY, once per incident", field="incidents")
    with _changing(ctx, problem, version, "link") as (s, p, now):
        if not _link(s, ctx, p, _incidents(s, keys), now):
            raise ValidationError(f"{format_problem_key(p.id)} has these incidents linked already; nothing to change",
                                  field="incidents")
        return format_problem_key(p.id)


def unlink_incidents(ctx: ServiceContext, *, problem: str, incidents: Iterable[str],
                     version: int | None = None) -> str:
    keys = list(incidents or ())
    if not keys:
        raise ValidationError("which incidents? give --incident KEY, once per incident", field="incidents")
    with _changing(ctx, problem, version, "unlink") as (s, p, now):
        pkey = format_problem_key(p.id)
        for inc in _incidents(s, keys):
            link = s.get(ProblemIncident, (p.id, inc.id))
            if link is None:
                raise ValidationError(f"{inc.key} is not linked to {pkey}", field="incidents")
            s.delete(link)
            append_event(s, inc, ctx.actor, EventKind.PROBLEM, now, text=f"unlinked from {pkey}",
                         after={"problem": pkey, "linked": False})
            inc.updated_at, inc.updated_by = now, ctx.actor.login
        return pkey


def edit_problem(ctx: ServiceContext, *, problem: str, title: str | None = None, statement: str | None = None,
                 root_cause: str | None = None, workaround: str | None = None, owner: str | None = None,
                 version: int | None = None) -> str:
    """Set any of the problem's texts and its owner (None leaves one as it is)."""
    with _changing(ctx, problem, version) as (s, p, now):
        changed = _apply(s, p, title=title, statement=statement, root_cause=root_cause, workaround=workaround,
                         owner=owner)
        if not changed:
            raise ValidationError(f"{format_problem_key(p.id)} already says this; nothing to change")
        return format_problem_key(p.id)


def _apply(s: Session, p: Problem, **fields: str | None) -> list[str]:
    changed = []
    for name, value in fields.items():
        if value is None:
            continue
        if name == "title":
            value = _title(value)
        elif name == "owner":
            value = _owner(s, value)
        else:
            value = _clean(value)
        if getattr(p, name) != value:
            setattr(p, name, value)
            changed.append(name)
    return changed


def mark_known_error(ctx: ServiceContext, *, problem: str, workaround: str | None = None,
                     root_cause: str | None = None, version: int | None = None) -> str:
    """A known error: documented with its workaround, which then shows on every matching incident."""
    with _changing(ctx, problem, version, "known_error") as (s, p, now):
        key = format_problem_key(p.id)
        _apply(s, p, workaround=workaround, root_cause=root_cause)
        check_known_error(p.workaround, key)
        p.status = str(next_status("known_error", p.status, key))
        p.known_error_at = now
        return key


def resolve_problem(ctx: ServiceContext, *, problem: str, notes: str, version: int | None = None) -> str:
    """Resolve the problem and, in the same transaction, its open linked incidents (each with its event)."""
    require(ctx.actor, RESOLVE_ROLE, "resolve a problem (it resolves other people's incidents)")
    notes = _clean(notes)
    if not notes:
        raise ValidationError("resolution notes are required (what fixed the cause)", field="notes")
    with _changing(ctx, problem, version, "resolve") as (s, p, now):
        key = format_problem_key(p.id)
        p.status = str(next_status("resolve", p.status, key))
        p.resolved_at = now
        ids = s.scalars(select(ProblemIncident.incident_id).where(ProblemIncident.problem_id == p.id)
                        .order_by(ProblemIncident.incident_id))
        for inc in s.scalars(select(Incident).where(Incident.id.in_(list(ids))).order_by(Incident.id)
                             .with_for_update(of=Incident)).all():
            if not inc.is_open:   # resolved already, or by an earlier one's cascade (a child of it)
                continue
            apply_resolve(s, ctx, inc, now, code=ResolutionCode.PERMANENT_FIX,
                          notes=f"resolved with problem {key}: {notes}")
            inc.updated_at, inc.updated_by = now, ctx.actor.login
        return key


def close_problem(ctx: ServiceContext, *, problem: str, version: int | None = None) -> str:
    with _changing(ctx, problem, version, "close") as (s, p, now):
        key = format_problem_key(p.id)
        p.status = str(next_status("close", p.status, key))
        p.closed_at = now
        return key


def pir_follow_up_problem(ctx: ServiceContext, key: str, *, number: str | int,
                          expected_version: int | None = None) -> str:
    """A problem from follow-up `number` of the incident's review: its action the title, the incident linked,
    the follow-up named on the problem (and the problem's key on the incident's timeline)."""
    from incidentdesk.domain.pir import parse_number
    from incidentdesk.store import pir as pir_store

    number = parse_number(number, "the follow-up number", "number")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        row = pir_store.review_row(s, inc.id)
        item = next((f for f in pir_store.follow_up_rows(row) if f.number == number), None) if row else None
        if item is None:
            raise ValidationError(f"the review of {inc.key} has no follow-up {number} (`incidentdesk pir {inc.key}` "
                                  "lists them)", field="number")
        origin = f"{inc.key}#{number}"
        taken = s.scalar(select(Problem.id).where(Problem.from_follow_up == origin))
        if taken is not None:
            raise ValidationError(f"follow-up {number} of {inc.key} is {format_problem_key(taken)} already",
                                  field="number")
        p = _new(s, ctx, now, item.action, f"follow-up {number} of the review of {inc.key} (owner {item.owner})",
                 item.owner, from_follow_up=origin)
        _link(s, ctx, p, [inc], now)
        return format_problem_key(p.id)
