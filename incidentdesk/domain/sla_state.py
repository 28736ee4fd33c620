"""SLA states per target, when they next change, and the countdown a console shows.

Each target (response, resolution) is on track, at risk (a share of the target elapsed),
breached (the due instant passed while it ran) or met (stopped in time). The state only moves
forward while a target runs; a stop (acknowledge, resolve) freezes it as met or breached.
Nothing here reads a clock: callers pass `now`, so tests move time explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

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


def assess(settings: SlaSettings, facts: SlaFacts, now: datetime) -> Assessment:
    """Compare each running target's persisted state with its state at `now`.

    A paused clock is assessed at the moment it paused (time stands still) and never asks to
    be checked again until it resumes. States never move backwards here.
    """
    policy = settings.policy_for(facts.priority, facts.type, facts.category)
    paused = timedelta(seconds=facts.paused_seconds or 0.0)
    instant = min(now, facts.paused_at) if facts.paused_at is not None else now
    clocks, states, transitions, nexts = {}, {}, [], []
    for which in TARGETS:
        if not is_running(facts, which):
            continue
        clock = plan(policy, which, facts.created_at, paused, settings.at_risk_share)
        persisted = SlaState(getattr(facts, f"{which}_state") or SlaState.ON_TRACK)
        if persisted is SlaState.MET:
            persisted = SlaState.ON_TRACK
        computed = state_at(clock, instant)
        state = persisted
        if RANK[computed] > RANK[persisted]:
            at = clock.due_at if computed is SlaState.BREACHED else clock.at_risk_at
            transitions.append(Transition(which, persisted, computed, at, clock.due_at))
            state = computed
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
    seconds: float        # left until due (negative: overdue); frozen while paused or stopped
    due_at: datetime
    paused: bool = False
    running: bool = True

    @property
    def text(self) -> str:
        if not self.running:
            return self.state.label
        body = format_duration(self.seconds)
        return f"paused {body}" if self.paused else body


def format_duration(seconds: float) -> str:
    """Compact, fixed-ish width: "45s", "12m03s", "3h04m", "2d03h"; negative means overdue."""
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d{hours:02d}h"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m{secs:02d}s"
    return f"{sign}{secs}s"


def countdown(now: datetime, *, acknowledged_at: datetime | None, resolved_at: datetime | None,
              response_due_at: datetime, resolution_due_at: datetime,
              response_state: str = "on_track", resolution_state: str = "on_track",
              paused_at: datetime | None = None, next_sla_check_at: datetime | None = None,
              is_open: bool = True) -> Countdown:
    """The countdown for the target that matters now, from the columns a queue row holds.

    No query and no calendar: the due instants are stored. Between sweeps the state is
    brought forward locally: past the due instant it shows breached; past the incident's
    `next_sla_check_at` an on-track target shows at risk (the sweeper records it shortly).
    """
    which = "response" if acknowledged_at is None and resolved_at is None else "resolution"
    due = response_due_at if which == "response" else resolution_due_at
    persisted = SlaState(response_state if which == "response" else resolution_state)
    if resolved_at is not None or not is_open:
        stop = resolved_at or now
        final = persisted if persisted in (SlaState.MET, SlaState.BREACHED) else stopped_state(due, stop, persisted)
        return Countdown(which, final, (due - stop).total_seconds(), due, running=False)
    if paused_at is not None:
        return Countdown(which, persisted, (due - paused_at).total_seconds(), due, paused=True)
    state = persisted
    if now >= due:
        state = SlaState.BREACHED
    elif state is SlaState.ON_TRACK and next_sla_check_at is not None and now >= next_sla_check_at:
        state = SlaState.AT_RISK
    return Countdown(which, state, (due - now).total_seconds(), due)
