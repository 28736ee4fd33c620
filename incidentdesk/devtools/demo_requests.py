"""The demo's request types (`incidentdesk demo`): a few a service desk really has, so Q can be tried at once.

Only the types: the demo's own requests stay as its random stream makes them (its counts are what
`demo --count N` promises), and requests of these types are raised from the console or the CLI.
"""

from __future__ import annotations

from incidentdesk.services import request_types

TYPES = (
    dict(name="password-reset", label="Password reset", field=("user*:User login", "channel:Send it by=SMS|Email"),
         step=("Verify the caller's identity", "Reset and send a one-time password"), group="Service Desk",
         response="30m", resolution="4h"),
    dict(name="access", label="Access request", field=("system*:System=Finance share|CRM|VPN|Payroll",
                                                       "user*:User login", "reason*:Why it is needed"),
         step=("Check entitlement with the data owner", "Grant access", "Tell the user"), approval="manager",
         group="Service Desk", response="4h", resolution="2bd"),
    dict(name="new-software", label="New software", field=("app*:Application", "device:Device", "licence:Licence"),
         step=("Check the licence pool", "Install", "Confirm with the user"), approval="role:incident_manager",
         group="Application Support", resolution="5bd"),
    dict(name="laptop", label="New laptop", field=("user*:For whom", "model:Model=Standard|Developer"),
         step=("Order or take from stock", "Image and enrol", "Hand over"), approval="manager",
         group="Service Desk", resolution="5bd"),
)


def add_demo_request_types(admin) -> int:
    for definition in TYPES:
        request_types.add_request_type(admin, **definition)
    return len(TYPES)
