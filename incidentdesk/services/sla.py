"""The SLA sweeper: records at-risk and breached targets, and fires automatic escalations.

Cost grows with the incidents whose state changes, not with the incidents open: every
service keeps `Incident.next_sla_check_at` (indexed) at the next instant any SLA state of
that incident would change, so a sweep reads only `WHERE next_sla_check_at <= now`. When
nothing is due, a sweep is that one indexed read and takes no write lock, so every console
can sweep every few seconds.

Many sweepers may run at once (each console, `incidentdesk sla sweep --loop`). Each change is
recorded exactly once because a sweep re-reads its candidates inside a write transaction that
holds them: on SQLite the whole database (BEGIN IMMEDIATE), on PostgreSQL the rows (FOR UPDATE
SKIP LOCKED: another sweeper's rows are skipped, not waited for). Under that lock the state
is re-assessed from the stored columns, and a target already recorded is no longer behind.

A sweep does not bump `Incident.version`: it changes only SLA bookkeeping (states, breach
times, the next check, the timeline counters), so someone editing the incident at the same
time is not told their edit conflicts. An automatic escalation does bump it (it is a real
change of who is involved, made through services.incidents.apply_escalate).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select, update

from incidentdesk.domain.enums import EscalationKind, EventKind, Role
from incidentdesk.domain.errors import DomainError
from incidentdesk.domain.roles import Actor
from incidentdesk.domain.sla import SlaSettings
from incidentdesk.domain.sla_state import SlaFacts, SlaState, Transition, assess
from incidentdesk.services import incidents
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.sla_sync import sla_settings
from incidentdesk.services.timeline import append_event
from incidentdesk.store.models import Incident

SWEEPER_LOGIN = "sla"
DEFAULT_BATCH = 500

_T = Incident.__table__
_COLUMNS = (
    _T.c.id, _T.c.key, _T.c.version, _T.c.event_count, _T.c.last_event_hash, _T.c.created_at, _T.c.priority,
    _T.c.type, _T.c.category, _T.c.is_open, _T.c.acknowledged_at, _T.c.resolved_at, _T.c.sla_paused_at,
    _T.c.sla_paused_seconds, _T.c.response_sla_state, _T.c.resolution_sla_state, _T.c.response_due_at,
    _T.c.resolution_due_at, _T.c.response_breached_at, _T.c.resolution_breached_at,
)
_UPDATED = ("response_sla_state", "resolution_sla_state", "response_breached_at", "resolution_breached_at",
            "response_due_at", "resolution_due_at", "sla_due_at", "next_sla_check_at", "event_count",
            "last_event_hash")
_UPDATE = (update(_T).where(_T.c.id == bindparam("b_id"))
           .values({name: bindparam(f"b_{name}") for name in _UPDATED}))


@dataclass
class SweepResult:
    examined: int = 0                    # incidents whose next check had come
    changes: list[tuple[str, str]] = field(default_factory=list)   # (key, event) per recorded change
    escalations: list[tuple[str, str]] = field(default_factory=list)  # (key, to whom)
    failures: list[tuple[str, str]] = field(default_factory=list)     # (key, why an escalation failed)

    @property
    def breaches(self) -> int:
        return sum(1 for _, event in self.changes if event.endswith("_breached"))

    @property
    def at_risk(self) -> int:
        return sum(1 for _, event in self.changes if event.endswith("_at_risk"))

    def merge(self, other: SweepResult) -> None:
        self.examined += other.examined
        self.changes += other.changes
        self.escalations += other.escalations
        self.failures += other.failures

    def summary(self) -> str:
        return (f"{self.examined} due, {self.at_risk} at risk, {self.breaches} breached, "
                f"{len(self.escalations)} escalated" + (f", {len(self.failures)} escalation(s) failed"
                                                        if self.failures else ""))


class _Row:
    """The few incident fields the timeline needs, so the sweep need not load whole ORM rows."""

    __slots__ = ("id", "key", "version", "event_count", "last_event_hash")

    def __init__(self, row) -> None:
        self.id, self.key, self.version = row.id, row.key, row.version
        self.event_count, self.last_event_hash = row.event_count, row.last_event_hash


def sweeper_actor(ctx: ServiceContext) -> Actor:
    """Who the timeline says made SLA changes: the clock itself, run by whoever's console ran it."""
    return Actor(login=SWEEPER_LOGIN, role=Role.ADMIN, real_login=ctx.actor.effective_real_login)


def due_count(ctx: ServiceContext, now: datetime | None = None) -> int:
    """How many incidents have an SLA check due (the sweep's own selection, counted)."""
    from sqlalchemy import func

    now = now or ctx.now()
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(_T).where(_T.c.next_sla_check_at <= now)) or 0)


def sweep(ctx: ServiceContext, *, batch_size: int = DEFAULT_BATCH) -> SweepResult:
    """Record every SLA state change due by now; returns what changed."""
    now = ctx.now()
    settings = sla_settings(ctx.config)
    result = SweepResult()
    with ctx.db.read() as s:  # the common case: nothing due, and no write lock taken
        if s.scalar(select(_T.c.id).where(_T.c.next_sla_check_at <= now).limit(1)) is None:
            return result
    actor = sweeper_actor(ctx)
    while True:
        batch, seen = _sweep_batch(ctx, settings, actor, now, batch_size)
        result.merge(batch)
        if seen < batch_size:
            return result


def _sweep_batch(ctx: ServiceContext, settings: SlaSettings, actor: Actor, now: datetime,
                 batch_size: int) -> tuple[SweepResult, int]:
    result = SweepResult()
    with ctx.db.write() as s, s.no_autoflush:
        stmt = (select(*_COLUMNS).where(_T.c.next_sla_check_at <= now)
                .order_by(_T.c.next_sla_check_at).limit(batch_size))
        if s.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = s.execute(stmt).all()
        updates, escalate = [], []
        for row in rows:
            values, fired = _process(s, settings, actor, row, now, result)
            updates.append(values)
            escalate += fired
        if updates:
            s.execute(_UPDATE, updates)
        result.examined = len(rows)
        if escalate:
            s.expire_all()
            _escalate(s, ctx.as_actor(actor), escalate, now, result)
    return result, len(rows)


def facts_from_row(row) -> SlaFacts:
    return SlaFacts(
        created_at=row.created_at, priority=row.priority, type=row.type, category=row.category,
        is_open=bool(row.is_open), acknowledged_at=row.acknowledged_at, resolved_at=row.resolved_at,
        paused_at=row.sla_paused_at, paused_seconds=row.sla_paused_seconds or 0.0,
        response_state=row.response_sla_state or SlaState.ON_TRACK,
        resolution_state=row.resolution_sla_state or SlaState.ON_TRACK,
    )


def describe(transition: Transition, policy_name: str) -> str:
    due = transition.due_at.strftime("%Y-%m-%d %H:%M UTC")
    if transition.after is SlaState.BREACHED:
        return f"{transition.which} target breached ({policy_name}, due {due})"
    return f"{transition.which} target at risk ({policy_name}, due {due})"


def _process(s, settings: SlaSettings, actor: Actor, row, now: datetime,
             result: SweepResult) -> tuple[dict, list[tuple[int, str, Transition]]]:
    facts = facts_from_row(row)
    outcome = assess(settings, facts, now)
    policy_name = settings.policy_for(row.priority, row.type, row.category).name if outcome.transitions else ""
    stub = _Row(row)
    values = {
        "b_id": row.id,
        "b_response_sla_state": row.response_sla_state, "b_resolution_sla_state": row.resolution_sla_state,
        "b_response_breached_at": row.response_breached_at, "b_resolution_breached_at": row.resolution_breached_at,
        "b_response_due_at": row.response_due_at, "b_resolution_due_at": row.resolution_due_at,
    }
    fired = []
    for tr in outcome.transitions:
        values[f"b_{tr.which}_sla_state"] = tr.after.value
        after = {"target": tr.which, "state": tr.after.value, "due_at": tr.due_at, "since": tr.at}
        if tr.after is SlaState.BREACHED:
            if values[f"b_{tr.which}_breached_at"] is None:
                values[f"b_{tr.which}_breached_at"] = tr.due_at
            after["breached_at"] = values[f"b_{tr.which}_breached_at"]
        append_event(s, stub, actor, EventKind.SLA, now, text=describe(tr, policy_name),
                     before={"target": tr.which, "state": tr.before.value}, after=after)
        result.changes.append((row.key, tr.event))
        for rule in settings.rules_for(tr.event, row.priority, row.type):
            fired.append((row.id, row.key, tr, rule))
    for which, clock in outcome.clocks.items():
        values[f"b_{which}_due_at"] = clock.due_at
    values["b_sla_due_at"] = (values["b_resolution_due_at"] if row.acknowledged_at is not None
                              else values["b_response_due_at"])
    values["b_next_sla_check_at"] = outcome.next_check_at
    values["b_event_count"] = stub.event_count
    values["b_last_event_hash"] = stub.last_event_hash
    return values, fired


def _escalate(s, ctx: ServiceContext, fired, now: datetime, result: SweepResult) -> None:
    """Automatic escalations, in the sweep's transaction: if the breach is recorded, so is its escalation."""
    for incident_id, key, tr, rule in fired:
        inc = s.get(Incident, incident_id)
        summary = rule.summary or (f"Automatic escalation: {tr.which} target {tr.after.label} "
                                   f"(due {tr.due_at:%Y-%m-%d %H:%M} UTC)")
        try:
            with s.begin_nested():
                record = incidents.apply_escalate(
                    s, ctx, inc, now, kind=EscalationKind(rule.kind), summary=summary, to_group=rule.to_group,
                    reason=f"SLA {tr.event.replace('_', ' ')}", to_person=rule.to_person, automatic=True)
                s.flush()
            result.escalations.append((key, record.to_person or record.to_group or ""))
        except DomainError as exc:
            s.expire(inc)
            inc = s.get(Incident, incident_id)
            append_event(s, inc, ctx.actor, EventKind.SLA, now,
                         text=f"automatic escalation on {tr.event.replace('_', ' ')} failed: {exc}")
            result.failures.append((key, str(exc)))


def run_loop(ctx: ServiceContext, *, interval: float = 5.0, batch_size: int = DEFAULT_BATCH,
             report: Callable[[SweepResult | Exception], None] = lambda r: None,
             should_stop: Callable[[], bool] = lambda: False, sleep: Callable[[float], None] = time.sleep) -> None:
    """Sweep every `interval` seconds until told to stop; a database outage is reported and retried."""
    while not should_stop():
        try:
            report(sweep(ctx, batch_size=batch_size))
        except DomainError as exc:  # StorageUnavailable and friends: say so, keep going
            report(exc)
        sleep(interval)
