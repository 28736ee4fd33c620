"""Read side of the SLA target history: the targets a reprioritisation replaced, for `show`.

The current targets are the incident's own columns (see store/queries.incident_detail); this
module reads the earlier ones, kept with the state each had reached (store/models.SlaTargetRecord).
"""

from __future__ import annotations

from sqlalchemy import select

from incidentdesk.domain.keys import parse_key
from incidentdesk.store.engine import Database
from incidentdesk.store.models import SlaTargetRecord
from incidentdesk.store.views import TargetRecordView  # noqa: F401  (re-exported)


def target_history(db: Database, key: str) -> list[TargetRecordView]:
    """An incident's replaced SLA targets, oldest first."""
    with db.read() as s:
        rows = s.scalars(select(SlaTargetRecord).where(SlaTargetRecord.incident_id == parse_key(key))
                         .order_by(SlaTargetRecord.id)).all()
        return [TargetRecordView(r.target, r.priority, r.policy, r.calendar, r.counted_from, r.due_at, r.state,
                                 r.breached_at, r.superseded_at) for r in rows]
