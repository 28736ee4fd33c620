"""Reading post-incident reviews: one incident's review with its timeline, highlights and follow-ups.

The tables are in store/models.py (PirReview, PirHighlight, PirFollowUp); the services write
them (services/pir.py). The result is a domain/pir_review.Review, so the console, the CLI and the
Markdown renderer never hold ORM objects. The timeline is read from the incident's events,
stakeholder updates included (by kind name: domain/pir.STAKEHOLDER_UPDATE).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidentdesk.domain.errors import NotFound
from incidentdesk.domain.keys import parse_key
from incidentdesk.domain.pir_review import FollowUp, Review, build_timeline
from incidentdesk.store.engine import Database
from incidentdesk.store.models import Incident, PirFollowUp, PirHighlight, PirReview, TimelineEvent


def review_row(s: Session, incident_id: int) -> PirReview | None:
    return s.scalar(select(PirReview).where(PirReview.incident_id == incident_id))


def highlight_rows(row: PirReview) -> dict[int, PirHighlight]:
    return {h.event_seq: h for h in row.highlights}


def follow_up_rows(row: PirReview) -> list[PirFollowUp]:
    return sorted(row.follow_ups, key=lambda f: f.number)


def event_seqs(s: Session, incident_id: int) -> dict[int, str]:
    """Each event's sequence number and kind (which events a highlight may mark)."""
    rows = s.execute(select(TimelineEvent.seq, TimelineEvent.kind).where(TimelineEvent.incident_id == incident_id))
    return {seq: kind for seq, kind in rows}


def build_review(s: Session, inc: Incident) -> Review:
    """The review of `inc` as it is in this session (an empty draft, version 0, when none was written)."""
    row = review_row(s, inc.id)
    highlights = {seq: h.note for seq, h in highlight_rows(row).items()} if row else {}
    events = s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == inc.id).order_by(TimelineEvent.seq))
    follow_ups = tuple(FollowUp(f.number, f.action, f.owner, f.due_on, f.done_at, f.done_by)
                       for f in follow_up_rows(row)) if row else ()
    common = dict(key=inc.key, title=inc.title, priority=inc.priority, severity=inc.severity, status=inc.status,
                  is_major=inc.is_major, commander=inc.commander, affected_service=inc.affected_service,
                  started_at=inc.started_at, created_at=inc.created_at, resolved_at=inc.resolved_at,
                  timeline=build_timeline(events, highlights), follow_ups=follow_ups)
    if row is None:
        return Review(**common, impact_users=inc.impacted or "")
    return Review(**common, summary=row.summary, impact_duration=row.impact_duration, impact_users=row.impact_users,
                  impact_services=row.impact_services, slowed=row.slowed, missing=row.missing,
                  causes=tuple(row.causes or ()), exists=True, version=row.version, updated_by=row.updated_by,
                  updated_at=row.updated_at)


def load_review(db: Database, key: str) -> Review:
    """One incident's review, read in one snapshot."""
    number = parse_key(key)
    with db.read() as s:
        inc = s.get(Incident, number)
        if inc is None:
            raise NotFound(f"no incident {key}: check the key (incidentdesk list shows them)")
        return build_review(s, inc)
