"""Alerts into incidents: dedup, correlation, auto-resolve and reopen — one transaction per batch.

A batch (one webhook, one Events API v2 event, one file) is applied whole or not at all, and its
receipt is written in the same transaction: the sender gets its 2xx only after the commit, and a
retry of the same payload (same digest) gets the stored answer and changes nothing.

Concurrency: on SQLite writers queue on the write lock (and, within one receiver process, on a
lock of ours so they do not spin in SQLite's busy handler); on PostgreSQL each batch first takes
transaction-scoped advisory locks on its incident keys and fingerprints, in sorted order, so two
batches about the same alerts apply one after the other and never both create the incident.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from incidentdesk.domain import routing
from incidentdesk.domain.enums import EventKind, ResolutionCode, Role, Status
from incidentdesk.domain.errors import StorageUnavailable
from incidentdesk.domain.roles import Actor
from incidentdesk.domain.text import strip_control
from incidentdesk.ingest.model import AlertBatch, NormalAlert
from incidentdesk.services import incidents as incident_svc
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.timeline import append_event
from incidentdesk.store.models import Alert, AlertReceipt, ChangeLog, Group, Incident

AUTO_RESOLVED_NOTE = "auto-resolved by monitoring"
MONITORING_LOGIN = "monitoring"


@dataclass(frozen=True)
class AlertPolicy:
    """How alerts become incidents; built from `[ingest]` in incidentdesk.toml (see ingest/settings.py)."""

    rules: tuple[routing.Route, ...] = ()
    severity_table: dict = field(default_factory=lambda: dict(routing.DEFAULT_SEVERITY_TABLE))
    mapping: routing.LabelMapping = routing.LabelMapping()
    default_group: str | None = None
    auto_resolve: bool = True  # False: only note in the timeline that every alert resolved
    burst_gap: timedelta = timedelta(minutes=5)  # repeats closer than this are one burst: one timeline line
    receipt_window: timedelta = timedelta(hours=1)  # how long a payload's retry is recognised as a retry


def monitoring_actor(real_login: str, login: str = MONITORING_LOGIN) -> Actor:
    """Alert-made changes are by "monitoring"; the real actor is the OS login running the receiver."""
    return Actor(login=login, role=Role.RESPONDER, real_login=real_login, known=False)


@dataclass
class _Touched:
    """What one batch did to one incident, to write at most one timeline line for it."""

    incident: Incident
    created: bool = False
    reopened: bool = False
    new_alerts: list[str] = field(default_factory=list)
    repeats: int = 0
    resolved: int = 0
    previous_last_alert_at: datetime | None = None


_sqlite_locks: dict[str, threading.Lock] = {}
_sqlite_locks_guard = threading.Lock()
_batches_applied = 0
PRUNE_EVERY = 500


def _process_lock(ctx: ServiceContext) -> threading.Lock | None:
    if ctx.db.backend != "sqlite":
        return None
    with _sqlite_locks_guard:
        return _sqlite_locks.setdefault(ctx.db.url, threading.Lock())


def apply_batch(ctx: ServiceContext, batch: AlertBatch, policy: AlertPolicy, *, digest: str | None = None) -> dict:
    """Apply one batch in one transaction; returns the outcome (also stored as the receipt's answer).

    The outcome has `replayed: true` when this digest was already applied within the receipt window.
    """
    lock = _process_lock(ctx)
    attempts = 3
    for attempt in range(attempts):
        try:
            if lock is None:
                return _apply_once(ctx, batch, policy, digest)
            with lock:
                return _apply_once(ctx, batch, policy, digest)
        except IntegrityError:
            # Two receivers (or a non-locking writer) raced on the same receipt or key: the loser
            # retries and then finds the winner's work.
            if attempt == attempts - 1:
                raise StorageUnavailable("the alert could not be stored (conflicting writers); retry") from None
        except StorageUnavailable as exc:
            if "deadlock" not in str(exc) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _apply_once(ctx: ServiceContext, batch: AlertBatch, policy: AlertPolicy, digest: str | None) -> dict:
    global _batches_applied
    with ctx.db.write() as s:
        now = ctx.now()
        if s.get_bind().dialect.name == "postgresql":
            _advisory_locks(s, batch, digest)
        if digest is not None:
            receipt = s.scalar(select(AlertReceipt).where(AlertReceipt.digest == digest))
            if receipt is not None:
                if receipt.received_at >= now - policy.receipt_window:
                    return {**receipt.response, "replayed": True}
                s.delete(receipt)
                s.flush()
        outcome = _Applier(ctx, s, policy, now, batch).run()
        if digest is not None:
            s.add(AlertReceipt(digest=digest, source=batch.source, received_at=now, response=outcome))
            _batches_applied += 1
            if _batches_applied % PRUNE_EVERY == 0:
                s.execute(delete(AlertReceipt).where(AlertReceipt.received_at < now - policy.receipt_window))
        return {**outcome, "replayed": False}


def _advisory_locks(s: Session, batch: AlertBatch, digest: str | None) -> None:
    keys = {f"i:{a.incident_key}" for a in batch.alerts} | {f"f:{batch.source}:{a.fingerprint}" for a in batch.alerts}
    if digest:
        keys.add(f"r:{digest}")
    ids = sorted({zlib.crc32(k.encode("utf-8")) for k in keys})
    s.execute(text("SELECT pg_advisory_xact_lock(2026, k) FROM unnest(CAST(:ids AS integer[])) AS k ORDER BY k"),
              {"ids": [i - 2**31 for i in ids]})


class _Applier:
    def __init__(self, ctx: ServiceContext, s: Session, policy: AlertPolicy, now: datetime, batch: AlertBatch):
        self.ctx, self.s, self.policy, self.now, self.batch = ctx, s, policy, now, batch
        self.touched: dict[int, _Touched] = {}
        self.by_key: dict[str, Incident] = {}
        self.alerts: dict[str, Alert] = {}
        self.ignored = 0
        self.acknowledged: list[str] = []

    # -- loading: three queries per batch whatever its size --
    def _live(self):
        """Open incidents, and resolved ones still inside the reopen window (a repeat reopens those)."""
        cutoff = self.now - self.ctx.config.reopen_window
        return or_(Incident.is_open.is_(True),
                   and_(Incident.status == str(Status.RESOLVED), Incident.resolved_at >= cutoff))

    def _load(self) -> None:
        alerts = self.batch.alerts
        fingerprints = sorted({a.fingerprint for a in alerts})
        keys = sorted({a.incident_key for a in alerts})
        rows = self.s.execute(
            select(Alert, Incident.id).join(Incident, Alert.incident_id == Incident.id)
            .where(Alert.source == self.batch.source, Alert.fingerprint.in_(fingerprints), self._live())
            .order_by(Alert.id)
        ).all()
        incident_ids = set()
        for alert, incident_id in rows:
            self.alerts[alert.fingerprint] = alert  # the newest wins (ordered by id)
            incident_ids.add(incident_id)
        query = (select(Incident).where(or_(Incident.id.in_(sorted(incident_ids)), Incident.dedup_key.in_(keys)),
                                        self._live()).order_by(Incident.id))
        if self.s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=Incident)
        self.incidents: dict[int, Incident] = {}
        for inc in self.s.scalars(query):
            self.incidents[inc.id] = inc
            if inc.dedup_key is not None:
                self.by_key[inc.dedup_key] = inc  # the newest live incident for a key wins

    def run(self) -> dict:
        self._load()
        for alert in self.batch.alerts:
            if alert.action == "firing":
                self._fire(alert)
            elif alert.action == "resolved":
                self._resolve(alert)
            else:
                self._acknowledge(alert)
        self.s.flush()
        return self._finish()

    def _touch(self, inc: Incident) -> _Touched:
        t = self.touched.get(inc.id)
        if t is None:
            t = self.touched[inc.id] = _Touched(inc, previous_last_alert_at=inc.last_alert_at)
        return t

    def _incident_for(self, alert: NormalAlert) -> Incident | None:
        row = self.alerts.get(alert.fingerprint)
        if row is not None and row.incident_id in self.incidents:
            return self.incidents[row.incident_id]
        return self.by_key.get(alert.incident_key)

    # -- per alert --
    def _fire(self, alert: NormalAlert) -> None:
        row = self.alerts.get(alert.fingerprint)
        inc = self._incident_for(alert)
        if row is not None and inc is not None and row.incident_id == inc.id:
            if (row.status == "resolved" and alert.starts_at is not None and row.starts_at == alert.starts_at):
                self.ignored += 1  # a late copy of a firing that has since resolved: old news
                return
            t = self._touch(inc)
            self._reopen_if_resolved(inc, t, alert)
            row.occurrences += 1
            row.last_seen_at = self.now
            row.status = "firing"
            row.ends_at = None
            row.summary = alert.title
            row.annotations = alert.annotations
            if alert.starts_at is not None:
                row.starts_at = alert.starts_at
            t.repeats += 1
            return
        if inc is None:
            inc = self._create(alert)
            t = self._touch(inc)
            t.created = True
        else:
            t = self._touch(inc)
            self._reopen_if_resolved(inc, t, alert)
            t.new_alerts.append(alert.labels.get("alertname") or alert.title)
        row = Alert(
            incident_id=inc.id, source=self.batch.source, fingerprint=alert.fingerprint, group_key=alert.group_key,
            status="firing", summary=alert.title, labels=alert.labels, annotations=alert.annotations,
            generator_url=alert.generator_url, starts_at=alert.starts_at, ends_at=None,
            first_seen_at=self.now, last_seen_at=self.now, occurrences=1,
        )
        self.s.add(row)
        self.alerts[alert.fingerprint] = row

    def _reopen_if_resolved(self, inc: Incident, t: _Touched, alert: NormalAlert) -> None:
        if Status(inc.status) is Status.RESOLVED and not t.reopened:
            incident_svc.apply_reopen(self.s, self.ctx, inc, self.now,
                                      reason=f"alert fired again: {alert.title}")
            t.reopened = True

    def _create(self, alert: NormalAlert) -> Incident:
        d = routing.decide(alert.labels, self.batch.source, rules=self.policy.rules,
                           severity_table=self.policy.severity_table, mapping=self.policy.mapping,
                           severity=alert.severity, default_group=self.policy.default_group)
        group = d.group if d.group and self._group_exists(d.group) else None
        description = alert.description
        if d.group and group is None:
            description = (description + "\n" if description else "") + (
                f"routing: group {d.group!r} (rule {d.rule or 'default_group'}) does not exist; left unassigned")
        title = alert.title if strip_control(alert.title).strip() else f"alert {alert.fingerprint}"
        inc = incident_svc.create_incident(self.s, self.ctx, incident_svc.Intake(
            title=title, impact=d.impact, urgency=d.urgency, severity=d.severity, description=description,
            affected_service=d.service, category=d.category, ci=d.ci, started_at=alert.starts_at,
            symptoms="\n".join(f"{k}={v}" for k, v in sorted(alert.labels.items())),
            group=group, tier=d.tier if group else None, assignee=d.assignee, source="alert",
        ))
        inc.dedup_key = alert.incident_key
        inc.alert_count = 0
        self.s.flush()
        self.incidents[inc.id] = inc
        self.by_key[alert.incident_key] = inc
        return inc

    def _group_exists(self, name: str) -> bool:
        cache = self.__dict__.setdefault("_groups", {})
        if name not in cache:
            cache[name] = self.s.scalar(select(Group.id).where(Group.name == name)) is not None
        return cache[name]

    def _resolve(self, alert: NormalAlert) -> None:
        row = self.alerts.get(alert.fingerprint)
        inc = self.incidents.get(row.incident_id) if row is not None else None
        if row is None or inc is None:
            self.ignored += 1  # resolved before we ever saw it firing (or its incident is closed)
            return
        t = self._touch(inc)
        if row.status != "resolved":
            row.status = "resolved"
            row.ends_at = alert.ends_at or self.now
            t.resolved += 1
        row.last_seen_at = self.now

    def _acknowledge(self, alert: NormalAlert) -> None:
        inc = self._incident_for(alert)
        if inc is None or not inc.is_open:
            self.ignored += 1
            return
        self._touch(inc)
        if Status(inc.status) is Status.NEW:
            incident_svc.apply_acknowledge(self.s, self.ctx, inc, self.now, comment="acknowledged by monitoring")
            self.acknowledged.append(inc.key)

    # -- per incident: counters, one timeline line at most, auto-resolve --
    def _finish(self) -> dict:
        firing_left = self._firing_counts([t.incident.id for t in self.touched.values() if t.resolved])
        counter_only: list[dict] = []
        created, reopened, auto_resolved = [], [], []
        for t in self.touched.values():
            inc = t.incident
            occurrences = len(t.new_alerts) + t.repeats + (1 if t.created else 0)
            lines = []
            if t.new_alerts and not t.created:
                lines.append(f"{len(t.new_alerts)} new alert(s) attached: {', '.join(t.new_alerts[:5])}"
                             + (" ..." if len(t.new_alerts) > 5 else ""))
            burst = t.previous_last_alert_at is None or self.now - t.previous_last_alert_at >= self.policy.burst_gap
            if t.repeats and (burst or t.reopened) and not t.created:
                lines.append(f"alerts repeating ({inc.alert_count + occurrences} occurrences so far)")
            resolve_now = t.resolved and firing_left.get(inc.id, 0) == 0 and inc.is_open
            if t.resolved and not resolve_now:
                lines.append(f"{t.resolved} alert(s) resolved; {firing_left.get(inc.id, 0)} still firing")
            if t.created:
                created.append(inc.key)
            if t.reopened:
                reopened.append(inc.key)
            wrote = t.created or t.reopened or inc.key in self.acknowledged
            if lines:
                append_event(self.s, inc, self.ctx.actor, EventKind.ALERT, self.now, text="; ".join(lines),
                             after={"alert_count": inc.alert_count + occurrences})
                wrote = True
            if resolve_now:
                if self.policy.auto_resolve:
                    total = self._alert_total(inc.id)
                    incident_svc.apply_resolve(self.s, self.ctx, inc, self.now, code=ResolutionCode.AUTO_RESOLVED,
                                               notes=f"{AUTO_RESOLVED_NOTE}: all {total} alert(s) resolved")
                    auto_resolved.append(inc.key)
                else:
                    append_event(self.s, inc, self.ctx.actor, EventKind.ALERT, self.now,
                                 text="all alerts resolved (auto_resolve is off: left open for a person to resolve)")
                wrote = True
            if wrote:
                # Already changing (timeline, status): the counters ride along in the same versioned update.
                inc.alert_count = (inc.alert_count or 0) + occurrences
                if occurrences:
                    inc.last_alert_at = self.now
                inc.updated_at = self.now
                inc.updated_by = self.ctx.actor.login
            elif occurrences or t.resolved:
                # Counters only: no version bump, so a storm of repeats never makes a person's
                # acknowledge or assign fail as a conflict. The change feed still hears of it.
                counter_only.append({"iid": inc.id, "n": occurrences,
                                     "at": self.now if occurrences else t.previous_last_alert_at})
        if counter_only:
            table = Incident.__table__
            self.s.connection().execute(
                update(table).where(table.c.id == bindparam("iid"))
                .values(alert_count=table.c.alert_count + bindparam("n"), last_alert_at=bindparam("at")),
                counter_only,
            )
            self.s.add_all([ChangeLog(incident_id=row["iid"], at=self.now, kind=str(EventKind.ALERT))
                            for row in counter_only])
        keys = sorted({t.incident.key for t in self.touched.values()})
        return {"incidents": keys, "created": created, "reopened": reopened, "auto_resolved": auto_resolved,
                "acknowledged": self.acknowledged, "alerts": len(self.batch.alerts), "ignored": self.ignored}

    def _firing_counts(self, incident_ids: Sequence[int]) -> dict[int, int]:
        if not incident_ids:
            return {}
        rows = self.s.execute(select(Alert.incident_id, func.count()).where(
            Alert.incident_id.in_(incident_ids), Alert.status == "firing").group_by(Alert.incident_id)).all()
        return {iid: n for iid, n in rows}

    def _alert_total(self, incident_id: int) -> int:
        return int(self.s.scalar(select(func.count()).select_from(Alert).where(Alert.incident_id == incident_id)) or 0)

