"""The tables, as SQLAlchemy 2.0 typed models. Alembic migrations are written against these."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, column, false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidentdesk.domain.audit import sealed_directory_fields, sealed_fields
from incidentdesk.store.types import UTCDateTime

from incidentdesk.store.base import NAMING, Base  # noqa: F401  (re-exported: migrations and tests use them)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(32), default="responder")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    groups: Mapped[list[Group]] = relationship(secondary="group_members", back_populates="members")


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    tier: Mapped[int] = mapped_column(Integer, default=1)
    manager: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")

    members: Mapped[list[User]] = relationship(secondary="group_members", back_populates="groups")


class GroupMember(Base):
    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Category(Base):
    """A node of the Service -> System -> Application taxonomy, stored by its full path."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(300), unique=True)
    default_group: Mapped[str | None] = mapped_column(String(100))
    # retired: not offered or accepted for new incidents; incidents that have it keep it (services/categories.py)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Service(Base):
    """A business service that incidents affect (and alerts name)."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    owner_group: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")


MAJOR_PREDICATE = column("is_major").is_(True)


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    type: Mapped[str] = mapped_column(String(16), default="incident")
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    # structured intake
    affected_service: Mapped[str | None] = mapped_column(String(200))
    symptoms: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    impacted: Mapped[str] = mapped_column(Text, default="")
    steps_to_reproduce: Mapped[str] = mapped_column(Text, default="")
    device_user: Mapped[str] = mapped_column(Text, default="")
    recent_changes: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(300))
    ci: Mapped[str | None] = mapped_column(String(200))
    # prioritisation
    impact: Mapped[str] = mapped_column(String(8))
    urgency: Mapped[str] = mapped_column(String(8))
    priority: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str] = mapped_column(String(8), default="SEV4")
    # routing and state
    status: Mapped[str] = mapped_column(String(16), default="new")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    hold_reason: Mapped[str | None] = mapped_column(String(300))
    reporter: Mapped[str] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(64))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    # milestones
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # SLA
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolution_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sla_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # SLA state per target: on_track | at_risk | breached | met (the sweeper moves them)
    response_sla_state: Mapped[str] = mapped_column(String(12), default="on_track")
    resolution_sla_state: Mapped[str] = mapped_column(String(12), default="on_track")
    response_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sla_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sla_paused_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # The instant the running targets count from: the creation, or the last reprioritisation when
    # `[sla] reprioritise_from = "change"` (NULL on rows older than the setting: the creation).
    sla_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the sweeper next needs to look at this incident (None: nothing pending). Indexed so a
    # sweep reads only incidents whose SLA state is about to change, not every open one.
    next_sla_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # A service request's own targets, "4h/3bd", from its request type when raised (domain/requests.py)
    sla_target: Mapped[str | None] = mapped_column(String(40))
    # alerts (monitoring): the correlation key (domain/alerts.py) of the alerts this incident stands
    # for. The column keeps its first name, dedup_key: a rename would buy nothing but a migration.
    correlation_key: Mapped[str | None] = mapped_column("dedup_key", String(300), index=True)
    alert_count: Mapped[int] = mapped_column(Integer, default=0)
    last_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # resolution and closure
    resolution_code: Mapped[str | None] = mapped_column(String(32))
    resolution_notes: Mapped[str | None] = mapped_column(Text)
    first_contact_resolution: Mapped[bool] = mapped_column(Boolean, default=False)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    user_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    csat: Mapped[int | None] = mapped_column(Integer)
    # major incident (services/major.py): declared explicitly, with a commander who is never the assignee.
    # Set together and cleared together on stand-down; the declaration stays in the timeline.
    is_major: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    major_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    commander: Mapped[str | None] = mapped_column(String(64))
    # ... its other roles (optional), and the stakeholder-update cadence (domain/major_cadence.py):
    # next_update_due = the last update (or the declaration) + the severity's cadence, or the time the
    # last update promised. All cleared on stand-down, like the commander; the timeline keeps the history.
    deputy: Mapped[str | None] = mapped_column(String(64))
    comms_lead: Mapped[str | None] = mapped_column(String(64))
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_update_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # vendor incidents (services/vendor.py, domain/vendor.py): the supplier this incident waits on
    vendor: Mapped[str | None] = mapped_column(String(200))
    vendor_ticket: Mapped[str | None] = mapped_column(String(100))
    vendor_url: Mapped[str | None] = mapped_column(String(2000))
    vendor_status: Mapped[str | None] = mapped_column(String(500))
    # the change (CHG-..., store/cmdb_models.py) this incident was caused by (services/cmdb.py)
    caused_by_change: Mapped[str | None] = mapped_column(String(20))
    # links (services/links.py): folded under another incident as its child or its duplicate
    # (no foreign key: incidents are never deleted, and SQLite could only add one by rebuilding the table)
    parent_id: Mapped[int | None] = mapped_column(Integer)
    link_kind: Mapped[str | None] = mapped_column(String(12))   # child | duplicate (domain/links.py)
    # integrity
    version: Mapped[int] = mapped_column(Integer, default=1)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_event_hash: Mapped[str | None] = mapped_column(String(64))

    group: Mapped[Group | None] = relationship(lazy="joined")
    events: Mapped[list[TimelineEvent]] = relationship(
        back_populates="incident", order_by="TimelineEvent.seq", lazy="raise_on_sql"
    )
    escalations: Mapped[list[Escalation]] = relationship(
        back_populates="incident", order_by="Escalation.id", lazy="raise_on_sql"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_incidents_queue", "is_open", "priority", "sla_due_at", "id"),
        Index("ix_incidents_group_queue", "group_id", "is_open", "priority", "sla_due_at", "id"),
        Index("ix_incidents_status_queue", "status", "priority", "sla_due_at", "id"),
        Index("ix_incidents_assignee_queue", "assignee", "is_open", "priority", "sla_due_at", "id"),
        Index("ix_incidents_created", "created_at"),
        Index("ix_incidents_ci", "ci", "created_at"),  # a CI's recent incidents (CI tab, `ci show`), recurring detection
        # recurring detection (store/recurring_sql.py) and folding (children per parent)
        Index("ix_incidents_category_created", "category", "created_at"),
        Index("ix_incidents_parent", "parent_id", "is_open"),
        Index("ix_incidents_resolved", "resolved_at"),  # the metrics' period (migration 0009)
        # The major queue: open majors in the default sort, read in index order. Partial (majors are few),
        # and its predicate is exactly what queries._filtered emits (`is_major IS 1` / `IS true`): neither
        # SQLite nor PostgreSQL will use an index `WHERE is_major` for that. On PostgreSQL the migration
        # (0003) gives it the same predicate; declaring `postgresql_where=` here too would import the
        # PostgreSQL dialect into every process that maps the models, SQLite CLI commands included
        # (tests/store/test_major_queue.py checks both plans read this index).
        Index("ix_incidents_major_queue", "is_open", "priority", "sla_due_at", "id",
              sqlite_where=MAJOR_PREDICATE),
    )


class TimelineEvent(Base):
    """Append-only; each row seals its fields and its predecessor's hash."""

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    real_actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    incident: Mapped[Incident] = relationship(back_populates="events")

    __table_args__ = (UniqueConstraint("incident_id", "seq", name="uq_timeline_events_incident_seq"),)

    def sealed_fields(self) -> dict:
        """The fields the hash covers (everything but ids and the hashes themselves)."""
        return sealed_fields(seq=self.seq, at=self.at, actor=self.actor, real_actor=self.real_actor,
                             kind=self.kind, before=self.before, after=self.after, text=self.text)


class SlaTargetRecord(Base):
    """A target an incident no longer runs on, kept with the state it had reached.

    Written when a reprioritisation replaces the running targets (services/sla_sync.py): the
    incident's own columns hold the current targets, this table every earlier one, so a breach
    once recorded stays recorded. The same facts are in the reprioritisation's timeline event.
    """

    __tablename__ = "sla_target_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(12))          # response | resolution
    priority: Mapped[int] = mapped_column(Integer)
    policy: Mapped[str] = mapped_column(Text)                 # e.g. "P1" or "P3 (request, HR)"
    calendar: Mapped[str] = mapped_column(String(100))
    counted_from: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(12))           # on_track | at_risk | breached
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Escalation(Base):
    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    from_group: Mapped[str | None] = mapped_column(String(100))
    from_tier: Mapped[int | None] = mapped_column(Integer)
    to_group: Mapped[str | None] = mapped_column(String(100))
    to_tier: Mapped[int | None] = mapped_column(Integer)
    to_person: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)

    incident: Mapped[Incident] = relationship(back_populates="escalations")


class Alert(Base):
    """One alert from monitoring, kept as its own record and attached to an incident."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(24))
    fingerprint: Mapped[str] = mapped_column(String(300), index=True)  # the alert (domain/alerts.py)
    group_key: Mapped[str | None] = mapped_column(String(500))  # the sender's groupKey as sent, for the record
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text, default="")
    labels: Mapped[dict | None] = mapped_column(JSON)
    annotations: Mapped[dict | None] = mapped_column(JSON)
    generator_url: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    occurrences: Mapped[int] = mapped_column(Integer, default=1)


class AlertReceipt(Base):
    """A delivery already applied: a sender's retry of the same payload gets the same answer, changing nothing.

    Written in the transaction that applied the payload, so a receipt exists exactly when its effects do.
    """

    __tablename__ = "alert_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(24))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    response: Mapped[dict] = mapped_column(JSON)


class DirectoryEvent(Base):
    """The directory trail: every change to people, roles, groups, categories and services.

    Append-only and hash-chained like a timeline, but one chain for the whole database (the
    services append under a lock). Each record's `after` is the subject's whole state after the
    change, so replaying the trail gives the current directory (store/audit.py checks that).
    """

    __tablename__ = "directory_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    real_actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def sealed_fields(self) -> dict:
        return sealed_directory_fields(seq=self.seq, at=self.at, actor=self.actor, real_actor=self.real_actor,
                                       kind=self.kind, subject_type=self.subject_type, subject=self.subject,
                                       before=self.before, after=self.after)


class ChangeLog(Base):
    """One row per committed change to an incident: the change feed other consoles follow.

    Written in the same transaction as the change, so a reader that sees the row sees the
    change. Consoles remember the highest id they have applied and read only what is newer.
    """

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(24))


class OutboxMessage(Base):
    """One notification to deliver: written in the transaction of the change that caused it.

    The delivery worker (notify/delivery.py) claims due rows with a lease (`claimed_by`,
    `claimed_until`); a lease that runs out (a worker killed mid-send) makes the row due again.
    `channel` is a configured channel's name, never its URL (which holds secrets).
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event_kind: Mapped[str] = mapped_column(String(32))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(100))
    recipient: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(12), default="pending")   # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)


# The review's tables live in their own module; imported here so Base.metadata always holds them.
from incidentdesk.store.review_models import PirFollowUp, PirHighlight, PirReview  # noqa: E402,F401
# The shift handover's table (services/handover.py), likewise.
from incidentdesk.store.handover_models import Handover  # noqa: E402,F401
from incidentdesk.store.request_models import (  # noqa: E402,F401
    RequestStep, RequestType, RequestValue, ServiceRequest,
)
from incidentdesk.store.oncall_models import OncallMember, OncallOverride, OncallRotation  # noqa: E402,F401
from incidentdesk.store.cmdb_models import CIDependency, Change, ChangeCI, ConfigurationItem  # noqa: E402,F401
from incidentdesk.store.problem_models import Problem, ProblemIncident  # noqa: E402,F401
# The knowledge base's tables (articles, their links to incidents): store/kb_models.py.
from incidentdesk.store.kb_models import KbArticle, KbLink  # noqa: E402,F401
