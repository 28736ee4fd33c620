"""What one batch of alerts does to incidents, inside the transaction services/alerts.py opens.

Per alert: dedup (a known fingerprint is a repeat), correlation (a new alert of a known group
attaches to its incident), reopen (a firing alert on a resolved incident inside the reopen
window), raise (a more severe alert raises priority/severity, never lowers them). Per incident,
at the end: the counters, at most one timeline line, and auto-resolve once every alert has
resolved — unless the sender left some of the group out of the notification (truncated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from incidentdesk.domain import routing
from incidentdesk.domain.alerts import AlertBatch, NormalAlert
from incidentdesk.domain.enums import EventKind, ResolutionCode, Status
from incidentdesk.domain.priority import derive_priority
from incidentdesk.domain.text import strip_control
from incidentdesk.services import incidents as incident_svc
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.timeline import append_event
from incidentdesk.store.changefeed import record_change
from incidentdesk.store.models import Alert, Group, Incident
from incidentdesk.store.oncall import on_call_now

AUTO_RESOLVED_NOTE = "auto-resolved by monitoring"
SEVERITY_RANK = {"SEV1": 1, "SEV2": 2, "SEV3": 3, "SEV4": 4}


def _fit(value: str | None, column: str) -> str | None:
    """A label copied into a length-limited incident column, cut to the column's length so that both
    backends store the same thing (PostgreSQL refuses what SQLite keeps). The alert record keeps the
    label whole; keys are never cut but hashed (ingest/common.bounded), so they cannot collide."""
    limit = Incident.__table__.c[column].type.length
    if value is None or limit is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


@dataclass
class _Touched:
    """What one batch did to one incident, to write at most one timeline line for it."""

    incident: Incident
    created: bool = False
    reopened: bool = False
    raised: bool = False
    new_alerts: list[str] = field(default_factory=list)
    fired_again: list[str] = field(default_factory=list)  # known alerts that had resolved
    notes: list[str] = field(default_factory=list)
    repeats: int = 0
    resolved: int = 0
    previous_last_alert_at: datetime | None = None


class BatchApplier:
    def __init__(self, ctx: ServiceContext, s: Session, policy, now: datetime, batch: AlertBatch):
        self.ctx, self.s, self.policy, self.now, self.batch = ctx, s, policy, now, batch
        self.touched: dict[int, _Touched] = {}
        self.by_correlation_key: dict[str, Incident] = {}
        self.alerts: dict[str, Alert] = {}
        self.incidents: dict[int, Incident] = {}
        self.ignored = 0
        self.acknowledged: list[str] = []

    # -- loading: three queries per batch whatever its size --
    def _live(self):
        """Open incidents, and resolved ones still inside the reopen window (a repeat reopens those)."""
        cutoff = self.now - self.ctx.config.reopen_window
        return or_(Incident.is_open.is_(True),
                   and_(Incident.status == str(Status.RESOLVED), Incident.resolved_at >= cutoff))

    def load(self) -> None:
        alerts = self.batch.alerts
        fingerprints = sorted({a.fingerprint for a in alerts})
        keys = sorted({a.correlation_key for a in alerts})
        rows = self.s.execute(
            select(Alert, Incident.id).join(Incident, Alert.incident_id == Incident.id)
            .where(Alert.source == self.batch.source, Alert.fingerprint.in_(fingerprints), self._live())
            .order_by(Alert.id)
        ).all()
        incident_ids = set()
        for alert, incident_id in rows:
            self.alerts[alert.fingerprint] = alert  # the newest wins (ordered by id)
            incident_ids.add(incident_id)
        query = (select(Incident).where(or_(Incident.id.in_(sorted(incident_ids)), Incident.correlation_key.in_(keys)),
                                        self._live()).order_by(Incident.id))
        if self.s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=Incident)
        for inc in self.s.scalars(query):
            self.incidents[inc.id] = inc
            if inc.correlation_key is not None:
                self.by_correlation_key[inc.correlation_key] = inc  # the newest live incident for a key wins

    # -- a delivery seen before: a retry, or news? --
    def is_retry(self) -> bool:
        """True when applying the batch again could only repeat itself: every firing alert still fires on
        an open incident, every resolved one is still resolved, every acknowledge is already done. A
        delivery that contradicts the current state (a trigger after a resolve) is news, whatever its bytes."""
        for alert in self.batch.alerts:
            row, inc = self.alerts.get(alert.fingerprint), self._incident_for(alert)
            if alert.action == "firing":
                if row is None or inc is None or row.incident_id != inc.id or row.status != "firing" or not inc.is_open:
                    return False
            elif alert.action == "resolved":
                if row is not None and row.status != "resolved":
                    return False
            elif inc is not None and Status(inc.status) is Status.NEW:
                return False
        return True

    def touch_last_seen(self) -> None:
        """A retry is not counted again, but it is evidence the alerts still fire: last-seen moves
        (a counters-only update: no version bump, so nobody's edit conflicts with it)."""
        ids = set()
        for alert in self.batch.alerts:
            row = self.alerts.get(alert.fingerprint)
            if alert.action == "firing" and row is not None:
                row.last_seen_at = self.now
                ids.add(row.incident_id)
        self._counters_only([{"iid": iid, "n": 0, "at": self.now} for iid in sorted(ids)])

    def run(self) -> dict:
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
        return self.by_correlation_key.get(alert.correlation_key)

    # -- per alert --
    def _fire(self, alert: NormalAlert) -> None:
        """A firing alert is always news: a known one is a repeat (even after it resolved: it fires
        again), an unknown one attaches to its group's incident or starts one."""
        row = self.alerts.get(alert.fingerprint)
        inc = self._incident_for(alert)
        if row is not None and inc is not None and row.incident_id == inc.id:
            t = self._touch(inc)
            self._reopen_if_resolved(inc, t, alert)
            labels_changed = row.labels != alert.labels
            if row.status == "resolved" and not t.reopened:
                t.fired_again.append(alert.labels.get("alertname") or alert.title)
            row.occurrences += 1
            row.last_seen_at = self.now
            row.status = "firing"
            row.ends_at = None
            row.summary = alert.title
            row.labels = alert.labels
            row.annotations = alert.annotations
            if alert.starts_at is not None:
                row.starts_at = alert.starts_at
            t.repeats += 1
            if labels_changed:  # e.g. an Events API v2 re-trigger with a higher severity
                self._raise_if_more_severe(inc, t, alert)
            return
        if inc is None:
            inc = self._create(alert)
            t = self._touch(inc)
            t.created = True
        else:
            t = self._touch(inc)
            self._reopen_if_resolved(inc, t, alert)
            t.new_alerts.append(alert.labels.get("alertname") or alert.title)
            self._raise_if_more_severe(inc, t, alert)
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

    def _decide(self, alert: NormalAlert) -> routing.Decision:
        return routing.decide(alert.labels, self.batch.source, rules=self.policy.rules,
                              severity_table=self.policy.severity_table, mapping=self.policy.mapping,
                              severity=alert.severity, default_group=self.policy.default_group)

    def _raise_if_more_severe(self, inc: Incident, t: _Touched, alert: NormalAlert) -> None:
        """An alert that maps to a higher priority (or a worse severity) than its incident raises it —
        impact and urgency become the alert's, so the priority is the alert's — and never lowers it.
        The SLA targets follow through the usual reprioritisation (services/assignment.py)."""
        d = self._decide(alert)
        priority = derive_priority(d.impact, d.urgency, self.ctx.config.priority_matrix)
        higher = priority < inc.priority
        worse = SEVERITY_RANK[str(d.severity)] < SEVERITY_RANK.get(inc.severity, 4)
        if not (higher or worse) or not inc.is_open:
            return
        labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()) if k != "alertname")
        labels = labels if len(labels) <= 300 else labels[:299] + "…"
        what = (f"alert {alert.labels.get('alertname') or alert.title} ({labels or 'no labels'}) maps to "
                f"P{min(priority, inc.priority)}/{d.severity if worse else inc.severity}")
        if not self.policy.raise_priority:
            t.notes.append(f"{what}, more severe than this incident's P{inc.priority}/{inc.severity}; "
                           "raise_priority is off: left for a person to reprioritise")
            return
        incident_svc.apply_reprioritise(
            self.s, self.ctx, inc, self.now, reason=f"raised by monitoring: {what}",
            impact=d.impact if higher else None, urgency=d.urgency if higher else None,
            severity=d.severity if worse else None)
        t.raised = True

    def _create(self, alert: NormalAlert) -> Incident:
        d = self._decide(alert)
        group = d.group if d.group and self._group_exists(d.group) else None
        description = alert.description
        if d.group and group is None:
            description = (description + "\n" if description else "") + (
                f"routing: group {d.group!r} (rule {d.rule or 'default_group'}) does not exist; left unassigned")
        title = alert.title if strip_control(alert.title).strip() else f"alert {alert.fingerprint}"
        assignee = d.assignee
        if d.assign_oncall and group is not None:  # the rule says: whoever is on call for the group now
            assignee = on_call_now(self.s, group, self.now)
        inc = incident_svc.create_incident(self.s, self.ctx, incident_svc.Intake(
            title=title, impact=d.impact, urgency=d.urgency, severity=d.severity, description=description,
            affected_service=_fit(d.service, "affected_service"), category=_fit(d.category, "category"),
            ci=_fit(self._known_ci(alert) or d.ci, "ci"), started_at=alert.starts_at,
            symptoms="\n".join(f"{k}={v}" for k, v in sorted(alert.labels.items())),
            group=group, tier=d.tier if group else None, assignee=assignee, source="alert",
        ))
        inc.correlation_key = alert.correlation_key
        inc.alert_count = 0
        self.s.flush()
        self.incidents[inc.id] = inc
        self.by_correlation_key[alert.correlation_key] = inc
        return inc

    def _known_ci(self, alert: NormalAlert) -> str | None:
        """The first `[cmdb] alert_ci_labels` label whose value names a known CI (store/cmdb.known_ci)."""
        from incidentdesk.store.cmdb import known_ci

        labels = self.ctx.config.schema.cmdb.alert_ci_labels
        return known_ci(self.s, [alert.labels[k] for k in labels if alert.labels.get(k)])

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
            if t.fired_again:
                lines.append(f"{len(t.fired_again)} resolved alert(s) firing again: {', '.join(t.fired_again[:5])}"
                             + (" ..." if len(t.fired_again) > 5 else ""))
            burst = t.previous_last_alert_at is None or self.now - t.previous_last_alert_at >= self.policy.burst_gap
            if t.repeats and (burst or t.reopened) and not t.created:
                lines.append(f"alerts repeating ({inc.alert_count + occurrences} occurrences so far)")
            all_resolved = t.resolved and firing_left.get(inc.id, 0) == 0 and inc.is_open
            resolve_now = all_resolved and not self.batch.truncated
            if t.resolved and not all_resolved:
                lines.append(f"{t.resolved} alert(s) resolved; {firing_left.get(inc.id, 0)} still firing")
            elif all_resolved and not resolve_now:
                lines.append(f"{t.resolved} alert(s) resolved and none we know of still fires, but the sender left "
                             f"{self.batch.truncated} alert(s) of this group out of the notification "
                             "(truncatedAlerts, max_alerts): not auto-resolved, they may still be firing")
            lines.extend(t.notes)
            if t.created:
                created.append(inc.key)
            if t.reopened:
                reopened.append(inc.key)
            wrote = t.created or t.reopened or t.raised or inc.key in self.acknowledged
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
        self._counters_only(counter_only)
        keys = sorted({t.incident.key for t in self.touched.values()})
        return {"incidents": keys, "created": created, "reopened": reopened, "auto_resolved": auto_resolved,
                "acknowledged": self.acknowledged, "alerts": len(self.batch.alerts), "ignored": self.ignored}

    def _counters_only(self, rows: list[dict]) -> None:
        """Add `n` occurrences and set last_alert_at to `at`, per incident `iid`, in one statement."""
        if not rows:
            return
        table = Incident.__table__
        self.s.connection().execute(
            update(table).where(table.c.id == bindparam("iid"))
            .values(alert_count=table.c.alert_count + bindparam("n"), last_alert_at=bindparam("at")),
            rows,
        )
        # The change feed hears of it on both backends (on PostgreSQL this is what was missing).
        record_change(self.s, [row["iid"] for row in rows], EventKind.ALERT, self.now)

    def _firing_counts(self, incident_ids: Sequence[int]) -> dict[int, int]:
        if not incident_ids:
            return {}
        rows = self.s.execute(select(Alert.incident_id, func.count()).where(
            Alert.incident_id.in_(incident_ids), Alert.status == "firing").group_by(Alert.incident_id)).all()
        return {iid: n for iid, n in rows}

    def _alert_total(self, incident_id: int) -> int:
        return int(self.s.scalar(select(func.count()).select_from(Alert).where(Alert.incident_id == incident_id)) or 0)
