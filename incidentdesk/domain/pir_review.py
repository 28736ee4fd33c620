"""The post-incident review as plain values: its follow-ups, its timeline and the review itself.

Apart from the rules of domain/pir.py (what a review needs to be complete, what may close a
major incident), which the incident's detail uses on every read, so that reading an incident
does not define these types; the review screen, its Markdown and the services use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from incidentdesk.domain.pir import REVIEW_EVENT, STAKEHOLDER_UPDATE, event_summary, measured_duration, missing_parts


@dataclass(frozen=True)
class FollowUp:
    number: int
    action: str
    owner: str
    due_on: date | None = None
    done_at: datetime | None = None
    done_by: str | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class Entry:
    """One line of the review's timeline: an incident event, perhaps a highlight with a note."""

    seq: int
    at: datetime
    actor: str
    kind: str
    text: str
    highlight: bool = False
    note: str = ""

    @property
    def stakeholder_update(self) -> bool:
        return self.kind == STAKEHOLDER_UPDATE


@dataclass(frozen=True)
class Review:
    key: str
    title: str
    priority: int
    severity: str
    status: str
    is_major: bool = False
    commander: str | None = None
    affected_service: str | None = None
    started_at: datetime | None = None
    created_at: datetime | None = None
    resolved_at: datetime | None = None
    summary: str = ""
    impact_duration: str = ""
    impact_users: str = ""
    impact_services: str = ""
    slowed: str = ""
    missing: str = ""
    causes: tuple[str, ...] = ()
    timeline: tuple[Entry, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    exists: bool = False         # False: nobody has written anything yet (version 0)
    version: int = 0
    updated_by: str | None = None
    updated_at: datetime | None = None
    extra: dict = field(default_factory=dict)

    def missing_parts(self) -> list[str]:
        """What the review still needs to be complete: a summary and at least one contributing cause."""
        return missing_parts(self.summary, self.causes)

    @property
    def complete(self) -> bool:
        return not self.missing_parts()

    @property
    def duration(self) -> str:
        """The impact's duration as written, else as the incident's times give it (start to resolution)."""
        return self.impact_duration or measured_duration(self.started_at or self.created_at, self.resolved_at)

    @property
    def highlights(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.timeline if e.highlight)


def build_timeline(events: Iterable, highlights: Mapping[int, str]) -> tuple[Entry, ...]:
    """The review's timeline, oldest first, from events with seq/at/actor/kind/text/before/after.

    The review's own events are left out; `highlights` maps an event's sequence number to its note.
    """
    entries = []
    for e in sorted(events, key=lambda e: e.seq):
        if e.kind == REVIEW_EVENT:
            continue
        entries.append(Entry(e.seq, e.at, e.actor, e.kind, event_summary(e.text, e.before, e.after),
                             e.seq in highlights, highlights.get(e.seq, "")))
    return tuple(entries)
