"""GET /metrics: the desk in Prometheus' exposition format, with the official client library.

A custom Collector reads the database at each scrape (store/metrics_live.py): no process-local
counters, so several receivers behind one load balancer agree, and a restart resets nothing.
Imported by ingest/app.py only when /metrics is first asked for: prometheus_client stays out of
every other path. Counters are totals over the whole table (created, resolved, SLA breaches):
a reopen clears resolved_at, so the resolved counter can step back by one (Prometheus reads
that as a reset, which rate() tolerates).
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from incidentdesk.domain.enums import OPEN_STATUSES
from incidentdesk.store.engine import Database
from incidentdesk.store.metrics_live import live

PRIORITIES = (1, 2, 3, 4)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class DeskCollector:
    """Yields every family from one read of the database; labels are P1..P4 (all four, zeros included)."""

    def __init__(self, db: Database, now) -> None:
        self.db, self.now = db, now

    def collect(self):
        data = live(self.db, self.now())
        opened = GaugeMetricFamily("incidentdesk_open_incidents", "Open incidents by priority and status",
                                   labels=["priority", "status"])
        for p in PRIORITIES:
            for status in sorted(OPEN_STATUSES):
                opened.add_metric([f"P{p}", str(status)], data.open.get((p, str(status)), 0))
        yield opened
        for name, doc, values in (
            ("incidentdesk_unacknowledged_incidents", "Open incidents not yet acknowledged", data.unacknowledged),
            ("incidentdesk_at_risk_incidents", "Open incidents with an SLA target at risk (none breached)", data.at_risk),
            ("incidentdesk_breached_incidents", "Open incidents with a breached SLA target", data.breached),
        ):
            family = GaugeMetricFamily(name, doc, labels=["priority"])
            for p in PRIORITIES:
                family.add_metric([f"P{p}"], values.get(p, 0))
            yield family
        yield GaugeMetricFamily("incidentdesk_open_major_incidents", "Open major incidents", value=data.majors)
        yield GaugeMetricFamily("incidentdesk_overdue_stakeholder_updates",
                                "Open major incidents past their next stakeholder update", value=data.overdue_updates)
        yield GaugeMetricFamily("incidentdesk_oldest_open_incident_age_seconds",
                                "Age of the oldest open incident (0 when none is open)", value=data.oldest_age or 0.0)
        for name, doc, values in (("incidentdesk_incidents_created", "Incidents created (all time)", data.created),
                                  ("incidentdesk_incidents_resolved", "Incidents resolved (all time)", data.resolved)):
            family = CounterMetricFamily(name, doc, labels=["priority"])
            for p in PRIORITIES:
                family.add_metric([f"P{p}"], values.get(p, 0))
            yield family
        family = CounterMetricFamily("incidentdesk_sla_breaches", "SLA targets breached (all time), replaced ones included",
                                     labels=["priority", "target"])
        for p in PRIORITIES:
            for target in ("response", "resolution"):
                family.add_metric([f"P{p}", target], data.breaches.get((p, target), 0))
        yield family


def exposition(db: Database, now) -> bytes:
    """The scrape's body: a registry holding only the desk's collector (no process or GC metrics)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DeskCollector(db, now))
    return generate_latest(registry)


def scrape_now(db: Database, now: datetime) -> bytes:
    return exposition(db, lambda: now)
