"""Reading vendor details in bulk: the vendor fields of a list of incidents (for `list --json`).

The queue's rows (store/rows.QueueRow) stay as they are — the console pages them and its first
page is read without SQLAlchemy (store/fastpath.py) — so `list --json` adds these with one query.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select

from incidentdesk.store.engine import Database
from incidentdesk.store.models import Incident


def vendors_of(db: Database, ids: Sequence[int]) -> dict[int, dict]:
    """The vendor fields of these incidents, by id; incidents without a vendor left out."""
    if not ids:
        return {}
    cols = (Incident.id, Incident.vendor, Incident.vendor_ticket, Incident.vendor_url, Incident.vendor_status)
    with db.read() as s:
        rows = s.execute(select(*cols).where(Incident.id.in_(list(ids)), or_(
            Incident.vendor.is_not(None), Incident.vendor_ticket.is_not(None)))).all()
    return {r[0]: {"vendor": r[1], "vendor_ticket": r[2], "vendor_url": r[3], "vendor_status": r[4]} for r in rows}
