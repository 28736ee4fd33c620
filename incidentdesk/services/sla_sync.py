"""Keeping an incident's SLA columns right inside the services that change it.

Every service that touches something the SLA clock depends on (logging, acknowledging,
holding, resuming, reprioritising, resolving, reopening, cancelling) calls one of these in its
own transaction. They keep the due times, the states of stopped targets, the pause
bookkeeping and `next_sla_check_at` (the instant the sweeper must next look at the incident)
consistent. Forward state changes of running targets (at risk, breached) are left to the
sweeper so that each is recorded once, with its escalations; the stops recorded here go into
the calling service's own timeline event (its `after` dict), so they too land in the timeline
exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidentdesk.config import Config
from incidentdesk.domain.enums import EventKind
from incidentdesk.domain.sla import SlaSettings, plan, settings_from_config
from incidentdesk.domain.sla_state import RANK, SlaFacts, SlaState, assess, state_at, stopped_state
from incidentdesk.store.models import Incident, TimelineEvent

_CACHE: dict[int, tuple[Config, SlaSettings]] = {}


def sla_settings(config: Config) -> SlaSettings:
    """The parsed `[sla]` settings of this Config (parsed once per Config object)."""
    hit = _CACHE.get(id(config))
    if hit is not None and hit[0] is config:
        return hit[1]
    settings = settings_from_config(config.section("sla"), config.sla_targets)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[id(config)] = (config, settings)
    return settings


def facts_of(inc) -> SlaFacts:
    return SlaFacts(
        created_at=inc.created_at, priority=inc.priority, type=inc.type, category=inc.category,
        is_open=bool(inc.is_open), acknowledged_at=inc.acknowledged_at, resolved_at=inc.resolved_at,
        paused_at=inc.sla_paused_at, paused_seconds=inc.sla_paused_seconds or 0.0,
        response_state=inc.response_sla_state or SlaState.ON_TRACK,
        resolution_state=inc.resolution_sla_state or SlaState.ON_TRACK,
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
    policy = settings.policy_for(inc.priority, inc.type, inc.category)
    paused = timedelta(seconds=inc.sla_paused_seconds)
    inc.response_due_at = plan(policy, "response", inc.created_at, paused, settings.at_risk_share).due_at
    inc.resolution_due_at = plan(policy, "resolution", inc.created_at, paused, settings.at_risk_share).due_at
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
    calendar = settings.policy_for(inc.priority, inc.type, inc.category).calendar
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
        calendar = settings.policy_for(inc.priority, inc.type, inc.category).calendar
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


def paused_from_timeline(session: Session, settings: SlaSettings, inc: Incident, now: datetime) -> float:
    """Working time paused so far on the incident's *current* calendar, rebuilt from its timeline.

    Needed when a reprioritisation moves an incident to a policy on another calendar: the
    stored total was counted on the old one. A pause starts at a hold for a pausing reason or
    at a resolve, and ends at the next resume or reopen; a pause still open is not included
    (sla_paused_at holds it).
    """
    calendar = settings.policy_for(inc.priority, inc.type, inc.category).calendar
    rows = session.execute(
        select(TimelineEvent.kind, TimelineEvent.at, TimelineEvent.text)
        .where(TimelineEvent.incident_id == inc.id,
               TimelineEvent.kind.in_([str(EventKind.HELD), str(EventKind.RESOLVED), str(EventKind.RESUMED),
                                       str(EventKind.REOPENED)]))
        .order_by(TimelineEvent.seq)
    ).all()
    total, started = timedelta(0), None
    for kind, at, text in rows:
        if kind == EventKind.HELD and settings.pauses(text) and started is None:
            started = at
        elif kind == EventKind.RESOLVED and started is None:
            started = at
        elif kind in (EventKind.RESUMED, EventKind.REOPENED) and started is not None:
            total += calendar.elapsed(started, at)
            started = None
    return total.total_seconds()


def on_reprioritised(config: Config, session: Session, inc: Incident, now: datetime,
                     old_calendar_name: str) -> dict:
    """Targets recomputed from the incident's start under its new policy.

    A running target whose persisted state is worse than the new targets give (a P1 breach
    that is on track as a P3) takes the new state now, recorded in the reprioritisation event;
    one that is now worse is left for the sweeper, which records it and fires escalations.
    Stopped targets keep their verdict.
    """
    settings = sla_settings(config)
    policy = settings.policy_for(inc.priority, inc.type, inc.category)
    if policy.calendar.name != old_calendar_name and inc.id is not None:
        inc.sla_paused_seconds = paused_from_timeline(session, settings, inc, now)
    changes = {}
    facts = facts_of(inc)
    instant = min(now, inc.sla_paused_at) if inc.sla_paused_at is not None else now
    for which in ("response", "resolution"):
        running = inc.is_open and inc.resolved_at is None and (which == "resolution" or inc.acknowledged_at is None)
        if not running:
            continue
        clock = plan(policy, which, facts.created_at, timedelta(seconds=facts.paused_seconds),
                     settings.at_risk_share)
        current = SlaState(getattr(inc, f"{which}_sla_state") or SlaState.ON_TRACK)
        fresh = state_at(clock, instant)
        if RANK[fresh] < RANK[current]:
            setattr(inc, f"{which}_sla_state", fresh.value)
            setattr(inc, f"{which}_breached_at", None)
            changes[f"{which}_sla"] = fresh.value
    refresh(settings, inc, now)
    return changes


def calendar_name_of(config: Config, inc: Incident) -> str:
    return sla_settings(config).policy_for(inc.priority, inc.type, inc.category).calendar.name
