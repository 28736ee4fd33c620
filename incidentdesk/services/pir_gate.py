"""What stops a major incident from being closed: its post-incident review, while `[pir] required` is on.

Asked by the close use case (services/incidents.close) inside its transaction, on either kind of
write session (store/writes). A module of its own, beside services/pir.py (which edits reviews),
so that closing an incident does not import the review editor and SQLAlchemy with it.
"""

from __future__ import annotations

from incidentdesk.domain.errors import InvalidTransition
from incidentdesk.domain.pir import close_refusal
from incidentdesk.store import writes


def pir_required(config) -> bool:
    """`[pir] required` (default true): a major incident needs a complete review before it is closed."""
    return config.schema.pir.required


def check_close(s, config, inc) -> None:
    """Refuse to close a major incident without a complete review (inside close's transaction)."""
    if not inc.is_major or not pir_required(config):
        return
    row = writes.review(s, inc.id)
    reason = close_refusal(inc.key, row is not None, row.summary if row else "", row.causes if row else ())
    if reason:
        raise InvalidTransition(reason)
