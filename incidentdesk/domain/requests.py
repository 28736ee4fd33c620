"""Service requests, as rules: a request type's intake fields, its approver, its own SLA targets.

A service request (REQ-…) is an incident row of type "request" (domain/keys.py) that keeps the
incident lifecycle (acknowledge, assign, hold, resolve, close) and adds what its *request type*
says: the fields asked at intake, the fulfilment checklist, whether someone must approve it
first, its own response / resolution targets and the group it routes to. The types are managed
data (store/request_models.py, `incidentdesk request type-add`); this module holds the rules
about them that need no database: parsing a field definition as typed on the command line,
checking a request's values against its type's fields, parsing who approves, and the text form
of a type's own SLA targets that the request carries (incidents.sla_target, read by domain/sla.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import PermissionDenied, ValidationError
from incidentdesk.domain.roles import RANK, Actor

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_FIELDS = 30
MAX_STEPS = 30
MAX_VALUE = 2000


class Approval:
    """The states of a request's approval (service_requests.approval)."""

    NOT_REQUIRED = "not_required"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class FieldDef:
    """One intake field of a request type: its name (the --field NAME=), label, required-ness, choices."""

    name: str
    label: str
    required: bool = False
    choices: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"name": self.name, "label": self.label, "required": self.required, "choices": list(self.choices)}

    @classmethod
    def from_json(cls, data: dict) -> FieldDef:
        return cls(str(data["name"]), str(data.get("label") or data["name"]), bool(data.get("required")),
                   tuple(str(c) for c in data.get("choices") or ()))

    def spec(self) -> str:
        """The command-line form this field is typed in (parse_field's input)."""
        return (f"{self.name}{'*' if self.required else ''}:{self.label}"
                + (f"={'|'.join(self.choices)}" if self.choices else ""))


def check_name(name: str, what: str = "request type name") -> str:
    text = (name or "").strip().lower()
    if not NAME.match(text):
        raise ValidationError(f"{what} {name!r} must be lower-case letters, digits, - or _ (e.g. password-reset)",
                              field="name")
    return text


def parse_field(spec: str) -> FieldDef:
    """`NAME[*][:Label][=choice|choice…]`: `*` makes it required, e.g. `app*:Application=Office|Visio`."""
    text = (spec or "").strip()
    choices: tuple[str, ...] = ()
    if "=" in text:
        text, _, listed = text.partition("=")
        choices = tuple(c.strip() for c in listed.split("|") if c.strip())
        if not choices:
            raise ValidationError(f"field {spec!r}: list its choices after '=', separated by '|'", field="field")
    name, _, label = text.partition(":")
    name = name.strip()
    required = name.endswith("*")
    name = check_name(name.rstrip("*"), "field name")
    return FieldDef(name, label.strip() or name.replace("_", " ").replace("-", " ").capitalize(), required, choices)


def parse_fields(specs) -> tuple[FieldDef, ...]:
    fields = tuple(parse_field(s) for s in specs or ())
    names = [f.name for f in fields]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValidationError(f"field {twice[0]!r} is defined twice", field="field")
    if len(fields) > MAX_FIELDS:
        raise ValidationError(f"a request type has at most {MAX_FIELDS} fields", field="field")
    return fields


def parse_values(pairs) -> dict[str, str]:
    """`name=value` pairs as typed (--field given once per value) into a dict; a pair without '=' is refused."""
    values: dict[str, str] = {}
    for pair in pairs or ():
        name, sep, value = str(pair).partition("=")
        if not sep or not name.strip():
            raise ValidationError(f"field {pair!r}: give it as NAME=VALUE", field="field")
        values[name.strip().lower()] = value.strip()
    return values


def check_values(type_name: str, fields: tuple[FieldDef, ...], values: dict[str, str]) -> dict[str, str]:
    """The values a request of this type keeps (in its fields' order); one line naming what is wrong.

    Unknown names are refused with the type's field names (a typo must not be dropped silently),
    a missing required field names its label and its NAME, a value outside the choices lists them.
    """
    known = {f.name: f for f in fields}
    for name in values:
        if name not in known:
            listed = ", ".join(known) or "none"
            raise ValidationError(f"unknown field {name!r} for request type {type_name}; its fields: {listed}",
                                  field="field")
    kept: dict[str, str] = {}
    for f in fields:
        value = (values.get(f.name) or "").strip()
        if not value:
            if f.required:
                raise ValidationError(f"request type {type_name} needs the field {f.name!r} ({f.label})",
                                      field="field")
            continue
        if len(value) > MAX_VALUE:
            raise ValidationError(f"field {f.name!r} is longer than {MAX_VALUE} characters", field="field")
        if f.choices:
            match = next((c for c in f.choices if c.lower() == value.lower()), None)
            if match is None:
                raise ValidationError(f"field {f.name!r} must be one of {', '.join(f.choices)}, not {value!r}",
                                      field="field")
            value = match
        kept[f.name] = value
    return kept


# --- approvals ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Approver:
    """Who approves requests of a type: nobody, anyone holding a role (or higher), or a group's manager.

    `group` None with kind "manager" means the manager of the group the request is routed to.
    """

    kind: str = "none"          # none | role | manager
    role: Role | None = None
    group: str | None = None

    @property
    def required(self) -> bool:
        return self.kind != "none"

    def text(self) -> str:
        if self.kind == "role":
            return f"role:{self.role.value}"
        if self.kind == "manager":
            return f"manager:{self.group}" if self.group else "manager"
        return "none"

    def words(self, routed_group: str | None = None) -> str:
        if self.kind == "role":
            article = "an" if self.role.label[0] in "aeiou" else "a"
            return f"{article} {self.role.label} (or higher)"
        if self.kind == "manager":
            group = self.group or routed_group
            return f"the manager of {group}" if group else "the manager of its group"
        return "nobody"


def parse_approver(text: str | None) -> Approver:
    """"none"/"", "role:incident_manager" (or a bare role name), "manager", "manager:GROUP"."""
    raw = (text or "").strip()
    if raw.lower() in ("", "none", "no"):
        return Approver()
    head, _, rest = raw.partition(":")
    head = head.strip().lower()
    if head == "manager":
        return Approver("manager", group=rest.strip() or None)
    role_text = rest.strip() if head == "role" else raw
    for role in Role:
        if role_text.lower().replace(" ", "_").replace("-", "_") == role.value:
            return Approver("role", role=role)
    roles = ", ".join(r.value for r in Role)
    raise ValidationError(f"approval {raw!r}: use none, manager, manager:GROUP or role:ROLE ({roles})",
                          field="approval")


def require_approver(actor: Actor, approver: Approver, *, key: str, reporter: str | None,
                     manager: str | None, doing: str) -> None:
    """Refuse unless `actor` may approve (or reject) this request; the requester never approves their own."""
    if approver.kind == "none":
        return
    if reporter is not None and actor.login == reporter:
        raise PermissionDenied(f"you may not {doing} {key}: you raised it (someone else approves)")
    if approver.kind == "role":
        if RANK[actor.role] < RANK[approver.role]:
            raise PermissionDenied(f"you may not {doing} {key}: it needs {approver.words()}")
        return
    if manager is None:
        raise PermissionDenied(f"you may not {doing} {key}: its group has no manager to approve it "
                               f"(groups add NAME --manager LOGIN)")
    if actor.login != manager:
        raise PermissionDenied(f"you may not {doing} {key}: only {manager}, the group's manager, may")


# --- the type's own SLA targets ----------------------------------------------------------------

def target_text(response: str | None, resolution: str | None) -> str | None:
    """What a request carries in incidents.sla_target: "4h/3bd" (either may be "-": the policy's)."""
    if not response and not resolution:
        return None
    return f"{response or '-'}/{resolution or '-'}"


def split_target(text: str | None) -> tuple[str | None, str | None]:
    if not text or "/" not in text:
        return None, None
    response, _, resolution = text.partition("/")
    return (None if response in ("", "-") else response), (None if resolution in ("", "-") else resolution)
