"""Keeping an incident's SLA columns right inside the services that change it.

Every service that touches something the SLA clock depends on (logging, acknowledging,
holding, resuming, reprioritising, resolving, reopening, cancelling) calls one of these in its
own transaction. They keep the due times, the states of stopped targets, the pause
bookkeeping and `next_sla_check_at` (the instant the sweeper must next look at the incident)
consistent. Forward state changes of running targets (at risk, breached) are left to the
sweeper so that each is recorded once, with its escalations; the stops recorded here go into
the calling service's own timeline event (its `after` dict), so they too land in the timeline
exactly once. The one exception is a reprioritisation (on_reprioritised), which records as SLA
events, without escalating, the changes that fell before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from incidentdesk.config import Config
from incidentdesk.domain.enums import EventKind, Role
from incidentdesk.domain.roles import Actor
from incidentdesk.domain.sla import SlaSettings, plan
from incidentdesk.domain.sla_state import (
    RANK, TARGETS, SlaFacts, SlaState, Transition, assess, catch_up, describe, state_at, stopped_state,
)
from incidentdesk.services.timeline import append_event
from incidentdesk.store import writes

if TYPE_CHECKING:  # every step runs on either kind of write session (a plain sqlite3 one: store/writes)
    from sqlalchemy.orm import Session

    from incidentdesk.store.models import Incident

SWEEPER_LOGIN = "sla"


def sweeper_actor(ctx) -> Actor:
    """Who the timeline says made SLA changes: the clock itself, run by whoever's console ran it."""
    return Actor(login=SWEEPER_LOGIN, role=Role.ADMIN, real_login=ctx.actor.effective_real_login)


def escalation_reason(event: str) -> str:
    """The reason an automatic escalation for `event` is recorded with (and found by: one per event)."""
    return f"SLA {event.replace('_', ' ')}"


def sla_settings(config: Config) -> SlaSettings:
    """The parsed `[sla]` settings of this Config (parsed once per Config object)."""
    return config.sla


def facts_of(inc) -> SlaFacts:
    return SlaFacts(
        created_at=inc.created_at, priority=inc.priority, type=inc.type, category=inc.category,
        is_open=bool(inc.is_open), acknowledged_at=inc.acknowledged_at, resolved_at=inc.resolved_at,
        paused_at=inc.sla_paused_at, paused_seconds=inc.sla_paused_seconds or 0.0,
        response_state=inc.response_sla_state or SlaState.ON_TRACK,
        resolution_state=inc.resolution_sla_state or SlaState.ON_TRACK,
        started_at=inc.sla_started_at or inc.created_at, own=inc.sla_target,
    )


def refresh(settings: SlaSettings, inc: Incident, now: datetime) -> None:
    """Recompute running targets' due times, the queue's deadline and the next check instant."""
    result = assess(settings, facts_of(inc), now)
    if "response" in result.clocks:
        inc.response_due_at = result.clocks["response"].due_at
    if "resolution" in result.clocks:
        inc.resolution_due_at = result.clocks["resolution"].due_at
    inc.sla_due_at = inc.resolution_due_at if inc.acknowledged_at is not None else inc.response_due_at
    inc.next_sla_check_at = result.check_at


def on_logged(config: Config, inc: Incident, now: datetime) -> None:
    """A new incident: both clocks start at its creation."""
    settings = sla_settings(config)
    if inc.response_sla_state is None:
        inc.response_sla_state = SlaState.ON_TRACK.value
    if inc.resolution_sla_state is None:
        inc.resolution_sla_state = SlaState.ON_TRACK.value
    if inc.sla_paused_seconds is None:
        inc.sla_paused_seconds = 0.0
    if inc.sla_started_at is None:
        inc.sla_started_at = inc.created_at
    policy = settings.policy_for(inc.priority, inc.type, inc.category, inc.sla_target)
    paused = timedelta(seconds=inc.sla_paused_seconds)
    inc.response_due_at = plan(policy, "response", inc.sla_started_at, paused, settings.at_risk_share).due_at
    inc.resolution_due_at = plan(policy, "resolution", inc.sla_started_at, paused, settings.at_risk_share).due_at
    refresh(settings, inc, now)


def _stop(inc: Incident, which: str, at: datetime) -> dict:
    """Freeze a target as met or breached; returns what changed, for the event's `after`."""
    due = inc.response_due_at if which == "response" else inc.resolution_due_at
    before = SlaState(getattr(inc, f"{which}_sla_state") or SlaState.ON_TRACK)
    after = stopped_state(due, at, before)
    if after is before:
        return {}
    setattr(inc, f"{which}_sla_state", after.value)
    if after is SlaState.BREACHED and getattr(inc, f"{which}_breached_at") is None:
        setattr(inc, f"{which}_breached_at", due)
    return {f"{which}_sla": after.value}


def _settle_stops(inc: Incident) -> dict:
    """Give every target that has just stopped its verdict.

    A target stops when the incident is acknowledged (response) or resolved (both). While the
    clock is paused time stands still, so a target stopped during a pause is judged at the
    moment the pause began.
    """
    changes = {}
    running = (SlaState.ON_TRACK.value, SlaState.AT_RISK.value, None)
    stops = {"response": inc.acknowledged_at or inc.resolved_at, "resolution": inc.resolved_at}
    for which, stopped_at in stops.items():
        if stopped_at is not None and getattr(inc, f"{which}_sla_state") in running:
            if inc.sla_paused_at is not None:
                stopped_at = min(stopped_at, inc.sla_paused_at)
            changes.update(_stop(inc, which, stopped_at))
    return changes


def _end_pause(settings: SlaSettings, inc: Incident, now: datetime) -> None:
    if inc.sla_paused_at is None:
        return
    calendar = settings.policy_for(inc.priority, inc.type, inc.category, inc.sla_target).calendar
    inc.sla_paused_seconds = (inc.sla_paused_seconds or 0.0) + calendar.elapsed(inc.sla_paused_at, now).total_seconds()
    inc.sla_paused_at = None


def on_acknowledged(config: Config, inc: Incident, now: datetime) -> dict:
    """The response clock stops (call after setting acknowledged_at): met, or breached if late."""
    changes = _settle_stops(inc)
    refresh(sla_settings(config), inc, now)
    return changes


def on_hold(config: Config, inc: Incident, now: datetime, reason: str) -> dict:
    """A hold for a pausing reason stops the clock until the incident resumes."""
    settings = sla_settings(config)
    changes = _settle_stops(inc)
    if settings.pauses(reason) and inc.sla_paused_at is None:
        inc.sla_paused_at = now
        changes["sla_paused"] = True
    refresh(settings, inc, now)
    return changes


def on_resumed(config: Config, inc: Incident, now: datetime) -> dict:
    """The clock runs again; due times move out by the working time spent paused."""
    settings = sla_settings(config)
    changes = _settle_stops(inc)
    if inc.sla_paused_at is not None:
        _end_pause(settings, inc, now)
        changes["sla_paused"] = False
    refresh(settings, inc, now)
    return changes


def on_resolved(config: Config, inc: Incident, now: datetime) -> dict:
    """Both clocks stop (call after setting resolved_at): met, or breached (already or now)."""
    settings = sla_settings(config)
    changes = _settle_stops(inc)
    _end_pause(settings, inc, now)
    refresh(settings, inc, now)
    return changes


def on_reopened(config: Config, inc: Incident, now: datetime, resolved_at: datetime | None) -> dict:
    """The resolution clock runs again (call after clearing resolved_at); time spent resolved
    does not count against it."""
    settings = sla_settings(config)
    changes = {}
    if resolved_at is not None:
        calendar = settings.policy_for(inc.priority, inc.type, inc.category, inc.sla_target).calendar
        inc.sla_paused_seconds = (inc.sla_paused_seconds or 0.0) + calendar.elapsed(resolved_at, now).total_seconds()
    if inc.resolution_sla_state == SlaState.MET:
        inc.resolution_sla_state = SlaState.ON_TRACK.value
        changes["resolution_sla"] = SlaState.ON_TRACK.value
    refresh(settings, inc, now)
    return changes


def on_closed_or_cancelled(inc: Incident) -> None:
    """No clock runs on a closed or cancelled incident."""
    inc.next_sla_check_at = None
    inc.sla_paused_at = None


def paused_from_timeline(session: Session, settings: SlaSettings, inc: Incident, now: datetime,
                         since: datetime) -> float:
    """Working time paused between `since` and now on the incident's *current* calendar, from its timeline.

    Needed when a reprioritisation moves an incident to a policy on another calendar: the
    stored total was counted on the old one. A pause starts at a hold for a pausing reason or
    at a resolve, and ends at the next resume or reopen; a pause still open is not included
    (sla_paused_at holds it).
    """
    calendar = settings.policy_for(inc.priority, inc.type, inc.category, inc.sla_target).calendar
    rows = writes.timeline_of_kinds(session, inc.id, [str(EventKind.HELD), str(EventKind.RESOLVED),
                                                      str(EventKind.RESUMED), str(EventKind.REOPENED)])
    total, started = timedelta(0), None
    for kind, at, text in rows:
        if kind == EventKind.HELD and settings.pauses(text) and started is None:
            started = at
        elif kind == EventKind.RESOLVED and started is None:
            started = at
        elif kind in (EventKind.RESUMED, EventKind.REOPENED) and started is not None:
            total += calendar.elapsed(max(started, since), at)
            started = None
    return total.total_seconds()


@dataclass(frozen=True)
class Outgoing:
    """The running targets just before a reprioritisation, brought up to date at that instant."""

    priority: int
    policy: str
    calendar: str
    started_at: datetime
    due: dict[str, datetime]
    states: dict[str, SlaState]
    breached_at: dict[str, datetime | None]
    pending: tuple[Transition, ...]     # reached before the change but not yet recorded by a sweep


def outgoing_targets(config: Config, inc: Incident, now: datetime) -> Outgoing:
    """Call before changing the priority: what on_reprioritised will replace."""
    settings = sla_settings(config)
    policy = settings.policy_for(inc.priority, inc.type, inc.category, inc.sla_target)
    result = assess(settings, facts_of(inc), now)
    breached = {w: getattr(inc, f"{w}_breached_at") for w in TARGETS}
    for tr in result.transitions:
        if tr.after is SlaState.BREACHED and breached[tr.which] is None:
            breached[tr.which] = tr.due_at
    return Outgoing(inc.priority, policy.name, policy.calendar.name, inc.sla_started_at or inc.created_at,
                    {w: c.due_at for w, c in result.clocks.items()}, dict(result.states), breached,
                    result.transitions)


@dataclass
class Reprioritised:
    """What a reprioritisation did to the SLA: for its own event, and the SLA events to record."""

    changes: dict = field(default_factory=dict)          # goes into the reprioritisation's `after`
    before: list[tuple[Transition, str]] = field(default_factory=list)   # old targets' pending changes
    after: list[tuple[Transition, str]] = field(default_factory=list)    # new targets' changes before the change


def on_reprioritised(config: Config, session: Session, inc: Incident, now: datetime, old: Outgoing) -> Reprioritised:
    """Replace the running targets by the new priority's, keeping the old ones in sla_target_history.

    `[sla] reprioritise_from` decides where the new targets count from: "change" (default; the
    new target starts now, with its full length) or "start" (the incident's start, as if it had
    always had this priority). A change the old targets had reached but no sweep had recorded
    yet is recorded now; so is, with "start", one the new targets reached before now. Neither
    escalates: the first no longer applies, the second fell before anyone could act on it. A
    target identical to one replaced earlier (same policy, counted from the same instant: a
    priority lowered and raised back with "start") takes up that target's state again, so its
    breach is neither recorded nor escalated twice. Stopped targets keep their verdict.
    """
    settings = sla_settings(config)
    policy = settings.policy_for(inc.priority, inc.type, inc.category, inc.sla_target)
    out = Reprioritised()
    running = [w for w in TARGETS if w in old.due]
    if policy.name == old.policy or not running:   # only the severity changed: the targets stand
        refresh(settings, inc, now)
        return out
    out.before = [(tr, old.policy) for tr in old.pending]
    # with "change" the new targets start now: none can be an earlier one
    earlier = writes.earlier_targets(session, inc.id, policy.name, inc.created_at) \
        if settings.reprioritise_from == "start" else []
    superseded = []
    for which in running:
        session.add(writes.sla_target_record(
            session, incident_id=inc.id, target=which, priority=old.priority, policy=old.policy, calendar=old.calendar,
            counted_from=old.started_at, due_at=old.due[which], state=old.states[which].value,
            breached_at=old.breached_at[which] if old.states[which] is SlaState.BREACHED else None, superseded_at=now))
        superseded.append(f"{which} {old.policy} {old.states[which].label} (due {old.due[which]:%Y-%m-%d %H:%M} UTC)")
    _restart(settings, session, inc, now, policy.calendar.name != old.calendar)
    instant = min(now, inc.sla_paused_at) if inc.sla_paused_at is not None else now
    start = inc.sla_started_at
    for which in running:
        clock = plan(policy, which, start, timedelta(seconds=inc.sla_paused_seconds), settings.at_risk_share)
        carried = [(SlaState(state), at) for target, state, at in earlier if target == which]
        base, breached_at = max(carried, key=lambda c: RANK[c[0]], default=(SlaState.ON_TRACK, None))
        fresh = state_at(clock, instant)
        out.after += [(tr, policy.name) for tr in catch_up(clock, base, fresh)]
        state = fresh if RANK[fresh] > RANK[base] else base
        if state is SlaState.BREACHED and breached_at is None:
            breached_at = clock.due_at
        setattr(inc, f"{which}_sla_state", state.value)
        setattr(inc, f"{which}_breached_at", breached_at if state is SlaState.BREACHED else None)
        if state is not old.states[which]:
            out.changes[f"{which}_sla"] = state.value
    out.changes["sla_counted_from"] = settings.reprioritise_from
    out.changes["sla_superseded"] = superseded
    refresh(settings, inc, now)
    return out


def _restart(settings: SlaSettings, session: Session, inc: Incident, now: datetime, new_calendar: bool) -> None:
    """Where the new targets count from, and the pause time they carry."""
    if settings.reprioritise_from == "change":
        inc.sla_started_at = now
        inc.sla_paused_seconds = 0.0
        if inc.sla_paused_at is not None:
            inc.sla_paused_at = now      # on hold: the new targets stand still from their start
        return
    moved = (inc.sla_started_at or inc.created_at) != inc.created_at
    inc.sla_started_at = inc.created_at
    if (new_calendar or moved) and inc.id is not None:
        inc.sla_paused_seconds = paused_from_timeline(session, settings, inc, now, since=inc.created_at)


def record_changes(session: Session, ctx, inc: Incident, now: datetime, changes: list[tuple[Transition, str]]) -> None:
    """SLA events for changes a reprioritisation records (the sweeper's shape; no escalation)."""
    actor = sweeper_actor(ctx)
    for tr, policy_name in changes:
        after = {"target": tr.which, "state": tr.after.value, "due_at": tr.due_at, "since": tr.at,
                 "escalation": "none: recorded at a reprioritisation"}
        if tr.after is SlaState.BREACHED:
            after["breached_at"] = tr.due_at
        append_event(session, inc, actor, EventKind.SLA, now, text=describe(tr, policy_name) + ", recorded at the "
                     "reprioritisation", before={"target": tr.which, "state": tr.before.value}, after=after)

