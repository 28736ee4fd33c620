"""Request types the service-request tests share: one with approval and a checklist, one without either."""

from __future__ import annotations

from incidentdesk.services import request_types

ACCESS_FIELDS = ("system*:System=Finance share|CRM", "user*:User", "reason:Why it is needed")
ACCESS_STEPS = ("Check entitlement with the data owner", "Grant access", "Tell the user")


def add_types(admin, *, group: str = "Service Desk") -> None:
    """`access` (manager approval, 3 steps, 2h/2bd of its own) and `password-reset` (no approval, 1 step)."""
    request_types.add_request_type(admin, name="access", label="Access request", field=ACCESS_FIELDS,
                                   step=ACCESS_STEPS, approval="manager", group=group, response="2h",
                                   resolution="2bd")
    request_types.add_request_type(admin, name="password-reset", label="Password reset", field=("user*:User",),
                                   step=("Reset and send a one-time password",), group=group)
