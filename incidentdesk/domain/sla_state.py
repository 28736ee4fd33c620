"""SLA states per target, when they next change, and the countdown a console shows.

Each target (response, resolution) is on track, at risk (a share of the target elapsed),
breached (the due instant passed while it ran) or met (stopped in time). The state only moves
forward while a target runs; a stop (acknowledge, resolve) freezes it as met or breached.
Nothing here reads a clock: callers pass `now`, so tests move time explicitly.

What is recorded never depends on when the sweeper happened to look: a target found already
past due whose at-risk instant was never recorded gets both changes, at risk at its own
instant and then breached, and so the rules of both fire (a sweeper that was down for an hour
catches up exactly as one that never stopped would have).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from incidentdesk.domain.calendars import Calendar
from incidentdesk.domain.sla import SlaSettings, TargetClock, plan

TARGETS = ("response", "resolution")


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


RANK = {SlaState.ON_TRACK: 0, SlaState.AT_RISK: 1, SlaState.BREACHED: 2, SlaState.MET: 0}


def state_at(clock: TargetClock, instant: datetime) -> SlaState:
    """A running target's state at `instant` (the due instant itself counts as breached)."""
    if instant >= clock.due_at:
        return SlaState.BREACHED
    if instant >= clock.at_risk_at:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


def next_change(clock: TargetClock, state: SlaState) -> datetime | None:
    """When a running target in `state` next changes state, if ever."""
    if state is SlaState.ON_TRACK:
        return min(clock.at_risk_at, clock.due_at)
    if state is SlaState.AT_RISK:
        return clock.due_at
    return None


def stopped_state(due_at: datetime, stopped_at: datetime, persisted: SlaState | str) -> SlaState:
    """The final state of a target stopped at `stopped_at`: met if in time, else breached."""
    if SlaState(persisted) is SlaState.BREACHED or stopped_at >= due_at:
        return SlaState.BREACHED
    return SlaState.MET


@dataclass(frozen=True)
class SlaFacts:
    """What the clock needs to know about one incident (a plain copy of its columns)."""

    created_at: datetime
    priority: int
    type: str | None
    category: str | None
    is_open: bool
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    paused_at: datetime | None
    paused_seconds: float
    response_state: str
    resolution_state: str
    started_at: datetime | None = None   # when the running targets count from; None: created_at
    own: str | None = None               # a service request's own targets (incidents.sla_target)


def is_running(facts: SlaFacts, which: str) -> bool:
    if not facts.is_open or facts.resolved_at is not None:
        return False
    return which == "resolution" or facts.acknowledged_at is None


@dataclass(frozen=True)
class Transition:
    which: str
    before: SlaState
    after: SlaState
    at: datetime          # the instant the new state was reached (at-risk instant or due instant)
    due_at: datetime

    @property
    def event(self) -> str:
        """The SLA event name escalation rules listen for, e.g. "response_breached"."""
        return f"{self.which}_{self.after.value}"


@dataclass(frozen=True)
class Assessment:
    clocks: dict[str, TargetClock]        # running targets only
    states: dict[str, SlaState]           # running targets, after the transitions
    transitions: tuple[Transition, ...]   # state changes not yet recorded, in time order
    next_check_at: datetime | None        # next change once the transitions are recorded

    @property
    def pending_since(self) -> datetime | None:
        return min((t.at for t in self.transitions), default=None)

    @property
    def check_at(self) -> datetime | None:
        """What `next_sla_check_at` should hold if the transitions are left to the sweeper."""
        return self.pending_since if self.transitions else self.next_check_at


def catch_up(clock: TargetClock, persisted: SlaState, computed: SlaState) -> list[Transition]:
    """The changes from `persisted` to `computed`, each at its own instant: at risk, then breached."""
    out = []
    if RANK[computed] <= RANK[persisted]:
        return out
    if persisted is SlaState.ON_TRACK and clock.at_risk_at < clock.due_at:
        out.append(Transition(clock.which, SlaState.ON_TRACK, SlaState.AT_RISK, clock.at_risk_at, clock.due_at))
        persisted = SlaState.AT_RISK
    if computed is SlaState.BREACHED:
        out.append(Transition(clock.which, persisted, SlaState.BREACHED, clock.due_at, clock.due_at))
    return out


def describe(transition: Transition, policy_name: str) -> str:
    """The timeline line of an SLA change, e.g. "response target breached (P1, due 2026-11-23 09:15 UTC)"."""
    due = transition.due_at.isoformat(" ", "minutes")[:16] + " UTC"   # "%Y-%m-%d %H:%M UTC", cheaper
    if transition.after is SlaState.BREACHED:
        return f"{transition.which} target breached ({policy_name}, due {due})"
    return f"{transition.which} target at risk ({policy_name}, due {due})"


def assess(settings: SlaSettings, facts: SlaFacts, now: datetime) -> Assessment:
    """Compare each running target's persisted state with its state at `now`.

    A paused clock is assessed at the moment it paused (time stands still) and never asks to
    be checked again until it resumes. States never move backwards here.
    """
    policy = settings.policy_for(facts.priority, facts.type, facts.category, facts.own)
    paused = timedelta(seconds=facts.paused_seconds or 0.0)
    instant = min(now, facts.paused_at) if facts.paused_at is not None else now
    clocks, states, transitions, nexts = {}, {}, [], []
    for which in TARGETS:
        if not is_running(facts, which):
            continue
        clock = plan(policy, which, facts.started_at or facts.created_at, paused, settings.at_risk_share)
        persisted = SlaState(getattr(facts, f"{which}_state") or SlaState.ON_TRACK)
        if persisted is SlaState.MET:
            persisted = SlaState.ON_TRACK
        computed = state_at(clock, instant)
        transitions += catch_up(clock, persisted, computed)
        state = computed if RANK[computed] > RANK[persisted] else persisted
        clocks[which], states[which] = clock, state
        if facts.paused_at is None:
            upcoming = next_change(clock, state)
            if upcoming is not None:
                nexts.append(upcoming)
    transitions.sort(key=lambda t: t.at)
    return Assessment(clocks, states, tuple(transitions), min(nexts, default=None))


# -- the console's countdown, computed from memory every second ---------------------------

@dataclass(frozen=True)
class Countdown:
    which: str            # "response" until acknowledged, then "resolution"
    state: SlaState
    seconds: float        # working time left until due (negative: overdue); frozen while paused or stopped
    due_at: datetime
    paused: bool = False
    running: bool = True
    stopped_at: datetime | None = None    # a stopped target: when (acknowledged / resolved)
    breached_at: datetime | None = None   # a stopped breached target: the recorded breach
    business: bool = False                # counted on a business-hours calendar (not wall time)

    @property
    def text(self) -> str:
        if not self.running:
            return self.state.label
        body = format_duration(self.seconds, days=not self.business)
        return f"paused {body}" if self.paused else body

    def brief(self) -> str:
        """In words, for `incidentdesk list`: "met", "at risk, 1h02m business hours left", "breached, 5m00s over"."""
        if not self.running:
            return self.state.label
        hours = " business hours" if self.business else ""
        amount = format_duration(abs(self.seconds), days=not self.business)
        left = f"{amount}{hours} over" if self.seconds < 0 else f"{amount}{hours} left"
        state = f"{self.state.label}, paused" if self.paused else self.state.label
        return f"{state}, {left}"

    def describe(self) -> str:
        """brief() with the instants, for `incidentdesk show`: "..., due 2026-11-23 17:00 UTC"."""
        due = f"due {self.due_at:%Y-%m-%d %H:%M} UTC"
        if self.running:
            return f"{self.brief()}, {due}"
        if self.state is SlaState.BREACHED:
            return f"breached {(self.breached_at or self.due_at):%Y-%m-%d %H:%M} UTC ({due})"
        when = f" {self.stopped_at:%Y-%m-%d %H:%M} UTC" if self.stopped_at else ""
        return f"{self.state.label}{when} ({due})"


def format_duration(seconds: float, days: bool = True) -> str:
    """Compact, fixed-ish width: "45s", "12m03s", "3h04m", "2d03h"; negative means overdue.

    `days=False` for working time, which never reads as days: 39 business hours are "39h00m"
    (about five working days), not "1d15h".
    """
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    whole_days, rest = divmod(total, 86400) if days else (0, total)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if whole_days:
        return f"{sign}{whole_days}d{hours:02d}h"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m{secs:02d}s"
    return f"{sign}{secs}s"


def _left(calendar: Calendar | None, since: datetime, due: datetime) -> float:
    if calendar is None:
        return (due - since).total_seconds()
    return calendar.working_left(since, due).total_seconds()


def target_countdown(now: datetime, which: str, *, acknowledged_at: datetime | None, resolved_at: datetime | None,
                     due_at: datetime, state: str = "on_track", breached_at: datetime | None = None,
                     paused_at: datetime | None = None, next_sla_check_at: datetime | None = None,
                     is_open: bool = True, calendar: Calendar | None = None) -> Countdown:
    """One target's countdown from the columns a queue row or a detail holds (no query).

    The time left is working time on `calendar` (none given: wall time): 4 business hours left
    on a Friday afternoon read "4h00m", not the wall-clock time until Monday. Between sweeps the
    state is brought forward locally: past the due instant it shows breached; past
    `next_sla_check_at` (pass it only for the target it belongs to) an on-track target shows at risk.
    """
    persisted = SlaState(state or SlaState.ON_TRACK)
    business = calendar is not None and not calendar.is_24x7
    stopped_at = acknowledged_at if which == "response" else None
    stopped_at = stopped_at or resolved_at
    if stopped_at is not None or not is_open:
        stop = stopped_at or now
        final = persisted if persisted in (SlaState.MET, SlaState.BREACHED) else stopped_state(due_at, stop, persisted)
        return Countdown(which, final, (due_at - stop).total_seconds(), due_at, running=False,
                         stopped_at=stopped_at, breached_at=breached_at or (due_at if final is SlaState.BREACHED else None),
                         business=business)
    if paused_at is not None:
        return Countdown(which, persisted, _left(calendar, paused_at, due_at), due_at, paused=True, business=business)
    shown = persisted
    if now >= due_at:
        shown = SlaState.BREACHED
    elif shown is SlaState.ON_TRACK and next_sla_check_at is not None and now >= next_sla_check_at:
        shown = SlaState.AT_RISK
    return Countdown(which, shown, _left(calendar, now, due_at), due_at, business=business)


def countdown(now: datetime, *, acknowledged_at: datetime | None, resolved_at: datetime | None,
              response_due_at: datetime, resolution_due_at: datetime,
              response_state: str = "on_track", resolution_state: str = "on_track",
              paused_at: datetime | None = None, next_sla_check_at: datetime | None = None,
              is_open: bool = True, calendar: Calendar | None = None) -> Countdown:
    """The countdown for the target that matters now: the response until acknowledged, then the resolution."""
    which = "response" if acknowledged_at is None and resolved_at is None else "resolution"
    return target_countdown(
        now, which, acknowledged_at=acknowledged_at, resolved_at=resolved_at,
        due_at=response_due_at if which == "response" else resolution_due_at,
        state=response_state if which == "response" else resolution_state, paused_at=paused_at,
        next_sla_check_at=next_sla_check_at, is_open=is_open, calendar=calendar)


def countdowns_of(item, now: datetime, calendar: Calendar | None = None) -> dict[str, Countdown]:
    """Both targets' countdowns from anything holding an incident's SLA columns (a queue row, a detail)."""
    resolved_at = getattr(item, "resolved_at", None)
    current = "response" if item.acknowledged_at is None and resolved_at is None else "resolution"
    return {which: target_countdown(
        now, which, acknowledged_at=item.acknowledged_at, resolved_at=resolved_at,
        due_at=getattr(item, f"{which}_due_at"), state=getattr(item, f"{which}_sla_state"),
        breached_at=getattr(item, f"{which}_breached_at", None), paused_at=item.sla_paused_at,
        next_sla_check_at=item.next_sla_check_at if which == current else None, is_open=item.is_open,
        calendar=calendar) for which in TARGETS}


def current_countdown(item, now: datetime, calendar: Calendar | None = None) -> Countdown:
    """The countdown of the target that matters now, from anything holding an incident's SLA columns
    (a queue row, a detail): the response until acknowledged, then the resolution (no query)."""
    return countdown(
        now, acknowledged_at=item.acknowledged_at, resolved_at=getattr(item, "resolved_at", None),
        response_due_at=item.response_due_at, resolution_due_at=item.resolution_due_at,
        response_state=item.response_sla_state, resolution_state=item.resolution_sla_state,
        paused_at=item.sla_paused_at, next_sla_check_at=item.next_sla_check_at, is_open=item.is_open,
        calendar=calendar)


def calendar_of(settings: SlaSettings, item) -> Calendar:
    """The calendar an incident's targets run on: its policy's, by priority, type and category."""
    return settings.policy_for(item.priority, item.type, getattr(item, "category", None)).calendar
