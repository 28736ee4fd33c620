"""What a use case is, as plain data: its name, its parameters, who may run it, the service it calls.

The catalog (the other modules of this package) declares every use case once with these types;
the CLI's subcommands (cli/usecases.py), the console's dialogs, key bindings and command palette
(tui/actions.py) are all generated from those declarations, so a parameter added here is
reachable from both at once (tests/services/test_catalog.py walks the catalog to prove it).

Nothing here imports SQLAlchemy or a service module: `incidentdesk --help` and the console's
start-up read the catalog without paying for the database layer. Each use case names its service
through a small loader function whose import runs only when the use case runs (`invoke`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from incidentdesk.domain import lifecycle
from incidentdesk.domain.enums import Role, parse_enum
from incidentdesk.domain.errors import ValidationError


class Kind(StrEnum):
    """How a parameter is typed in, and so how the CLI parses it and the console asks for it."""

    TEXT = "text"          # one line
    AREA = "area"          # several lines (notes, summaries)
    CHOICE = "choice"      # a member of `enum` (a domain enum)
    FLAG = "flag"          # yes / no
    INT = "int"            # a whole number in [minimum, maximum]
    TIME = "time"          # a moment: ISO 8601, or YYYY-MM-DD HH:MM in the site time zone
    PERSON = "person"      # a login (the console offers the people list)
    GROUP = "group"        # a support group's name (the console offers the groups)
    CATEGORY = "category"  # a category path, Service/System/Application
    SERVICE = "service"    # a business service's name
    LIST = "list"          # several text values (CLI: the option given once per value)


class Subject(StrEnum):
    """What a use case acts on: the CLI takes its KEY as the first argument, the console the selection."""

    NONE = "none"
    INCIDENT = "incident"


@dataclass(frozen=True)
class Param:
    """One parameter of a use case: the keyword its service takes, and how people give it.

    `help` is shown by both front ends (CLI --help, the line under a console field); `placeholder`
    only by the console (inside an empty field). `suggest` is preselected in the console but not a
    default: a required parameter with a suggestion is still required on the command line (a script
    says what it means), while `default` is used by both when nothing is given.
    """

    name: str                                  # the service's keyword argument, the argparse dest, the field id
    label: str                                 # what people read, e.g. "Hand-off summary"
    kind: Kind = Kind.TEXT
    help: str = ""
    required: bool = False
    enum: type[StrEnum] | None = None          # CHOICE: the domain enum whose values are allowed
    choices: tuple[str, ...] = ()              # INT: the values offered, in the console's order
    default: Any = None
    suggest: Any = None
    flag: str | None = None                    # CLI spelling, when not --name-with-dashes
    positional: bool = False                   # CLI: a positional argument (e.g. `comment KEY TEXT`)
    minimum: int | None = None
    maximum: int | None = None
    placeholder: str = ""
    initial: str | None = None                 # console: prefilled from this attribute of the incident
    exclude: str | None = None                 # console: this attribute's value is left out of the picker
    presets: str | None = None                 # console: a pick list of configured values before the text

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def noun(self) -> str:
        """The label without its parenthesis, for messages: "CSAT (1-5)" -> "CSAT"."""
        return self.label.split(" (", 1)[0]

    def options(self) -> tuple[tuple[str, str], ...]:
        """(value, label) pairs a CHOICE or INT parameter offers, as people read them ("in progress")."""
        if self.enum is not None:
            return tuple((m.value, m.value.replace("_", " ")) for m in self.enum)
        return tuple((c, c) for c in self.choices)

    def convert(self, raw: Any, zone=None) -> Any:
        """The value the service gets, from what was typed: both front ends call this.

        Empty means "not given" (the default); choices, numbers and times are checked here, so the
        CLI and the console refuse the same things with the same message, naming this parameter.
        Required-ness and lengths are the service's to check (it is the last word for every caller).
        """
        if isinstance(raw, str) and self.kind is not Kind.AREA:
            raw = raw.strip()
        if raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, list | tuple) and not raw):
            return self.default
        if self.kind is Kind.FLAG:
            return bool(raw)
        if self.kind is Kind.INT:
            return self._number(raw)
        if self.kind is Kind.CHOICE:
            try:
                return parse_enum(self.enum, raw, self.noun.lower()).value
            except ValidationError as exc:
                raise ValidationError(str(exc), field=self.name) from None
        if self.kind is Kind.TIME:
            from incidentdesk.domain.moments import parse_moment

            return parse_moment(str(raw), zone, field=self.name, what=f"a time for {self.noun.lower()}")
        if self.kind is Kind.LIST:  # the CLI gives a list; a console dialog one value per line
            values = raw.splitlines() if isinstance(raw, str) else list(raw)
            return tuple(str(v).strip() for v in values if str(v).strip())
        return raw

    def _number(self, raw: Any) -> int:
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise ValidationError(f"{self.noun} must be a whole number, not {raw!r}", field=self.name) from None
        if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
            raise ValidationError(f"{self.noun} must be {self.minimum} to {self.maximum}, not {number}",
                                  field=self.name)
        return number


@dataclass(frozen=True)
class UseCase:
    """One thing a person can do, declared once.

    `service` returns the function to call, importing its module then (not at start-up); it is
    called as `fn(ctx, key, **params, expected_version=v)` on an incident, `fn(ctx, **params)`
    otherwise. An incident use case's `name` is also its lifecycle action (domain/lifecycle.py),
    which says whether it can succeed on an incident now. `role` is the least role that may run
    it: the service enforces it, and a test holds this declaration to the domain's rule.

    Console: `key` (None: no key; then `console` says why it is not in the console), `binding`
    when use cases share a key (hold/resume, declare/stand down: the binding id stays
    "incident.hold" so users' [keys] remaps keep working) and `when`, which of them the key means
    for an incident. `title` is the key bar's and the palette's label, `short` the key bar's when
    space is tight, `rank` which the key bar drops first (highest), `done` the notification.
    CLI: `command` words (None: console only), `printed` its plain output; `--json` prints `record`.
    """

    name: str
    title: str
    summary: str                                 # one line, for --help, `?`, the palette and tooltips
    service: Callable[[], Callable[..., Any]]
    params: tuple[Param, ...] = ()
    subject: Subject = Subject.INCIDENT
    role: Role = Role.RESPONDER
    command: tuple[str, ...] | None = None
    printed: str = "{key}: done"
    record: Callable[[Any, str], dict] | None = None   # (db, record key) -> the record as `show --json` prints it
    names: str | None = None                     # the parameter naming the record (otherwise the key or result)
    key: str | None = None
    binding: str | None = None
    when: Callable[[Any], bool] | None = None
    console: str = ""                            # why the console does not offer it (when key is None)
    short: str = ""
    rank: int = 50
    dialog_title: str = ""
    submit: str = "Save"
    done: str = "{key}: done"
    conflicts: bool = True                       # False: takes no expected_version (comments change nothing typed)
    origin: str | None = None                    # the service keyword told which front end asked (new: source)
    one_of: tuple[str, ...] = ()                 # at least one of these is needed: an error about one names all
    # console: first values of the dialog's fields by parameter name, from the incident (its detail) —
    # for what no single attribute holds (e.g. the previous stakeholder update's fields)
    prefill: Callable[[Any], dict[str, Any]] | None = None
    who: str = ""                                # who may run it, in words, where more than `role` decides
    # CLI: the result prints itself (its summary() and lines(); --json its to_json()): an import's report
    shows_result: bool = False

    @property
    def binding_name(self) -> str:
        """The console action's name and binding id suffix ("hold" for hold and resume)."""
        return self.binding or self.name

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def arguments(self, raw: dict[str, Any], zone=None) -> dict[str, Any]:
        """Keyword arguments for the service, from raw values keyed by parameter name.

        `zone`: the site time zone, for times typed without one.
        """
        return {p.name: p.convert(raw.get(p.name), zone) for p in self.params}

    def why_not(self, situation: lifecycle.Situation | None, actor=None, *, now=None,
                reopen_window=None) -> str | None:
        """None if it can succeed on the incident now (status, reopen window, role), else why not."""
        if self.subject is not Subject.INCIDENT or situation is None:
            return None
        return lifecycle.why_not(self.name, situation, actor, now=now, reopen_window=reopen_window)


@dataclass(frozen=True)
class Outcome:
    """What running a use case gave: the record it made or changed, and the values it was given."""

    use_case: UseCase
    key: str | None
    values: dict[str, Any] = field(default_factory=dict)
    result: Any = None

    def text(self, template: str, clean: Callable[[Any], str] = str) -> str:
        """`template` ("{key} resolved") filled in; `clean` makes each value fit for where it is shown."""
        fields = {name: clean(value) if value is not None else "" for name, value in self.values.items()}
        made = clean(self.result) if isinstance(self.result, str) else ""   # a record the use case made (PRB-…)
        return template.format(**fields, key=clean(self.key or ""), result=made)


def site_zone(config):
    """The site time zone (`[general] time_zone`) for times typed without one."""
    from zoneinfo import ZoneInfo

    return ZoneInfo(config.time_zone)


def invoke(uc: UseCase, ctx, raw: dict[str, Any], *, key: str | None = None,
           expected_version: int | None = None, origin: str | None = None) -> Outcome:
    """Run `uc` with raw values keyed by parameter name: the one path from both front ends to a service."""
    values = uc.arguments(raw, site_zone(ctx.config))
    kwargs = dict(values)
    if uc.origin is not None and origin is not None:
        kwargs[uc.origin] = origin
    fn = uc.service()
    if uc.subject is Subject.INCIDENT:
        if uc.conflicts:
            kwargs["expected_version"] = expected_version
        result = fn(ctx, key, **kwargs)
        return Outcome(uc, key, values, result)
    result = fn(ctx, **kwargs)
    named = values.get(uc.names) if uc.names else result if isinstance(result, str) else None
    return Outcome(uc, named, values, result)


def unique_names(use_cases: Sequence[UseCase]) -> dict[str, UseCase]:
    """The catalog by name; a name declared twice is a bug, caught at import."""
    by_name: dict[str, UseCase] = {}
    for uc in use_cases:
        if uc.name in by_name:
            raise RuntimeError(f"use case {uc.name!r} is declared twice")
        by_name[uc.name] = uc
    return by_name
