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

A batch writes in bulk: the due rows are read in one indexed query (due_select), every
transition is worked out in memory (domain.sla_state), and then each table gets one statement
for the whole batch: the timeline events (hash-chained per incident in Python by
domain.audit.chained_event, the same function a single append uses), the incidents (only the
columns that changed, so untouched indexes are not rewritten), one change_log row per changed
incident and, on PostgreSQL, one NOTIFY carrying up to ~1,000 changed ids (both written by
store/changefeed.record_change, the one writer of either). On SQLite these are
executemany calls; on PostgreSQL, where executemany costs a round trip per row, each is a single
statement over unnest() of one array per column. Automatic escalations, rare, then go through
the ordinary per-incident service path, in the same transaction.

A sweep does not bump `Incident.version`: it changes only SLA bookkeeping (states, breach
times, the next check, the timeline counters), so someone editing the incident at the same
time is not told their edit conflicts. An automatic escalation does bump it (it is a real
change of who is involved, made through services.assignment.apply_escalate).

An SLA event escalates an incident at most once: if an earlier automatic escalation was made
for the same event (say response_breached, before a reprioritisation replaced the target and
the new one breached too), the rules do not page again; the timeline says so instead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy import text as sql_text

from incidentdesk.domain.audit import chained_event
from incidentdesk.domain.enums import EscalationKind, EventKind
from incidentdesk.domain.errors import DomainError
from incidentdesk.domain.roles import Actor
from incidentdesk.domain.sla import SlaSettings
from incidentdesk.domain.sla_state import SlaFacts, SlaState, assess, describe
from incidentdesk.services import incidents
from incidentdesk.services.outbox import after_bulk_events as outbox_after_bulk_events
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.sla_sync import escalation_reason, sla_settings, sweeper_actor
from incidentdesk.services.timeline import append_event
from incidentdesk.store.changefeed import notify_payloads, record_change  # noqa: F401  (notify_payloads re-exported)
from incidentdesk.store.models import Escalation, Incident, TimelineEvent

DEFAULT_BATCH = 500

_T = Incident.__table__
# The sweep's row, declared once by column name: the SELECT (due_select) and the unpacking in
# _process both follow this tuple, so neither can drift from the other.
_FIELDS = (
    "id", "key", "event_count", "last_event_hash", "created_at", "priority", "type", "category", "is_open",
    "acknowledged_at", "resolved_at", "sla_paused_at", "sla_paused_seconds", "response_sla_state",
    "resolution_sla_state", "response_due_at", "resolution_due_at", "response_breached_at",
    "resolution_breached_at", "sla_due_at", "next_sla_check_at", "sla_started_at", "sla_target",
)
_COLUMNS = tuple(_T.c[name] for name in _FIELDS)
_UPDATES: dict[tuple[str, ...], object] = {}


def _update_of(columns: tuple[str, ...]):
    """UPDATE incidents SET <just these columns> WHERE id = ?, built once per column set.

    Setting only what changed matters: a column in the SET list costs a rewrite of every
    index holding it (sla_due_at is in four queue indexes) even when its value is the same.
    """
    stmt = _UPDATES.get(columns)
    if stmt is None:
        stmt = _UPDATES[columns] = (update(_T).where(_T.c.id == bindparam("b_id"))
                                    .values({name: bindparam(f"b_{name}") for name in columns}))
    return stmt


_EVENTS = TimelineEvent.__table__
_INSERT_EVENTS = insert(_EVENTS)
_SLA_KIND = str(EventKind.SLA)


def due_select(now: datetime):
    """The one indexed query a sweep depends on: the incidents whose next SLA check has come.

    It reads `ix_incidents_next_sla_check_at` (a range on that column) and nothing else;
    the benchmark times exactly this statement as the sweep's baseline.
    """
    return select(*_COLUMNS).where(_T.c.next_sla_check_at <= now)


@dataclass
class SweepResult:
    examined: int = 0                    # incidents whose next check had come
    changes: list[tuple[str, str]] = field(default_factory=list)   # (key, event) per recorded change
    escalations: list[tuple[str, str]] = field(default_factory=list)  # (key, to whom)
    failures: list[tuple[str, str]] = field(default_factory=list)     # (key, why an escalation failed)
    repeats: list[tuple[str, str]] = field(default_factory=list)      # (key, event) already escalated for

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
        self.repeats += other.repeats

    def summary(self) -> str:
        return (f"{self.examined} due, {self.at_risk} at risk, {self.breaches} breached, "
                f"{len(self.escalations)} escalated" + (f", {len(self.failures)} escalation(s) failed"
                                                        if self.failures else ""))


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


@dataclass
class _Writes:
    """Everything one batch writes, gathered first so each table gets one bulk statement."""

    updates: dict[tuple[str, ...], list[dict]] = field(default_factory=dict)  # by the columns they set
    events: list[dict] = field(default_factory=list)    # timeline rows, chained per incident
    changed: list[int] = field(default_factory=list)    # incidents with a new event
    fired: list[tuple] = field(default_factory=list)    # (incident id, key, transition, rule)


def _sweep_batch(ctx: ServiceContext, settings: SlaSettings, actor: Actor, now: datetime,
                 batch_size: int) -> tuple[SweepResult, int]:
    """One write transaction: read what is due (locked), work out every change in memory,
    then write it with one statement per table, whatever the number of incidents."""
    result = SweepResult()
    with ctx.db.write() as s, s.no_autoflush:
        stmt = due_select(now).order_by(_T.c.next_sla_check_at).limit(batch_size)
        dialect = s.get_bind().dialect.name
        if dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = s.execute(stmt).all()
        writes = _Writes()
        for row in rows:
            _process(settings, actor, row, now, result, writes)
        _write(s, dialect, writes, now)
        result.examined = len(rows)
        if writes.fired:
            s.expire_all()
            _escalate(s, ctx.as_actor(actor), writes.fired, now, result)
    return result, len(rows)


def _write(s, dialect: str, writes: _Writes, now: datetime) -> None:
    """One statement per table for the whole batch; the change feed's rows and NOTIFY (one per ~1,000
    changed ids) from store/changefeed.record_change."""
    outbox_after_bulk_events(s, writes.events, now)  # the notifications these events cause, same transaction
    if dialect == "postgresql":
        # executemany is a round trip per row there; unnest() of one array per column is one.
        _pg_insert(s, _EVENTS, writes.events)
        for columns, params in writes.updates.items():
            _pg_update(s, columns, params)
    else:
        if writes.events:
            s.execute(_INSERT_EVENTS, writes.events)
        for columns, params in writes.updates.items():
            s.execute(_update_of(columns), params)
    record_change(s, writes.changed, _SLA_KIND, now)


def _pg_array_types(table) -> dict[str, str]:
    """Each column's PostgreSQL type as an array, for CAST(:values AS <type>[])."""
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    return {c.name: c.type.compile(dialect=dialect) + "[]" for c in table.columns}


_PG_TYPES: dict[str, dict[str, str]] = {}
_PG_JSON = ("before", "after")


def _pg_columns(s, table) -> tuple[dict[str, str], object]:
    types = _PG_TYPES.get(table.name)
    if types is None:
        types = _PG_TYPES[table.name] = _pg_array_types(table)
    return types, s.get_bind().dialect.identifier_preparer.quote


def _pg_arrays(rows: list[dict], names, key=lambda name: name) -> dict[str, list]:
    arrays = {}
    for name in names:
        values = [row[key(name)] for row in rows]
        if name in _PG_JSON:
            values = [None if v is None else json.dumps(v) for v in values]
        arrays[f"p_{name}"] = values
    return arrays


def _pg_insert(s, table, rows: list[dict]) -> None:
    """INSERT INTO table (...) SELECT * FROM unnest(<one array per column>): one statement."""
    if not rows:
        return
    names = list(rows[0])
    types, quote = _pg_columns(s, table)
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) SELECT * FROM unnest("
           + ", ".join(f"CAST(:p_{n} AS {types[n]})" for n in names) + ")")
    s.execute(sql_text(sql), _pg_arrays(rows, names))


def _pg_update(s, columns: tuple[str, ...], params: list[dict]) -> None:
    """UPDATE incidents SET <columns> FROM unnest(ids, <one array per column>): one statement."""
    names = ("id", *columns)
    types, quote = _pg_columns(s, _T)
    sql = (f"UPDATE {quote(_T.name)} AS t SET " + ", ".join(f"{quote(n)} = v.{quote(n)}" for n in columns)
           + " FROM unnest(" + ", ".join(f"CAST(:p_{n} AS {types[n]})" for n in names) + ") AS v("
           + ", ".join(quote(n) for n in names) + ") WHERE t.id = v.id")
    s.execute(sql_text(sql), _pg_arrays(params, names, key=lambda name: f"b_{name}"))


def _process(settings: SlaSettings, actor: Actor, row, now: datetime, result: SweepResult,
             writes: _Writes) -> None:
    """One incident's changes, in memory: the columns that change, its chained events, its escalations."""
    # Taken out by name once (a dict over _FIELDS, the order the SELECT has): attribute access on
    # a Row costs more than the arithmetic.
    f = dict(zip(_FIELDS, row, strict=True))
    incident_id, key, event_count, last_hash = f["id"], f["key"], f["event_count"], f["last_event_hash"]
    created_at, priority, type_, category = f["created_at"], f["priority"], f["type"], f["category"]
    is_open, acknowledged_at, resolved_at = f["is_open"], f["acknowledged_at"], f["resolved_at"]
    paused_at, paused_seconds, started_at = f["sla_paused_at"], f["sla_paused_seconds"], f["sla_started_at"]
    response_state, resolution_state = f["response_sla_state"], f["resolution_sla_state"]
    response_due_at, resolution_due_at = f["response_due_at"], f["resolution_due_at"]
    response_breached_at, resolution_breached_at = f["response_breached_at"], f["resolution_breached_at"]
    sla_due_at, next_check_at = f["sla_due_at"], f["next_sla_check_at"]
    outcome = assess(settings, SlaFacts(
        created_at, priority, type_, category, bool(is_open), acknowledged_at, resolved_at, paused_at,
        paused_seconds or 0.0, response_state or SlaState.ON_TRACK, resolution_state or SlaState.ON_TRACK,
        started_at, f["sla_target"]), now)
    new = {}
    if outcome.transitions:
        policy_name = settings.policy_for(priority, type_, category, f["sla_target"]).name
        breached = {"response": response_breached_at, "resolution": resolution_breached_at}
        seq = event_count
        for tr in outcome.transitions:
            which, state = tr.which, tr.after.value
            new[f"{which}_sla_state"] = state
            after = {"target": which, "state": state, "due_at": tr.due_at, "since": tr.at}
            if tr.after is SlaState.BREACHED:
                if breached[which] is None:
                    breached[which] = new[f"{which}_breached_at"] = tr.due_at
                after["breached_at"] = breached[which]
            seq += 1
            event = chained_event(last_hash, seq=seq, at=now, actor=actor.login,
                                  real_actor=actor.effective_real_login, kind=_SLA_KIND,
                                  text=describe(tr, policy_name),
                                  before={"target": which, "state": tr.before.value}, after=after)
            event["incident_id"] = incident_id
            last_hash = event["hash"]
            writes.events.append(event)
            result.changes.append((key, tr.event))
            if settings.escalations:
                for rule in settings.rules_for(tr.event, priority, type_):
                    writes.fired.append((incident_id, key, tr, rule))
        writes.changed.append(incident_id)
        new["event_count"], new["last_event_hash"] = seq, last_hash
    clocks = outcome.clocks
    if "response" in clocks and clocks["response"].due_at != response_due_at:
        response_due_at = new["response_due_at"] = clocks["response"].due_at
    if "resolution" in clocks and clocks["resolution"].due_at != resolution_due_at:
        resolution_due_at = new["resolution_due_at"] = clocks["resolution"].due_at
    due = resolution_due_at if acknowledged_at is not None else response_due_at
    if due != sla_due_at:
        new["sla_due_at"] = due
    if outcome.next_check_at != next_check_at:
        new["next_sla_check_at"] = outcome.next_check_at
    if new:
        params = {f"b_{name}": value for name, value in new.items()}
        params["b_id"] = incident_id
        writes.updates.setdefault(tuple(sorted(new)), []).append(params)


def _escalated_before(s, fired) -> dict[tuple[int, str], datetime]:
    """(incident id, escalation reason) -> when, for automatic escalations already made for these incidents."""
    ids = sorted({incident_id for incident_id, *_ in fired})
    rows = s.execute(select(Escalation.incident_id, Escalation.reason, Escalation.at)
                     .where(Escalation.incident_id.in_(ids), Escalation.automatic.is_(True))).all()
    return {(i, reason): at for i, reason, at in rows}


def _escalate(s, ctx: ServiceContext, fired, now: datetime, result: SweepResult) -> None:
    """Automatic escalations, in the sweep's transaction: if the breach is recorded, so is its escalation.

    Each SLA event escalates an incident once: rules for an event it was already escalated for
    (by an earlier sweep, for a target since replaced) are not run again.
    """
    before = _escalated_before(s, fired)
    noted: set[tuple[int, str]] = set()
    for incident_id, key, tr, rule in fired:
        inc = s.get(Incident, incident_id)
        reason = escalation_reason(tr.event)
        if (incident_id, reason) in before:
            if (incident_id, reason) not in noted:
                noted.add((incident_id, reason))
                append_event(s, inc, ctx.actor, EventKind.SLA, now,
                             text=f"no automatic escalation on {tr.event.replace('_', ' ')}: already escalated for "
                                  f"it at {before[incident_id, reason]:%Y-%m-%d %H:%M} UTC")
                result.repeats.append((key, tr.event))
            continue
        summary = rule.summary or (f"Automatic escalation: {tr.which} target {tr.after.label} "
                                   f"(due {tr.due_at:%Y-%m-%d %H:%M} UTC)")
        try:
            with s.begin_nested():
                record = incidents.apply_escalate(
                    s, ctx, inc, now, kind=EscalationKind(rule.kind), summary=summary, to_group=rule.to_group,
                    reason=reason, to_person=rule.to_person, automatic=True)
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
