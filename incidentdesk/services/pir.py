"""Post-incident review use cases: edit the review, add and complete follow-ups, mark highlights.

Each is one transaction on the incident (locked, so the review's timeline event takes the next
sequence number) and its review. The review has its own version: a caller passes the version it
last read (`expected_version`), and if someone else saved since, nothing is written and
EditConflict says who and when ("changed by X ... reload"); the console keeps what was typed.
Version 0 is "no review yet": the first save creates it. Every change is also a `pir` event on
the incident's timeline (the audit chain covers it; the review's own timeline leaves these out).

Anyone known to incidentdesk may contribute (resolvers write what slowed them); the review is
required before a major incident is closed while `[pir] required` is on (services/pir_gate.py,
asked by the close use case).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from incidentdesk.domain import limits
from incidentdesk.domain.enums import EventKind
from incidentdesk.domain.errors import EditConflict, NotFound, ValidationError
from incidentdesk.domain.keys import parse_key
from incidentdesk.domain.pir import (
    REVIEW_EVENT, clean_causes, clean_text, parse_due, parse_number,
)
from incidentdesk.domain.pir_review import Review
from incidentdesk.domain.text import one_line
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.timeline import append_event
from incidentdesk.store import pir as store
from incidentdesk.store.models import Incident, PirFollowUp, PirHighlight, PirReview, User

# The review's text fields: service keyword -> (column, how it is cleaned)
TEXT_FIELDS = {"summary": "summary", "duration": "impact_duration", "users": "impact_users",
               "services": "impact_services", "slowed": "slowed", "missing": "missing"}
_WORDS = {"summary": "summary", "duration": "impact duration", "users": "users impacted",
          "services": "services impacted", "slowed": "what slowed the response", "missing": "missing information",
          "causes": "contributing causes"}


def review(ctx: ServiceContext, key: str) -> Review:
    return store.load_review(ctx.db, key)


@contextmanager
def _reviewing(ctx: ServiceContext, key: str, expected_version: int | None
               ) -> Iterator[tuple[Session, Incident, PirReview, datetime, list[str]]]:
    """The incident locked and its review (created if there is none), refused if it moved on.

    The block appends what it changed to the list it is handed; the review's version then moves
    by one and a `pir` event records the change. Changing nothing writes nothing.
    """
    number = parse_key(key)
    try:
        with ctx.db.write() as s:
            inc = s.scalar(select(Incident).where(Incident.id == number).with_for_update(of=Incident))
            if inc is None:
                raise NotFound(f"no incident {key}: check the key (incidentdesk list shows them)")
            row = store.review_row(s, inc.id)
            current = row.version if row is not None else 0
            if expected_version is not None and expected_version != current:
                raise _conflict(inc.key, row)
            now = ctx.now()
            if row is None:
                row = PirReview(incident_id=inc.id, summary="", impact_duration="", impact_users="",
                                impact_services="", slowed="", missing="", causes=[], created_at=now,
                                created_by=ctx.actor.login, updated_at=now, updated_by=ctx.actor.login)
                s.add(row)   # inserted at commit, version 1, with its first highlights and follow-ups
            changed: list[str] = []
            with s.no_autoflush:
                yield s, inc, row, now, changed
                if not changed:
                    raise ValidationError(f"the review of {inc.key} already says this; nothing to change")
                row.updated_at = now
                row.updated_by = ctx.actor.login
                if current:
                    flag_modified(row, "updated_at")   # one UPDATE, so the version moves by exactly one
                inc.updated_at = now
                inc.updated_by = ctx.actor.login
                append_event(s, inc, ctx.actor, EventKind.PIR, now, text="review: " + "; ".join(changed),
                             after={"review_version": current + 1})
    except StaleDataError:
        with ctx.db.read() as s:
            fresh = s.scalar(select(PirReview).where(PirReview.incident_id == number))
        raise _conflict(key, fresh) from None


def _conflict(key: str, row: PirReview | None) -> EditConflict:
    if row is None:
        return EditConflict(f"the review of {key} was removed meanwhile; nothing was saved — reload it",
                            key=key)
    when = row.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return EditConflict(
        f"the review of {key} was changed by {row.updated_by} at {when} (now version {row.version}); "
        "nothing was saved — reload, then apply your changes again",
        key=key, changed_by=row.updated_by, changed_at=row.updated_at)


def _apply_fields(row: PirReview, changed: list[str], fields: Mapping[str, str | None],
                  causes: Iterable[str] | str | None) -> None:
    for name, column in TEXT_FIELDS.items():
        value = fields.get(name)
        if value is None:
            continue
        value = clean_text(value)
        if name == "duration":
            value = limits.check("pir_duration", one_line(value), parameter="duration")
        if getattr(row, column) != value:
            setattr(row, column, value)
            changed.append(_WORDS[name])
    if causes is not None:
        cleaned = list(clean_causes(causes))
        if list(row.causes or []) != cleaned:
            row.causes = cleaned
            changed.append(_WORDS["causes"])


def edit_review(ctx: ServiceContext, key: str, *, summary: str | None = None, duration: str | None = None,
                users: str | None = None, services: str | None = None, slowed: str | None = None,
                missing: str | None = None, causes: Iterable[str] | str | None = None,
                expected_version: int | None = None) -> int:
    """Set the review's text fields (None leaves one as it is); returns the review's new version."""
    fields = dict(summary=summary, duration=duration, users=users, services=services, slowed=slowed, missing=missing)
    with _reviewing(ctx, key, expected_version) as (s, inc, row, now, changed):
        _apply_fields(row, changed, fields, causes)
        return _next(row)


def _next(row: PirReview) -> int:
    """The version the review has once this change commits (a new review starts at 1)."""
    return row.version + 1 if row.version else 1


def _known_owner(s: Session, login: str | None) -> str:
    login = one_line(login)
    if not login:
        raise ValidationError("a follow-up needs an owner (a login)", field="owner")
    limits.check("pir_owner", login, parameter="owner")
    if s.scalar(select(User.id).where(User.login == login)) is None:
        raise ValidationError(f"unknown person {login!r}: a follow-up's owner must be someone incidentdesk knows "
                              "(incidentdesk users list)", field="owner")
    return login


def _add_follow_up(s: Session, row: PirReview, changed: list[str], action: str, owner: str, due) -> int:
    action = one_line(action)
    if not action:
        raise ValidationError("a follow-up needs the action to take", field="action")
    limits.check("pir_action", action, parameter="action")
    due_on = parse_due(due)
    owner = _known_owner(s, owner)
    number = max((f.number for f in store.follow_up_rows(row)), default=0) + 1
    row.follow_ups.append(PirFollowUp(number=number, action=action, owner=owner, due_on=due_on))
    changed.append(f"follow-up {number} added ({owner})")
    return number


def add_follow_up(ctx: ServiceContext, key: str, *, action: str, owner: str, due: str | None = None,
                  expected_version: int | None = None) -> int:
    """A follow-up action with its owner (a known person) and due date (YYYY-MM-DD); returns the new version."""
    with _reviewing(ctx, key, expected_version) as (s, inc, row, now, changed):
        _add_follow_up(s, row, changed, action, owner, due)
        return _next(row)


def _set_done(s: Session, ctx, row: PirReview, changed: list[str], number: int, done: bool, now: datetime) -> None:
    item = next((f for f in store.follow_up_rows(row) if f.number == number), None)
    if item is None:
        raise ValidationError(f"the review has no follow-up {number} (`incidentdesk pir KEY` lists them)",
                              field="number")
    if (item.done_at is not None) == done:
        return
    item.done_at, item.done_by = (now, ctx.actor.login) if done else (None, None)
    changed.append(f"follow-up {number} {'done' if done else 'reopened'}")


def complete_follow_up(ctx: ServiceContext, key: str, *, number: str | int, undo: bool = False,
                       expected_version: int | None = None) -> int:
    """Mark follow-up `number` done (or, with `undo`, not done); returns the review's new version."""
    number = parse_number(number, "the follow-up number", "number")
    with _reviewing(ctx, key, expected_version) as (s, inc, row, now, changed):
        _set_done(s, ctx, row, changed, number, not undo, now)
        return _next(row)


def _set_highlight(s: Session, inc: Incident, row: PirReview, changed: list[str], seq: int, note: str | None,
                   marked: bool) -> None:
    kinds = store.event_seqs(s, inc.id)
    if seq not in kinds or kinds[seq] == REVIEW_EVENT:
        raise ValidationError(f"{inc.key} has no timeline event {seq} to mark (`incidentdesk pir {inc.key}` "
                              "--json lists them with their seq)", field="seq")
    existing = store.highlight_rows(row).get(seq)
    note = clean_text(note)
    if not marked:
        if existing is not None:
            row.highlights.remove(existing)
            changed.append(f"event {seq} no longer a highlight")
        return
    if existing is None:
        row.highlights.append(PirHighlight(event_seq=seq, note=note))
        changed.append(f"event {seq} marked a highlight")
    elif existing.note != note:
        existing.note = note
        changed.append(f"note on event {seq}")


def mark_highlight(ctx: ServiceContext, key: str, *, seq: str | int, note: str = "", unmark: bool = False,
                   expected_version: int | None = None) -> int:
    """Mark timeline event `seq` a highlight with an optional note (or unmark it); returns the new version."""
    seq = parse_number(seq, "the event's seq", "seq")
    with _reviewing(ctx, key, expected_version) as (s, inc, row, now, changed):
        _set_highlight(s, inc, row, changed, seq, note, not unmark)
        return _next(row)


def save_review(ctx: ServiceContext, key: str, *, fields: Mapping[str, str | None] | None = None,
                causes: Iterable[str] | str | None = None, highlights: Mapping[int, str] | None = None,
                done: Iterable[int] | None = None, new_follow_up: tuple[str, str, str] | None = None,
                expected_version: int | None = None) -> int:
    """The console's save: every section at once, one transaction, one version step.

    `highlights`: the events marked and their notes (any other highlight is unmarked); `done`: the
    numbers of the follow-ups done (the others not); `new_follow_up`: (action, owner, due) or None.
    """
    with _reviewing(ctx, key, expected_version) as (s, inc, row, now, changed):
        _apply_fields(row, changed, fields or {}, causes)
        if highlights is not None:
            for seq in set(store.highlight_rows(row)) - set(highlights):
                _set_highlight(s, inc, row, changed, seq, None, False)
            for seq, note in sorted(highlights.items()):
                _set_highlight(s, inc, row, changed, int(seq), note, True)
        if done is not None:
            wanted = set(done)
            for item in store.follow_up_rows(row):
                _set_done(s, ctx, row, changed, item.number, item.number in wanted, now)
        if new_follow_up is not None and any((v or "").strip() for v in new_follow_up):
            _add_follow_up(s, row, changed, *new_follow_up)
        return _next(row)
