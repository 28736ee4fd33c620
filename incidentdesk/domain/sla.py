"""SLA policies: a response and a resolution target per priority, counted on a calendar.

A target is an amount of *working* time on the policy's calendar (see calendars.py): P1/P2
run 24x7 by default, P3/P4 on business hours (Mon-Fri 09:00-17:00 in the site time zone). A
"business day" is one working day of the calendar the target is counted on (8 h on the
default business calendar, 24 h on 24x7), and it stays a number of days until a policy puts
it on a calendar: the default "3 business days" of P3 are 24 working hours on business hours
and 72 on 24x7, exactly as an explicit "3bd" would be.

The `[sla]` table of incidentdesk.toml (every key optional):

    [sla]
    at_risk_share = 0.75                  # share of a target elapsed before it is "at risk"
    pausing_reasons = ["waiting for user", "waiting for vendor"]   # hold reasons that stop the clock
                                          # (whole reasons: "waiting for user: sent the form" pauses,
                                          #  "waiting for username reset tool" does not)
    reprioritise_from = "change"          # a new priority's targets count from the change, or
                                          # "start": from the incident's start (see on_reprioritised)

    [sla.calendars.business]              # "24x7" always exists; "business" is predefined
    time_zone = "Europe/London"           # default: the site time zone ([general] time_zone)
    days = ["mon", "tue", "wed", "thu", "fri"]        # or "mon-fri"
    hours = "09:00-17:00"
    holidays = ["2026-12-25", "2026-12-28"]

    [sla.P3]                              # one table per priority
    response = "4h"                       # "15m", "4h", "1.5h", "3bd" (business days), "2d" (= 2bd)
    resolution = "3bd"
    calendar = "business"
    # the older form still works: response_minutes = 240, resolution_minutes = 1440

    [[sla.policy]]                        # optional overrides by type and/or category
    priority = [3, 4]                     # omitted: any priority
    type = "request"                      # incident | request; omitted: any
    category = "Workplace"                # matches this category path and everything under it
    response = "1bd"
    resolution = "5bd"
    calendar = "business"

    [[sla.escalation]]                    # automatic escalations on SLA events
    on = "response_breached"              # response_at_risk | response_breached | resolution_...
    priority = [1]                        # omitted: any priority
    kind = "hierarchical"                 # or "functional" (then to_group is required)
    to_group = "Major Incident Team"      # hierarchical: whose manager (default: the incident's group)
    to_person = "duty-manager"            # optional; default: the group's manager
    summary = "P1 not acknowledged within its response target"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from incidentdesk.domain.calendars import (
    DEFAULT_BUSINESS, TWENTY_FOUR_SEVEN, Calendar, business_calendar, parse_calendar,
)
from incidentdesk.domain.errors import ValidationError

SLA_EVENTS = ("response_at_risk", "response_breached", "resolution_at_risk", "resolution_breached")
DEFAULT_PAUSING_REASONS = ("waiting for user", "waiting for vendor")
DEFAULT_AT_RISK_SHARE = 0.75


@dataclass(frozen=True)
class BusinessDays:
    """A target length in working days of whichever calendar the target ends up counted on."""

    days: float

    def on(self, calendar: Calendar) -> timedelta:
        return calendar.working_day * self.days


Span = timedelta | BusinessDays


def span_on(span: Span, calendar: Calendar) -> timedelta:
    """A target length as working time on `calendar` (business days take that calendar's day)."""
    return span.on(calendar) if isinstance(span, BusinessDays) else span


@dataclass(frozen=True)
class SlaTarget:
    """Targets for one priority: working time (or working days) on the named calendar."""

    response: Span
    resolution: Span
    calendar: str = "24x7"


DEFAULT_TARGETS: dict[int, SlaTarget] = {
    1: SlaTarget(timedelta(minutes=15), timedelta(hours=4), "24x7"),
    2: SlaTarget(timedelta(minutes=30), timedelta(hours=8), "24x7"),
    3: SlaTarget(timedelta(hours=4), BusinessDays(3), "business"),      # 4 h / 3 business days
    4: SlaTarget(BusinessDays(1), BusinessDays(5), "business"),         # 1 / 5 business days
}
REPRIORITISE_FROM = ("change", "start")

DEFAULT_CALENDARS: dict[str, Calendar] = {"24x7": TWENTY_FOUR_SEVEN, "business": DEFAULT_BUSINESS}


@dataclass(frozen=True)
class Policy:
    """The targets that apply to one incident."""

    name: str
    response: timedelta
    resolution: timedelta
    calendar: Calendar

    def target(self, which: str) -> timedelta:
        return self.response if which == "response" else self.resolution


@dataclass(frozen=True)
class PolicyOverride:
    priorities: frozenset[int] | None
    type: str | None
    category: str | None
    target: SlaTarget

    def matches(self, priority: int, type_: str | None, category: str | None) -> bool:
        if self.priorities is not None and priority not in self.priorities:
            return False
        if self.type is not None and (type_ or "").lower() != self.type:
            return False
        if self.category is not None:
            cat = (category or "").strip().lower()
            if not (cat == self.category or cat.startswith(self.category.rstrip("/") + "/")):
                return False
        return True


@dataclass(frozen=True)
class EscalationRule:
    on: str
    kind: str = "hierarchical"
    priorities: frozenset[int] | None = None
    types: frozenset[str] | None = None
    to_group: str | None = None
    to_person: str | None = None
    summary: str = ""

    def applies(self, event: str, priority: int, type_: str | None) -> bool:
        return (event == self.on and (self.priorities is None or priority in self.priorities)
                and (self.types is None or (type_ or "") in self.types))


@dataclass(frozen=True)
class SlaSettings:
    targets: dict[int, SlaTarget] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    calendars: dict[str, Calendar] = field(default_factory=lambda: dict(DEFAULT_CALENDARS))
    overrides: tuple[PolicyOverride, ...] = ()
    at_risk_share: float = DEFAULT_AT_RISK_SHARE
    pausing_reasons: tuple[str, ...] = DEFAULT_PAUSING_REASONS
    escalations: tuple[EscalationRule, ...] = ()
    reprioritise_from: str = "change"
    # policy_for's answers: the sweeper and the console's countdowns ask for the same few often.
    _policies: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def policy_for(self, priority: int, type_: str | None = None, category: str | None = None,
                   own: str | None = None) -> Policy:
        """The first matching [[sla.policy]] override, else the priority's targets.

        `own`: a service request's own targets, "4h/3bd" (incidents.sla_target: domain/requests.py),
        counted on the calendar the policy would use, so every reader agrees on the calendar.
        """
        key = (priority, type_, category, own)
        policy = self._policies.get(key)
        if policy is None:
            policy = self._policy_for(priority, type_, category)
            if own:
                policy = _own_policy(policy, own)
            if len(self._policies) >= 4096:
                self._policies.clear()
            self._policies[key] = policy
        return policy

    def _policy_for(self, priority: int, type_: str | None, category: str | None) -> Policy:
        target, name = None, f"P{priority}"
        for override in self.overrides:
            if override.matches(priority, type_, category):
                target, name = override.target, f"P{priority} ({type_ or 'any'}, {category or 'any'})"
                break
        if target is None:
            target = self.targets.get(priority) or self.targets.get(max(self.targets)) or DEFAULT_TARGETS[4]
        calendar = self.calendars.get(target.calendar)
        if calendar is None:
            raise ValidationError(f"SLA for {name} names an unknown calendar {target.calendar!r}; "
                                  f"known: {', '.join(sorted(self.calendars))}", field="calendar")
        return Policy(name=name, response=span_on(target.response, calendar),
                      resolution=span_on(target.resolution, calendar), calendar=calendar)

    def pauses(self, reason: str | None) -> bool:
        """Whether a hold for `reason` stops the clock: it IS a configured pausing reason.

        Whole reasons, compared without case or extra spaces, optionally followed by a colon and
        details ("Waiting for user: asked for the logs"). Never a prefix: "waiting for username
        reset tool" is not "waiting for user".
        """
        return normal_reason(reason) in self.pausing_reasons

    def rules_for(self, event: str, priority: int, type_: str | None) -> list[EscalationRule]:
        return [r for r in self.escalations if r.applies(event, priority, type_)]


def _own_policy(policy: Policy, own: str) -> Policy:
    """`policy` with a request type's own response / resolution spans ("4h/3bd"; "-": the policy's)."""
    response, _, resolution = own.partition("/")
    spans = {}
    for which, text in (("response", response), ("resolution", resolution)):
        if text and text != "-":
            spans[which] = span_on(parse_span(text, which), policy.calendar)
    if not spans:
        return policy
    return Policy(f"{policy.name.split(' ', 1)[0]} (request type {own})", spans.get("response", policy.response),
                  spans.get("resolution", policy.resolution), policy.calendar)


@dataclass(frozen=True)
class TargetClock:
    """One running target's two instants: when it turns at risk, and when it is breached."""

    which: str
    target: timedelta
    at_risk_at: datetime
    due_at: datetime


def normal_reason(reason: str | None) -> str:
    """A hold reason as pausing reasons are matched: the part before any ":", lower case, single spaces."""
    head = (reason or "").split(":", 1)[0]
    return " ".join(head.lower().split())


def plan(policy: Policy, which: str, start: datetime, paused: timedelta, share: float) -> TargetClock:
    """Deadlines counted from `start`, pushed out by the working time spent paused."""
    target = policy.target(which)
    calendar = policy.calendar
    return TargetClock(
        which=which, target=target,
        at_risk_at=calendar.add(start, target * share + paused),
        due_at=calendar.add(start, target + paused),
    )


# -- parsing ------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z ]*)\s*$")
_UNITS = {
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "bd": "d", "d": "d", "day": "d", "days": "d", "business day": "d", "business days": "d",
}


def parse_span(text: str | int | float, what: str) -> Span:
    """"15m", "4h", "3bd" (business days, kept as days until a calendar is known); a bare number is minutes."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return timedelta(minutes=float(text))
    match = _DURATION.match(str(text).lower())
    unit_text = match.group(2).strip() if match else None
    unit = "m" if unit_text == "" else _UNITS.get(unit_text or "")
    if unit is None:
        raise ValidationError(f"{what} {text!r} is not a duration: write e.g. \"15m\", \"4h\" or \"3bd\"", field=what)
    amount = float(match.group(1))
    if unit == "m":
        return timedelta(minutes=amount)
    if unit == "h":
        return timedelta(hours=amount)
    return BusinessDays(amount)


def _target_value(row: Mapping, which: str, base: Span, label: str) -> Span:
    if which in row:
        value = parse_span(row[which], f"{label}.{which}")
    elif f"{which}_minutes" in row:
        value = timedelta(minutes=float(row[f"{which}_minutes"]))
    elif f"{which}_hours" in row:
        value = timedelta(hours=float(row[f"{which}_hours"]))
    elif f"{which}_business_days" in row:
        value = BusinessDays(float(row[f"{which}_business_days"]))
    else:
        return base
    if (value.days <= 0) if isinstance(value, BusinessDays) else value <= timedelta(0):
        raise ValidationError(f"{label}.{which} must be more than zero", field=which)
    return value


def _target_from(row: Mapping, base: SlaTarget, calendars: Mapping[str, Calendar], label: str) -> SlaTarget:
    calendar_name = str(row.get("calendar", base.calendar))
    if calendar_name not in calendars:
        raise ValidationError(f"{label} names an unknown calendar {calendar_name!r}; "
                              f"known: {', '.join(sorted(calendars))}", field="calendar")
    return SlaTarget(
        response=_target_value(row, "response", base.response, label),
        resolution=_target_value(row, "resolution", base.resolution, label),
        calendar=calendar_name,
    )


def calendars_from_config(table: Mapping | None, time_zone: str = "UTC") -> dict[str, Calendar]:
    """The configured calendars over the built-in ones; "business" and any calendar without a
    `time_zone` run in `time_zone` (the site's)."""
    calendars = {"24x7": TWENTY_FOUR_SEVEN, "business": business_calendar(time_zone)}
    for name, row in ((table or {}).get("calendars") or {}).items():
        if not isinstance(row, Mapping):
            raise ValidationError(f"[sla.calendars.{name}] must be a table", field="calendars")
        calendars[str(name)] = parse_calendar(str(name), row, default_zone=time_zone)
    return calendars


def _priority_key(name: str) -> int | None:
    match = re.fullmatch(r"[Pp]?(\d+)", str(name))
    return int(match.group(1)) if match else None


def targets_from_config(table: Mapping | None, calendars: Mapping[str, Calendar] | None = None) -> dict[int, SlaTarget]:
    """The `[sla.P1]`... tables; missing values keep the defaults. Other keys of [sla] are skipped."""
    calendars = calendars if calendars is not None else calendars_from_config(table)
    targets = dict(DEFAULT_TARGETS)
    for name, row in (table or {}).items():
        prio = _priority_key(name)
        if prio is None or not isinstance(row, Mapping):
            continue
        base = targets.get(prio, DEFAULT_TARGETS[4])
        targets[prio] = _target_from(row, base, calendars, f"[sla.P{prio}]")
    return targets


def _int_set(value, what: str) -> frozenset[int] | None:
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    out = set()
    for v in values:
        prio = _priority_key(str(v))
        if prio is None:
            raise ValidationError(f"{what}: {v!r} is not a priority (write 1 or \"P1\")", field="priority")
        out.add(prio)
    return frozenset(out)


def settings_from_config(table: Mapping | None, targets: Mapping[int, SlaTarget] | None = None, *,
                         time_zone: str = "UTC") -> SlaSettings:
    """All SLA settings from the `[sla]` table (see the module docstring for the format); `time_zone`
    is the site's, for the built-in business calendar and calendars that name none."""
    table = table or {}
    calendars = calendars_from_config(table, time_zone)
    targets = dict(targets) if targets is not None else targets_from_config(table, calendars)
    for prio, target in targets.items():
        if target.calendar not in calendars:
            raise ValidationError(f"SLA for P{prio} names an unknown calendar {target.calendar!r}", field="calendar")
    share = float(table.get("at_risk_share", DEFAULT_AT_RISK_SHARE))
    if not 0 < share <= 1:
        raise ValidationError(f"[sla] at_risk_share must be between 0 and 1, not {share}", field="at_risk_share")
    reprioritise_from = str(table.get("reprioritise_from", "change")).strip().lower()
    if reprioritise_from not in REPRIORITISE_FROM:
        raise ValidationError(f"[sla] reprioritise_from = {reprioritise_from!r}; use \"change\" (a new priority's "
                              "targets start when it changes) or \"start\" (from the incident's start)",
                              field="reprioritise_from")
    reasons = table.get("pausing_reasons", list(DEFAULT_PAUSING_REASONS))
    if isinstance(reasons, str):
        reasons = [reasons]
    overrides = []
    for i, row in enumerate(table.get("policy", []) or []):
        label = f"[[sla.policy]] #{i + 1}"
        prios = _int_set(row.get("priority"), label)
        base = targets.get(min(prios)) if prios else DEFAULT_TARGETS[4]
        overrides.append(PolicyOverride(
            priorities=prios,
            type=str(row["type"]).lower() if row.get("type") else None,
            category=str(row["category"]).strip().lower() if row.get("category") else None,
            target=_target_from(row, base or DEFAULT_TARGETS[4], calendars, label),
        ))
    rules = []
    for i, row in enumerate(table.get("escalation", []) or []):
        label = f"[[sla.escalation]] #{i + 1}"
        on = str(row.get("on", "")).strip().lower()
        if on not in SLA_EVENTS:
            raise ValidationError(f"{label}: on = {on!r}; use one of {', '.join(SLA_EVENTS)}", field="on")
        kind = str(row.get("kind", "hierarchical")).strip().lower()
        if kind not in ("hierarchical", "functional"):
            raise ValidationError(f"{label}: kind must be hierarchical or functional", field="kind")
        if kind == "functional" and not row.get("to_group"):
            raise ValidationError(f"{label}: a functional escalation needs to_group", field="to_group")
        types = row.get("type")
        rules.append(EscalationRule(
            on=on, kind=kind, priorities=_int_set(row.get("priority"), label),
            types=frozenset([types] if isinstance(types, str) else types) if types else None,
            to_group=row.get("to_group"), to_person=row.get("to_person"), summary=str(row.get("summary", "")),
        ))
    return SlaSettings(
        targets=targets, calendars=calendars, overrides=tuple(overrides), at_risk_share=share,
        pausing_reasons=tuple(normal_reason(str(r)) for r in reasons if normal_reason(str(r))),
        escalations=tuple(rules), reprioritise_from=reprioritise_from,
    )
