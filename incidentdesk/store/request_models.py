"""Service requests' tables (services/requests.py, store/requests.py): request types and each request's state.

A request is an `incidents` row of type "request"; what its type adds lives here. The type's
definitions (its intake fields, its checklist) are small lists read whole, so they are JSON
columns; what each request holds — the values typed at intake, the state of every fulfilment
step, the approval — is in rows, so "which requests wait for approval" or "every access
request for the finance share" is a plain indexed query. Apart from store/models.py by job;
store/models.py imports this module, so Base.metadata (Alembic, the tests) always holds them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from incidentdesk.store.base import Base
from incidentdesk.store.types import UTCDateTime


class RequestType(Base):
    """A kind of service request (password reset, access, new software…): managed data, versioned."""

    __tablename__ = "request_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)          # password-reset (the CLI's TYPE)
    label: Mapped[str] = mapped_column(String(200))                     # Password reset
    description: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[list] = mapped_column(JSON, default=list)            # [FieldDef.to_json(), ...]
    steps: Mapped[list] = mapped_column(JSON, default=list)             # fulfilment checklist: [title, ...]
    approval: Mapped[str] = mapped_column(String(120), default="none")  # domain/requests.Approver.text()
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))   # where its requests route
    category: Mapped[str | None] = mapped_column(String(300))
    impact: Mapped[str] = mapped_column(String(8), default="low")
    urgency: Mapped[str] = mapped_column(String(8), default="low")
    response: Mapped[str | None] = mapped_column(String(16))            # its own targets ("4h"; None: the policy's)
    resolution: Mapped[str | None] = mapped_column(String(16))
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ServiceRequest(Base):
    """What a request is beyond its incident row: its type and its approval (one per request)."""

    __tablename__ = "service_requests"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("request_types.id"), index=True)
    approval: Mapped[str] = mapped_column(String(16), default="not_required")  # domain/requests.Approval
    approver: Mapped[str] = mapped_column(String(120), default="none")          # the rule, as the type said when raised
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_service_requests_approval", "approval"),)


class RequestValue(Base):
    """One intake field's value of one request (name as its type defines it)."""

    __tablename__ = "request_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("incident_id", "name", name="uq_request_values_incident_name"),
                      Index("ix_request_values_name", "name"))


class RequestStep(Base):
    """One fulfilment step of one request, numbered from 1 in its type's order; done or not."""

    __tablename__ = "request_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("incident_id", "number", name="uq_request_steps_incident_number"),)
