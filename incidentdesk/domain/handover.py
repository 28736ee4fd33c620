"""The shift handover: what the outgoing triage captain hands over, as plain data and as Markdown.

A handover's content is seven lists of incidents plus a free-text note. Each list says which
time matters for it (the next stakeholder update of a major, when an SLA target is or was due,
when an incident was logged or escalated...). The definitions, written once here:

- **majors**: open major incidents, by their next stakeholder update due (overdue first);
- **breached**: open incidents with a running (or paused) SLA target breached — the response while
  unacknowledged, the resolution while unresolved — by when the target was due; the states as the
  console's countdowns derive them (domain/sla_state.countdowns_of: the recorded state, brought
  forward between two sweeps), so an acknowledged incident's late response is not listed;
- **at_risk**: open incidents with a target at risk and none breached, by when it is due;
- **unassigned**: open incidents nobody holds, oldest first;
- **new**: incidents logged since the last published handover (any status: a resolved one is
  still news to the incoming captain), oldest first; with no handover yet, the last 12 hours;
- **escalations**: escalations in flight — open incidents whose latest escalation is hierarchical
  (management engaged until the incident is resolved) or functional and not yet picked up
  (the receiving group has nobody assigned), by when they were escalated;
- **vendors**: open incidents on hold waiting for a vendor (domain/vendor.is_vendor_hold), with
  domain/vendor.vendor_line.
Service requests are included: a captain hands over the whole queue. The store builds the lists
(store/handover.py); this module only shapes, stores and prints them. Published handovers keep
their content as JSON (`content_json`), so reading one back shows what was handed over then, not
today's queue. Nothing here reads a clock: callers pass `now`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.pir_markdown import block, inline
from incidentdesk.domain.text import one_line, strip_control

NEW_WITHOUT_HANDOVER = timedelta(hours=12)   # "new" when no handover was ever published
# The change-log "incident id" a handover published or acknowledged is recorded under (no incident
# has it): consoles following the change feed learn of handovers too (services/handover.py).
FEED_ID = 0
NOTE_LIMIT = 10_000


@dataclass(frozen=True)
class Section:
    name: str       # the content's attribute and the JSON key
    title: str      # heading
    when: str       # what the time column means
    empty: str      # what the section says when it has nothing


SECTIONS: tuple[Section, ...] = (
    Section("majors", "Open major incidents", "next update due", "No open major incidents."),
    Section("breached", "SLA breached", "target was due", "Nothing breached."),
    Section("at_risk", "SLA at risk", "target due", "Nothing at risk."),
    Section("unassigned", "Unassigned", "logged", "Everything open has an assignee."),
    Section("new", "New since the last handover", "logged", "Nothing new."),
    Section("escalations", "Escalations in flight", "escalated", "No escalations in flight."),
    Section("vendors", "Waiting on vendors", "on hold since", "Nothing waits on a vendor."),
)
NAMES = tuple(s.name for s in SECTIONS)


@dataclass(frozen=True)
class Item:
    """One incident in a section: key, priority, title, the section's time, and a short detail."""

    key: str
    priority: int
    title: str
    at: datetime | None = None
    detail: str = ""

    def to_json(self) -> dict:
        return {"key": self.key, "priority": self.priority, "title": self.title,
                "at": _iso(self.at), "detail": self.detail}

    @classmethod
    def from_json(cls, data: dict) -> Item:
        return cls(str(data.get("key", "")), int(data.get("priority") or 0), str(data.get("title", "")),
                   _parse(data.get("at")), str(data.get("detail") or ""))


@dataclass(frozen=True)
class Content:
    """What a handover holds besides its note: the lists, when they were read, and since when "new" counts."""

    generated_at: datetime
    since: datetime | None = None
    sections: dict[str, tuple[Item, ...]] = field(default_factory=dict)
    capped: frozenset[str] = frozenset()   # sections cut at store/handover.CAP items (they say so)

    def items(self, name: str) -> tuple[Item, ...]:
        return self.sections.get(name, ())

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.sections.values())


def content_json(c: Content) -> dict:
    """The content as stored in a published handover (and printed by --json)."""
    return {"generated_at": _iso(c.generated_at), "since": _iso(c.since),
            "sections": {name: [i.to_json() for i in c.items(name)] for name in NAMES},
            "capped": sorted(c.capped)}


def content_from_json(data: dict) -> Content:
    sections = data.get("sections") or {}
    return Content(_parse(data.get("generated_at")) or datetime.fromtimestamp(0, UTC), _parse(data.get("since")),
                   {name: tuple(Item.from_json(i) for i in sections.get(name) or ()) for name in NAMES},
                   frozenset(n for n in data.get("capped") or () if n in NAMES))


@dataclass(frozen=True)
class Handover:
    """A published handover, as read back."""

    id: int
    published_by: str
    published_at: datetime
    note: str
    content: Content
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    version: int = 1

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


def ack_overdue(h: Handover | None, now: datetime, ack_within: timedelta) -> bool:
    """True when `h` is unacknowledged and was published more than `ack_within` ago: it is flagged."""
    return h is not None and not h.acknowledged and now - h.published_at > ack_within


def state_words(h: Handover, now: datetime, ack_within: timedelta) -> str:
    """`acknowledged by X at T`, `awaiting acknowledgement`, or `NOT ACKNOWLEDGED after 47m`."""
    if h.acknowledged:
        return f"acknowledged by {one_line(h.acknowledged_by)} at {_when(h.acknowledged_at)}"
    if ack_overdue(h, now, ack_within):
        return f"NOT ACKNOWLEDGED after {_age(now - h.published_at)}"
    return "awaiting acknowledgement"


def handover_json(h: Handover) -> dict:
    return {"id": h.id, "published_by": h.published_by, "published_at": _iso(h.published_at), "note": h.note,
            "acknowledged_by": h.acknowledged_by, "acknowledged_at": _iso(h.acknowledged_at),
            "version": h.version, "content": content_json(h.content)}


def draft_json(c: Content, previous: Handover | None) -> dict:
    return {"draft": True, "previous_id": previous.id if previous else None, "content": content_json(c)}


def clean_note(note: str | None) -> str:
    """The note as stored: control characters out (newlines kept), trailing space trimmed; refused if too long."""
    text = "\n".join(line.rstrip() for line in strip_control(note or "").strip().splitlines())
    if len(text) > NOTE_LIMIT:
        raise ValidationError(f"the handover note is {len(text)} characters; keep it under {NOTE_LIMIT}",
                              field="note")
    return text


# --- Markdown -----------------------------------------------------------------------------------
def render_markdown(c: Content, note: str = "", h: Handover | None = None, *, now: datetime | None = None,
                    ack_within: timedelta | None = None) -> str:
    """The handover for pasting into chat: a heading, who/when, the note, one table per section.

    Every value from incidents and people is untrusted and escaped (domain/pir_markdown).
    """
    if h is None:
        head = [f"# Shift handover (draft, {_when(c.generated_at)} UTC)"]
    else:
        head = [f"# Shift handover {h.id}", "",
                f"Published by {inline(h.published_by)} at {_when(h.published_at)} UTC — "
                + inline(state_words(h, now or c.generated_at, ack_within or timedelta(minutes=30)))]
    if c.since is not None:
        head += ["", f"New since {_when(c.since)} UTC."]
    else:
        hours = int(NEW_WITHOUT_HANDOVER.total_seconds() // 3600)
        head += ["", f"No handover was published before: new means the last {hours} hours."]
    out = head + ["", "## Note", "", block(note, "_No note._")]
    for s in SECTIONS:
        items = c.items(s.name)
        shown = f"first {len(items)} shown" if s.name in c.capped else str(len(items))
        out += ["", f"## {s.title} ({shown})", ""]
        if not items:
            out.append(f"_{s.empty}_")
            continue
        out += [f"| Key | P | Title | {s.when.capitalize()} | Detail |", "|---|---|---|---|---|"]
        for i in items:
            late = " (overdue)" if s.name == "majors" and i.at is not None and i.at < c.generated_at else ""
            out.append(f"| {inline(i.key)} | P{i.priority} | {inline(i.title)} | {_when(i.at)}{late} | "
                       f"{inline(i.detail) or '—'} |")
    return "\n".join(out) + "\n"


def list_line(h: Handover, now: datetime, ack_within: timedelta) -> str:
    """One line for `handover list` and the screen's previous handovers."""
    return (f"{h.id:>5}  {_when(h.published_at)}  {one_line(h.published_by):<12}  {h.content.total:>3} items  "
            f"{state_words(h, now, ack_within)}")


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _age(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _parse(value) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
