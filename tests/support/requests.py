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


def add_requests(db, clock) -> dict[str, str]:
    """On the console tests' desk (tests/support/desk.build): both types, and one request of each raised by ana."""
    from incidentdesk.services import requests
    from tests.support.desk import ctx_for

    add_types(ctx_for(db, "root-setup", clock))
    ana = ctx_for(db, "ana", clock)
    clock.advance(minutes=1)
    access = requests.raise_request(ana, "access", field=("system=Finance share", "user=j.doe",
                                                          "reason=month-end close [bold]now[/]"))
    clock.advance(minutes=1)
    reset = requests.raise_request(ana, "password-reset", field=("user=k.lee",))
    return {"access": access, "reset": reset}
