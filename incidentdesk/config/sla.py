"""`[sla]`: targets per priority, calendars, overrides by type/category, automatic escalations.

The format is described in domain/sla.py's docstring; this module holds it to a schema (every
key known, every value checked where it is read) and fills in the defaults, so that `config
show` prints the targets in effect. Legacy forms (`response_minutes`, ...) are accepted and
shown in the current one (`response = "240m"`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from incidentdesk.config.base import Section, bad, choice, doc, domain_check, non_empty, set_field
from incidentdesk.domain.calendars import parse_calendar
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.priority import parse_priority
from incidentdesk.domain.sla import (
    DEFAULT_AT_RISK_SHARE, DEFAULT_PAUSING_REASONS, DEFAULT_TARGETS, REPRIORITISE_FROM, SLA_EVENTS, BusinessDays,
    parse_span,
)

Span = str | int | float
BUILT_IN_CALENDARS = ("24x7", "business")


def span_text(span) -> str:
    """A target length as it is written in the file: "15m", "4h", "3bd"."""
    if isinstance(span, BusinessDays):
        return f"{span.days:g}bd"
    minutes = span.total_seconds() / 60
    return f"{minutes / 60:g}h" if minutes % 60 == 0 else f"{minutes:g}m"


def _check_span(key: str, value) -> str:
    span = domain_check(key, value, lambda v: parse_span(v, key))
    if (span.days <= 0) if isinstance(span, BusinessDays) else span <= dt.timedelta(0):
        raise bad(key, value, "must be more than zero")
    return span_text(span)


class Target(Section):
    """Response and resolution targets, and the calendar they are counted on."""

    response: Annotated[Span | None, doc('time to acknowledge: "15m", "4h", "1.5h", "3bd" (business days)')] = None
    resolution: Annotated[Span | None, doc('time to resolve, as response')] = None
    calendar: Annotated[str | None, doc('"24x7", "business" or a name under [sla.calendars]')] = None
    response_minutes: Annotated[float | None, doc("older form of response (minutes)")] = None
    resolution_minutes: Annotated[float | None, doc("older form of resolution (minutes)")] = None
    response_hours: Annotated[float | None, doc("older form of response (hours)")] = None
    resolution_hours: Annotated[float | None, doc("older form of resolution (hours)")] = None
    response_business_days: Annotated[float | None, doc("older form of response (business days)")] = None
    resolution_business_days: Annotated[float | None, doc("older form of resolution (business days)")] = None

    def __post_init__(self) -> None:
        for which in ("response", "resolution"):
            value = getattr(self, which)
            if value is None:  # the older forms, shown in the current one
                for suffix, unit in (("minutes", "m"), ("hours", "h"), ("business_days", "bd")):
                    legacy = getattr(self, f"{which}_{suffix}")
                    if legacy is not None:
                        value = _check_span(f"{which}_{suffix}", f"{legacy:g}{unit}")
                        break
            elif isinstance(value, bool):
                raise bad(which, value, 'use a duration such as "15m", "4h" or "3bd"')
            else:
                value = _check_span(which, value)
            set_field(self, which, value)
            for suffix in ("minutes", "hours", "business_days"):
                set_field(self, f"{which}_{suffix}", None)
        non_empty(self, "calendar")

    def filled(self, default: Target) -> Target:
        return Target(response=self.response or default.response, resolution=self.resolution or default.resolution,
                      calendar=self.calendar or default.calendar)


def _default_target(priority: int) -> Target:
    t = DEFAULT_TARGETS[priority]
    return Target(response=span_text(t.response), resolution=span_text(t.resolution), calendar=t.calendar)


def _priorities(key: str, value) -> None:
    if value is None:
        return
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, bool):
            raise bad(key, value, 'use priorities: 1 or "P1" (or a list of them)')
        try:
            parse_priority(v)
        except ValidationError:
            raise bad(key, value, 'use priorities: 1 or "P1" (or a list of them)') from None


Priorities = Annotated[int | str | list[int | str] | None, doc('1 or "P1", or a list; omitted: any priority')]


class Policy(Target):
    """`[[sla.policy]]`: targets for incidents of some priorities, type and/or category (first match wins)."""

    priority: Priorities = None
    type: Annotated[str | None, doc('"incident" or "request"; omitted: any')] = None
    category: Annotated[str | None, doc("this category path and everything under it; omitted: any")] = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _priorities("priority", self.priority)
        choice(self, "type", ("incident", "request"))
        non_empty(self, "category")


class Escalation(Section):
    """`[[sla.escalation]]`: an automatic escalation when an SLA event happens."""

    on: Annotated[str, doc(", ".join(SLA_EVENTS))]
    priority: Priorities = None
    type: Annotated[str | list[str] | None, doc('"incident", "request" or a list; omitted: any')] = None
    kind: Annotated[str, doc('"hierarchical" or "functional" (then to_group is required)')] = "hierarchical"
    to_group: Annotated[str | None, doc("functional: the group it moves to; hierarchical: whose manager")] = None
    to_person: Annotated[str | None, doc("who is asked (default: the group's manager)")] = None
    summary: Annotated[str, doc("the hand-off summary recorded")] = ""

    def __post_init__(self) -> None:
        choice(self, "on", SLA_EVENTS)
        choice(self, "kind", ("hierarchical", "functional"))
        _priorities("priority", self.priority)
        non_empty(self, "to_group")
        non_empty(self, "to_person")
        if self.kind == "functional" and not self.to_group:
            raise bad("kind", self.kind, "a functional escalation needs to_group")


class Calendar(Section):
    """`[sla.calendars.NAME]`: working days and hours, a time zone and holidays."""

    type: Annotated[str | None, doc('"24x7" (always runs) or "business" (the default: working hours)')] = None
    days: Annotated[list[str] | str, doc('["mon", "tue", ...] or "mon-fri"')] = msgspec.field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    hours: Annotated[str | None, doc('"09:00-17:00" (or start and end)')] = None
    start: Annotated[str | None, doc('"09:00"')] = None
    end: Annotated[str | None, doc('"17:00"')] = None
    holidays: Annotated[list[dt.date], doc('["2026-12-25", ...]')] = []
    time_zone: Annotated[str | None, doc("IANA zone (default: [general] time_zone)")] = None
    timezone: Annotated[str | None, doc("older spelling of time_zone")] = None

    def __post_init__(self) -> None:
        choice(self, "type", ("24x7", "always", "business"))
        if self.timezone is not None and self.time_zone is None:
            set_field(self, "time_zone", self.timezone)
        set_field(self, "timezone", None)
        table = {k: v for k, v in msgspec.structs.asdict(self).items() if v is not None}
        try:
            parse_calendar("x", table)
        except ValidationError as exc:
            key = exc.field if exc.field in table else ("hours" if exc.field in ("start", "end") else "days")
            raise bad(key if key in table else "time_zone", table.get(key, self.time_zone), str(exc)) from None
        except ValueError as exc:
            raise bad("time_zone", self.time_zone, str(exc)) from None


class Sla(Section):
    at_risk_share: Annotated[float, msgspec.Meta(gt=0, le=1), doc(
        "share of a target elapsed before it is at risk")] = DEFAULT_AT_RISK_SHARE
    pausing_reasons: Annotated[list[str] | str, doc(
        "hold reasons that stop the clock (whole reasons, optionally followed by ': details')")] = msgspec.field(
        default_factory=lambda: list(DEFAULT_PAUSING_REASONS))
    reprioritise_from: Annotated[str, doc(
        '"change": a new priority\'s targets start when it changes; "start": from the incident\'s start')] = "change"
    calendars: Annotated[dict[str, Calendar], doc('[sla.calendars.NAME]; "24x7" and "business" are built in')] = {}
    P1: Annotated[Target, doc("targets for P1")] = _default_target(1)
    P2: Annotated[Target, doc("targets for P2")] = _default_target(2)
    P3: Annotated[Target, doc("targets for P3")] = _default_target(3)
    P4: Annotated[Target, doc("targets for P4")] = _default_target(4)
    policy: Annotated[list[Policy], doc("[[sla.policy]] overrides, first match wins")] = []
    escalation: Annotated[list[Escalation], doc("[[sla.escalation]] rules")] = []

    def __post_init__(self) -> None:
        choice(self, "reprioritise_from", REPRIORITISE_FROM)
        if isinstance(self.pausing_reasons, str):
            set_field(self, "pausing_reasons", [self.pausing_reasons])
        known = (*BUILT_IN_CALENDARS, *self.calendars)
        for p in (1, 2, 3, 4):
            target = getattr(self, f"P{p}").filled(_default_target(p))
            set_field(self, f"P{p}", target)
            if target.calendar not in known:
                raise bad(f"P{p}/calendar", target.calendar, "unknown calendar; use one of "
                          + ", ".join(f'"{c}"' for c in known))
        for i, policy in enumerate(self.policy):
            if policy.calendar is not None and policy.calendar not in known:
                raise bad(f"policy[{i}]/calendar", policy.calendar, "unknown calendar; use one of "
                          + ", ".join(f'"{c}"' for c in known))
