"""Changes (CHG-...) one at a time, and an incident's links to the CMDB: its category and CI, the change that caused it.

Each use case is one transaction. A change names the CIs it touches (known CIs only: a typo
would hide the change from the incident pane's "recent changes"); its windows are checked to
end after they start. Linking an incident to the change that caused it, and recategorising an
incident (category and/or CI), go through the incident's usual edit path (locked, version
checked) and write a timeline event. Imports of many rows are services/cmdb_import.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from incidentdesk.domain.cmdb import ChangeStatus, Risk, check_window, choice, format_change_key, parse_change_key, \
    text_value
from incidentdesk.domain.enums import EventKind
from incidentdesk.domain.errors import NotFound, ValidationError
from incidentdesk.services.category_check import checked_category
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.timeline import append_event
from incidentdesk.store import audit as trail
from incidentdesk.store.cmdb_models import Change, ChangeCI, ConfigurationItem

CHANGE_LOCK = 13  # pg_advisory_xact_lock(trail.LOCK_CLASS, 13): change numbers


def next_change_numbers(s: Session, count: int = 1) -> int:
    """The first of `count` new change numbers (max+1, under a lock on PostgreSQL; SQLite writers hold the write lock)."""
    postgres = s.get_bind().dialect.name == "postgresql"
    if postgres:
        trail.lock(s, CHANGE_LOCK)
    first = int(s.scalar(select(func.max(Change.id))) or 0) + 1
    if postgres:
        s.execute(text("SELECT setval(pg_get_serial_sequence('changes', 'id'), :n)"), {"n": first + count - 1})
    return first


def ci_ids(s: Session, names: list[str] | tuple[str, ...]) -> list[int]:
    """The ids of these CIs, refusing (with the unknown names) if any is not in the CMDB."""
    found = dict(s.execute(select(ConfigurationItem.name, ConfigurationItem.id)
                           .where(ConfigurationItem.name.in_(list(names)))).all())
    missing = [n for n in names if n not in found]
    if missing:
        raise ValidationError(f"unknown CI {', '.join(missing)}: add it with `incidentdesk ci import`", field="cis")
    return [found[n] for n in names]


def _load(s: Session, key: str) -> Change:
    change = s.scalar(select(Change).where(Change.id == parse_change_key(key)).with_for_update())
    if change is None:
        raise NotFound(f"no change {key}: `incidentdesk change list` shows them")
    return change


def _set_cis(s: Session, change: Change, names: tuple[str, ...]) -> None:
    ids = ci_ids(s, names)
    s.execute(delete(ChangeCI).where(ChangeCI.change_id == change.id))
    for ci_id in ids:
        s.add(ChangeCI(change_id=change.id, ci_id=ci_id))


def _apply(change: Change, title, status, risk, implementer, planned_start, planned_end, actual_start, actual_end,
           description) -> None:
    if title is not None:
        change.title = text_value(title, "title", required=True)
    if status is not None:
        change.status = choice(ChangeStatus, status, "status")
    if risk is not None:
        change.risk = choice(Risk, risk, "risk")
    if implementer is not None:
        change.implementer = text_value(implementer, "implementer")  # change tools name people we may not know
    for name, value in (("planned_start", planned_start), ("planned_end", planned_end),
                        ("actual_start", actual_start), ("actual_end", actual_end)):
        if value is not None:
            setattr(change, name, value)
    if description is not None:
        change.description = description.strip()
    check_window(change.planned_start, change.planned_end, "planned")
    check_window(change.actual_start, change.actual_end, "actual")


def new_change(ctx: ServiceContext, title: str, *, cis: tuple[str, ...] = (), status: str | None = None,
               risk: str | None = None, implementer: str | None = None, planned_start: datetime | None = None,
               planned_end: datetime | None = None, actual_start: datetime | None = None,
               actual_end: datetime | None = None, description: str | None = None) -> str:
    """Record a change; returns its key (CHG-000001)."""
    with ctx.db.write() as s:
        now = ctx.now()
        number = next_change_numbers(s)
        change = Change(id=number, key=format_change_key(number), title="", status=ChangeStatus.PLANNED.value,
                        risk=Risk.MEDIUM.value, description="", created_at=now, updated_at=now,
                        updated_by=ctx.actor.login)
        _apply(change, title if title is not None else "", status, risk, implementer, planned_start, planned_end,
               actual_start, actual_end, description)
        s.add(change)
        s.flush()
        _set_cis(s, change, tuple(cis))
        return change.key


def update_change(ctx: ServiceContext, change: str, *, title: str | None = None, cis: tuple[str, ...] = (),
                  status: str | None = None, risk: str | None = None, implementer: str | None = None,
                  planned_start: datetime | None = None, planned_end: datetime | None = None,
                  actual_start: datetime | None = None, actual_end: datetime | None = None,
                  description: str | None = None) -> str:
    """Change what is given (CIs: the list given replaces the change's CIs); returns the key."""
    with ctx.db.write() as s:
        record = _load(s, change)
        _apply(record, title, status, risk, implementer, planned_start, planned_end, actual_start, actual_end,
               description)
        if cis:
            _set_cis(s, record, tuple(cis))
        record.updated_at, record.updated_by = ctx.now(), ctx.actor.login
        return record.key


def link_change(ctx: ServiceContext, key: str, *, change: str, undo: bool = False,
                expected_version: int | None = None) -> int:
    """Record that the incident was caused by `change` (undo: it was not after all); returns the new version."""
    from incidentdesk.services.incident_edit import _editing

    with _editing(ctx, key, expected_version) as (s, inc, now):
        linked = s.scalar(select(Change.key).where(Change.id == parse_change_key(change)))
        if linked is None:
            raise NotFound(f"no change {change}: `incidentdesk change list` shows them")
        if undo:
            if inc.caused_by_change != linked:
                raise ValidationError(f"{inc.key} is not linked to {linked}", field="change")
            before, after, words = {"caused_by_change": linked}, {"caused_by_change": None}, f"not caused by {linked}"
            inc.caused_by_change = None
        else:
            if inc.caused_by_change == linked:
                raise ValidationError(f"{inc.key} is already linked to {linked}; nothing to change", field="change")
            before, after = {"caused_by_change": inc.caused_by_change}, {"caused_by_change": linked}
            words = f"caused by {linked}"
            inc.caused_by_change = linked
        append_event(s, inc, ctx.actor, EventKind.CAUSED_BY_CHANGE, now, text=words, before=before, after=after)
        return inc.version + 1


def recategorise(ctx: ServiceContext, key: str, *, category: str | None = None, ci: str | None = None,
                 expected_version: int | None = None) -> int:
    """Set the incident's category (checked against the tree) and/or CI; returns the new version."""
    from incidentdesk.domain import limits
    from incidentdesk.services.incident_edit import _clean, _editing

    category, ci = _clean(category) or None, _clean(ci) or None
    if category is None and ci is None:
        raise ValidationError("give a category or a CI", field="category")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        before, after = {}, {}
        if category is not None:
            category = limits.check("category", checked_category(s, category))
            if category != inc.category:
                before["category"], after["category"] = inc.category, category
                inc.category = category
        if ci is not None:
            ci = limits.check("ci", ci)
            if ci != inc.ci:
                before["ci"], after["ci"] = inc.ci, ci
                inc.ci = ci
        if not after:
            raise ValidationError(f"{inc.key} already has this category and CI; nothing to change", field="category")
        words = ", ".join(f"{k} {v}" for k, v in after.items())
        append_event(s, inc, ctx.actor, EventKind.CATEGORISED, now, text=words, before=before, after=after)
        return inc.version + 1
