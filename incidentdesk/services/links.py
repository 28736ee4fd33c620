"""Linking incidents: a duplicate of another, a child of a parent, or neither again (domain/links.py).

Each is one transaction on the incident being linked (locked, its version checked, a `linked`
event on its timeline). The incident it is folded under is locked too (so it cannot become a
child meanwhile) but not changed: its queue row is repainted through the change feed, because
its count of folded incidents moved. Resolving the parent resolves what is folded under it, in
the same transaction (services/incidents.apply_resolve, on either kind of write session).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidentdesk.domain import lifecycle
from incidentdesk.domain.enums import EventKind, Status
from incidentdesk.domain.errors import NotFound, ValidationError
from incidentdesk.domain.keys import parse_key
from incidentdesk.domain.links import LinkKind, check_link
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.incident_edit import _editing
from incidentdesk.services.timeline import append_event
from incidentdesk.store.changefeed import record_change
from incidentdesk.store.models import Incident


def _other(s: Session, key: str | None) -> Incident:
    if not (key or "").strip():
        raise ValidationError("which incident? give its key, e.g. INC-000123", field="other")
    inc = s.scalar(select(Incident).where(Incident.id == parse_key(key)).with_for_update(of=Incident))
    if inc is None:
        raise NotFound(f"no incident {key}: check the key (incidentdesk list shows them)")
    return inc


def _link(ctx: ServiceContext, key: str, other: str | None, kind: LinkKind, expected_version: int | None) -> int:
    with _editing(ctx, key, expected_version) as (s, inc, now):
        lifecycle.next_status("duplicate" if kind is LinkKind.DUPLICATE else "link_parent", Status(inc.status), inc.key)
        target = _other(s, other)
        folded_under = s.scalar(select(Incident.key).where(Incident.id == target.parent_id)) if target.parent_id else None
        children = int(s.scalar(select(func.count()).select_from(Incident).where(Incident.parent_id == inc.id)) or 0)
        check_link(inc.key, target.key, kind, same=target.id == inc.id, other_folded_under=folded_under,
                   has_children=children)
        if inc.parent_id == target.id and inc.link_kind == kind:
            raise ValidationError(f"{inc.key} is already a {kind} of {target.key}; nothing to change", field="other")
        before = {"parent": _key_of(s, inc.parent_id), "link": inc.link_kind}
        inc.parent_id, inc.link_kind = target.id, str(kind)
        word = "duplicate of" if kind is LinkKind.DUPLICATE else "child of"
        append_event(s, inc, ctx.actor, EventKind.LINKED, now, text=f"{word} {target.key}: {target.title}",
                     before=before, after={"parent": target.key, "link": str(kind)})
        record_change(s, [target.id], str(EventKind.LINKED), now)
        return inc.version + 1


def _key_of(s: Session, incident_id: int | None) -> str | None:
    return s.scalar(select(Incident.key).where(Incident.id == incident_id)) if incident_id else None


def duplicate(ctx: ServiceContext, key: str, *, of: str, expected_version: int | None = None) -> int:
    """Mark `key` a duplicate of `of`: folded under it in the queue, resolved with it."""
    return _link(ctx, key, of, LinkKind.DUPLICATE, expected_version)


def link_parent(ctx: ServiceContext, key: str, *, parent: str, expected_version: int | None = None) -> int:
    """Make `key` a child of `parent` (one outage, many reports): folded under it, resolved with it."""
    return _link(ctx, key, parent, LinkKind.CHILD, expected_version)


def unlink_incident(ctx: ServiceContext, key: str, *, expected_version: int | None = None) -> int:
    """Undo duplicate / link-parent: the incident stands on its own in the queue again."""
    with _editing(ctx, key, expected_version) as (s, inc, now):
        if inc.parent_id is None:
            raise ValidationError(f"{inc.key} is not linked to a parent or an original; nothing to unlink")
        parent_key = _key_of(s, inc.parent_id)
        before = {"parent": parent_key, "link": inc.link_kind}
        parent_id = inc.parent_id
        inc.parent_id, inc.link_kind = None, None
        append_event(s, inc, ctx.actor, EventKind.LINKED, now, text=f"no longer folded under {parent_key}",
                     before=before, after={"parent": None, "link": None})
        record_change(s, [parent_id], str(EventKind.LINKED), now)
        return inc.version + 1

