"""What stops a service request from being fulfilled: its approval, and its unfinished checklist.

Asked by every way a request can be resolved — `request fulfil` (services/requests.py) and the
incident's own `resolve` (services/incidents.py) — so neither path skips the approval. A
separate module because services/requests.py builds on services/incidents.py (it reuses the
resolve step), and the check must not make the two import each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentdesk.domain.errors import InvalidTransition
from incidentdesk.domain.requests import Approval, parse_approver
from incidentdesk.store import writes

if TYPE_CHECKING:  # the incident's resolve asks it on either kind of write session (store/writes)
    from sqlalchemy.orm import Session

    from incidentdesk.store.models import Incident
    from incidentdesk.store.request_models import ServiceRequest


def approval_block(sr: ServiceRequest, inc: Incident, doing: str) -> str | None:
    """Why `doing` must wait for the approval (one line), or None once approved / when none is needed."""
    group = inc.group.name if inc.group else None
    who = parse_approver(sr.approver).words(group)
    if sr.approval == Approval.PENDING:
        return f"cannot {doing} {inc.key}: it waits for approval by {who} (request approve {inc.key})"
    if sr.approval == Approval.REJECTED:
        return (f"cannot {doing} {inc.key}: its approval was rejected by {sr.decided_by}; "
                f"ask again (request ask-approval) or cancel it")
    return None


def check_ready(s: Session, inc: Incident, doing: str = "resolve") -> None:
    """Refuse unless the request is approved (where its type needs it) and every fulfilment step is done."""
    if inc.type != "request":
        return
    sr = writes.service_request(s, inc.id)
    if sr is None:   # logged as a request without a type (`new --type request`): nothing to wait for
        return
    blocked = approval_block(sr, inc, doing)
    if blocked:
        raise InvalidTransition(blocked)
    steps = writes.request_steps(s, inc.id)
    open_steps = [st for st in steps if st.done_at is None]
    if open_steps:
        first = open_steps[0]
        raise InvalidTransition(f"cannot {doing} {inc.key}: {len(open_steps)} of {len(steps)} fulfilment steps "
                                f"not done (step {first.number}: {first.title}; request step {inc.key} N)")
