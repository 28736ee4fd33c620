"""An incident's detail as plain frozen values, importable without SQLAlchemy.

msgspec Structs rather than dataclasses: they are defined in C, so the console's first screen (which
reads one detail) does not spend milliseconds generating and compiling these classes' methods.

Both readers build these: store/queries.incident_detail (SQLAlchemy, every backend) and
store/plainsql.incident_detail (plain sqlite3, for `show` on SQLite), so the UI and the CLI
never hold ORM objects and both paths print the same.
"""

from __future__ import annotations

import msgspec
from datetime import datetime


class EventView(msgspec.Struct, frozen=True):
    seq: int
    at: datetime
    actor: str
    real_actor: str
    kind: str
    text: str
    before: dict | None
    after: dict | None


class EscalationView(msgspec.Struct, frozen=True):
    at: datetime
    actor: str
    kind: str
    from_group: str | None
    from_tier: int | None
    to_group: str | None
    to_tier: int | None
    to_person: str | None
    reason: str
    summary: str
    automatic: bool


class AlertView(msgspec.Struct, frozen=True):
    """One monitoring alert attached to the incident (labels and text are untrusted)."""

    source: str
    fingerprint: str
    status: str
    summary: str
    labels: dict | None
    annotations: dict | None
    generator_url: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    occurrences: int


ALERTS_SHOWN = 50


class IncidentDetail(msgspec.Struct, frozen=True):
    id: int
    key: str
    type: str
    title: str
    description: str
    affected_service: str | None
    symptoms: str
    started_at: datetime | None
    impacted: str
    steps_to_reproduce: str
    device_user: str
    recent_changes: str
    category: str | None
    ci: str | None
    impact: str
    urgency: str
    priority: int
    severity: str
    status: str
    hold_reason: str | None
    reporter: str
    assignee: str | None
    group: str | None
    tier: int
    source: str
    created_at: datetime
    updated_at: datetime
    updated_by: str
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    response_due_at: datetime
    resolution_due_at: datetime
    sla_due_at: datetime
    resolution_code: str | None
    resolution_notes: str | None
    first_contact_resolution: bool
    reopen_count: int
    user_confirmed: bool | None
    csat: int | None
    version: int
    timeline: list[EventView] = msgspec.field(default_factory=list)
    escalations: list[EscalationView] = msgspec.field(default_factory=list)
    alerts: list[AlertView] = msgspec.field(default_factory=list)
    alert_count: int = 0
    last_alert_at: datetime | None = None
    response_sla_state: str = "on_track"
    resolution_sla_state: str = "on_track"
    response_breached_at: datetime | None = None
    resolution_breached_at: datetime | None = None
    sla_paused_at: datetime | None = None
    next_sla_check_at: datetime | None = None
    is_open: bool = True
    is_major: bool = False
    commander: str | None = None
    major_declared_at: datetime | None = None
    deputy: str | None = None
    comms_lead: str | None = None
    last_update_at: datetime | None = None
    next_update_due: datetime | None = None
    last_update: dict | None = None   # the previous stakeholder update's fields (domain/stakeholder.py)
    vendor: str | None = None            # vendor incidents (domain/vendor.py)
    vendor_ticket: str | None = None
    vendor_url: str | None = None
    vendor_status: str | None = None
    pir_version: int = 0                 # its post-incident review (store/pir.py): 0 when none is written
    pir_missing: tuple[str, ...] = ()    # what the review still needs to be complete (domain/pir.missing_parts)
    parent_id: int | None = None         # links (domain/links.py): folded under this incident as a child or duplicate
    link_kind: str | None = None
    folded_under: str | None = None      # ... its key (store/problem_sql.py reads these three)
    children: tuple[str, ...] = ()       # the keys folded under this one
    known_errors: tuple[tuple[str, str, str, bool], ...] = ()   # (PRB key, title, workaround, linked) shown here

    def to_json(self) -> dict:
        def conv(value):
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, list):
                return [conv(v) for v in value]
            if isinstance(value, dict):
                return {k: conv(v) for k, v in value.items()}
            return value
        data = conv(msgspec.to_builtins(self, builtin_types=(datetime,)))
        data["priority"] = f"P{self.priority}"
        return data


# the detail's own columns: everything but the lists, the group's name (a join), the previous update
# (a timeline read) and the review's state (its own table)
DETAIL_FIELDS = tuple(f for f in IncidentDetail.__struct_fields__
                      if f not in ("timeline", "escalations", "alerts", "group", "last_update", "pir_version",
                                   "pir_missing", "folded_under", "children", "known_errors"))


class TargetRecordView(msgspec.Struct, frozen=True):
    target: str
    priority: int
    policy: str
    calendar: str
    counted_from: datetime
    due_at: datetime
    state: str
    breached_at: datetime | None
    superseded_at: datetime
