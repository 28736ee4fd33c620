"""Service requests, declared once (services/requests.py, services/request_types.py).

`incidentdesk request new TYPE --field name=value …` raises a request of a type; `request step`,
`approve`, `reject`, `ask-approval` and `fulfil` act on one (a REQ- key); `request type-add` and
`type-retire` manage the types (admins). The rest of a request's life is the incident's own use
cases (ack, assign, hold, resolve, close). In the console a request is raised with Q (a type
picker, then that type's own fields) and worked with l (tick a step), A (approve / reject) and
F (fulfil) beside the incident pane's Request tab (tui/screens/request_flow.py); all call these use cases.
Reading (`request types`, `request show KEY`) is cli/requests.py.
"""

from __future__ import annotations

from incidentdesk.domain.enums import Level, Role
from incidentdesk.services.catalog.spec import Kind, Param, Subject, UseCase

IN_REQUEST_SCREEN = "l ticks a step, A approves / rejects / asks again, F fulfils; the Request tab shows them"
NEW_IN_CONSOLE = "Q picks the request type, then asks for that type's own fields"
TYPES_NOT_IN_CONSOLE = "request types are an admin's set-up, made with the command line"


def _requests():
    from incidentdesk.services import requests

    return requests


def _types():
    from incidentdesk.services import request_types

    return request_types


def request_record(db, key: str) -> dict:
    from incidentdesk.services.requests import request_record as record

    return record(db, key)


def type_record(db, name: str) -> dict:
    from incidentdesk.store.requests import get_type

    return get_type(db, name).to_json()


_ON_REQUEST = {"record": request_record, "console": IN_REQUEST_SCREEN}

USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "raise_request", "New service request", "raise a service request of a type, with the type's own fields",
        lambda: _requests().raise_request, subject=Subject.NONE, command=("request", "new"), printed="{key}",
        console=NEW_IN_CONSOLE, origin="source", record=request_record, submit="Raise request",
        done="raised {key}", params=(
            Param("type", "Request type", required=True, positional=True, help="its name (request types lists them)"),
            Param("field", "Field", Kind.LIST, flag="--field", default=(),
                  help="NAME=VALUE, once per field of the type"),
            Param("title", "Title", placeholder="default: the type and its first field"),
            Param("impact", "Impact", Kind.CHOICE, enum=Level, help="default: the type's"),
            Param("urgency", "Urgency", Kind.CHOICE, enum=Level, help="default: the type's"),
            Param("description", "Description", Kind.AREA),
        ),
    ),
    UseCase(
        "request_step", "Tick step", "tick a fulfilment step done (--undo: not done), recorded on the timeline",
        lambda: _requests().request_step, command=("request", "step"), conflicts=False,
        done="{key}: step {number} saved", params=(
            Param("number", "Step number", Kind.INT, required=True, positional=True, minimum=1, maximum=99),
            Param("undo", "Not done after all", Kind.FLAG, default=False),
        ), **_ON_REQUEST,
    ),
    UseCase(
        "approve_request", "Approve", "approve a request waiting for approval",
        lambda: _requests().approve_request, command=("request", "approve"), submit="Approve",
        done="{key} approved", who="only the approver its type names (a role, or a group's manager), "
        "never the person who raised it", params=(Param("comment", "Comment (optional)"),), **_ON_REQUEST,
    ),
    UseCase(
        "reject_request", "Reject", "reject a request waiting for approval, with a reason",
        lambda: _requests().reject_request, command=("request", "reject"), submit="Reject", done="{key} rejected",
        who="only the approver its type names, never the person who raised it",
        params=(Param("reason", "Reason", Kind.AREA, required=True),), **_ON_REQUEST,
    ),
    UseCase(
        "request_approval", "Ask again", "ask again for the approval of a rejected request",
        lambda: _requests().request_approval, command=("request", "ask-approval"), done="{key}: approval asked",
        params=(Param("comment", "Comment (optional)"),), **_ON_REQUEST,
    ),
    UseCase(
        "fulfil", "Fulfil", "fulfil (resolve) a request: approved where needed, every step done",
        lambda: _requests().fulfil, command=("request", "fulfil"), submit="Fulfil", done="{key} fulfilled",
        printed="{key}: fulfilled", params=(Param("notes", "Notes", Kind.AREA, help="what was done"),),
        **_ON_REQUEST,
    ),
    UseCase(
        "add_request_type", "Add request type", "add a request type, or redefine one (applies to new requests)",
        lambda: _types().add_request_type, subject=Subject.NONE, role=Role.ADMIN, command=("request", "type-add"),
        printed="{name}: saved", record=type_record, names="name", console=TYPES_NOT_IN_CONSOLE, params=(
            Param("name", "Name", required=True, positional=True, help="e.g. password-reset"),
            Param("label", "Label", help="e.g. Password reset (default: from the name)"),
            Param("description", "Description", Kind.AREA),
            Param("field", "Field", Kind.LIST, flag="--field", default=(),
                  help="NAME[*][:Label][=choice|choice]: * makes it required; once per field"),
            Param("step", "Fulfilment step", Kind.LIST, flag="--step", default=(), help="once per step, in order"),
            Param("approval", "Approval", help="none (default), manager (of --group), manager:GROUP or role:ROLE"),
            Param("group", "Group", Kind.GROUP, help="where its requests route"),
            Param("category", "Category", Kind.CATEGORY),
            Param("impact", "Impact", Kind.CHOICE, enum=Level, help="default low"),
            Param("urgency", "Urgency", Kind.CHOICE, enum=Level, help="default low"),
            Param("response", "Response target", help='its own, e.g. "4h" (default: the SLA policy\'s)'),
            Param("resolution", "Resolution target", help='its own, e.g. "3bd" (default: the SLA policy\'s)'),
        ),
    ),
    UseCase(
        "retire_request_type", "Retire request type", "retire a request type (no new requests; --undo: back)",
        lambda: _types().retire_request_type, subject=Subject.NONE, role=Role.ADMIN,
        command=("request", "type-retire"), printed="{name}: saved", record=type_record, names="name",
        console=TYPES_NOT_IN_CONSOLE, params=(
            Param("name", "Name", required=True, positional=True),
            Param("undo", "Bring it back", Kind.FLAG, default=False),
        ),
    ),
)
