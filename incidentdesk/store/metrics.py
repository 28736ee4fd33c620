"""The report's figures, computed by the database (SQL: store/metrics_sql.py; definitions: domain/metrics.py).

Nothing here loads incidents: each grouping is one aggregate statement and Python only shapes
its few result rows. `report()` is what the CLI, the reports screen and the benchmark call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, text

from incidentdesk.domain.metrics import DURATIONS, Period, rate
from incidentdesk.store.engine import Database
from incidentdesk.store.metrics_sql import (
    COUNTS, MEASURES, excluded, logged_sql, mtbf_sql, report_sql, weekly_mttr_sql, weekly_volume_sql,
)
from incidentdesk.store.types import UTCDateTime

EXCLUDED = excluded  # the single exclusion predicate (see its docstring): one name for siblings to find


@dataclass(frozen=True)
class Stat:
    """One duration figure: how many incidents it counts, and mean / median / p90 in seconds."""

    n: int
    mean: float | None
    p50: float | None
    p90: float | None

    def as_dict(self) -> dict:
        return {"n": self.n, "mean": self.mean, "p50": self.p50, "p90": self.p90}


@dataclass(frozen=True)
class Row:
    """The figures of one group: `key` the breakdown's value (None: all), `priority` (None: all)."""

    key: str | None
    priority: int | None
    counts: dict[str, int]
    csat_avg: float | None
    stats: dict[str, Stat]

    @property
    def fcr_rate(self) -> float | None:
        return rate(self.counts["fcr"], self.counts["resolved"])

    @property
    def reopen_rate(self) -> float | None:
        return rate(self.counts["reopened"], self.counts["resolved"])

    @property
    def escalation_rate(self) -> float | None:
        return rate(self.counts["escalated"], self.counts["created"])

    @property
    def response_met(self) -> float | None:
        return rate(self.counts["resp_met"], self.counts["resp_met"] + self.counts["resp_breached"])

    @property
    def resolution_met(self) -> float | None:
        return rate(self.counts["res_met"], self.counts["res_met"] + self.counts["res_breached"])

    def as_dict(self) -> dict:
        return {"key": self.key, "priority": self.priority, **self.counts, "csat_avg": self.csat_avg,
                "fcr_rate": self.fcr_rate, "reopen_rate": self.reopen_rate,
                "escalation_rate": self.escalation_rate, "response_met_pct": self.response_met,
                "resolution_met_pct": self.resolution_met,
                **{m: self.stats[m].as_dict() for m in (*DURATIONS, "age")}}


@dataclass(frozen=True)
class Report:
    period: Period
    by: str
    now: datetime
    logged: list[tuple[str, str, int]]
    rows: list[Row]
    mtbf: dict[str, list[tuple[str, int, float]]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"since": self.period.since.isoformat(), "until": self.period.until.isoformat(),
                "now": self.now.isoformat(), "by": self.by,
                "logged": [{"type": t, "source": s, "n": n} for t, s, n in self.logged],
                "rows": [r.as_dict() for r in self.rows],
                "mtbf": {dim: [{"name": k, "n": n, "mtbf": v} for k, n, v in rows] for dim, rows in self.mtbf.items()}}


def _round(value) -> float | None:
    """Three decimals: the backends' float arithmetic differs past that, and seconds need no more."""
    return None if value is None else round(float(value), 3)


def _bind(sql: str):
    return text(sql).bindparams(bindparam("since", type_=UTCDateTime()), bindparam("until", type_=UTCDateTime()))


def _no_jit(session, db: Database) -> None:
    """PostgreSQL's JIT spends ~2 s compiling these wide aggregates (measured: 1.96 s of a 2.05 s query
    at 20k incidents), which a report of a few thousand rows never wins back; off for this read only."""
    if db.backend != "sqlite":
        session.execute(text("SET LOCAL jit = off"))


def groupings(by: str) -> list[tuple[str, ...]]:
    """All, per priority (always), and for another breakdown: per its value and per value and priority."""
    out = [(), ("priority",)]
    if by != "priority":
        out += [(by,), (by, "priority")]
    return out


def _rows(db: Database, keys: tuple[str, ...], period: Period, now: datetime) -> list[Row]:
    params = {"since": period.since, "until": period.until, "now_s": int(now.timestamp())}
    with db.read() as s:
        _no_jit(s, db)
        result = s.execute(_bind(report_sql(db.backend, keys)), params).mappings().all()
    rows = []
    for m in result:
        if not keys and not m["created"] and not m["resolved"] and not m["open"]:
            m = {**m, **{c: 0 for c in COUNTS}}  # an empty period: zeros, not NULLs
        key = m.get("k0") if keys and keys[0] != "priority" else None
        priority = m.get(f"k{keys.index('priority')}") if "priority" in keys else None
        stats = {x: Stat(int(m[f"{x}_n"] or 0), _round(m[f"{x}_mean"]), _round(m[f"{x}_p50"]), _round(m[f"{x}_p90"]))
                 for x in MEASURES}
        rows.append(Row("(none)" if keys and keys[0] != "priority" and key is None else key,
                        None if priority is None else int(priority),
                        {c: int(m[c] or 0) for c in COUNTS}, _round(m["csat_avg"]), stats))
    return sorted(rows, key=lambda r: (r.key or "", r.priority or 0))


def report(db: Database, period: Period, by: str = "priority", *, now: datetime, mtbf_limit: int = 20) -> Report:
    """The whole report: every figure for each grouping, logged volume and MTBF."""
    rows: list[Row] = []
    for keys in groupings(by):
        rows += _rows(db, keys, period, now)
    params = {"since": period.since, "until": period.until}
    with db.read() as s:
        logged = [(r.type, r.source, int(r.n)) for r in s.execute(_bind(logged_sql()), params)]
        mtbf = {dim: [(r.k, int(r.n), _round(r.mtbf)) for r in
                      s.execute(_bind(mtbf_sql(db.backend, dim)), {**params, "limit": mtbf_limit})]
                for dim in ("service", "ci")}
    return Report(period, by, now, logged, _order(rows, by), mtbf)


def _order(rows: list[Row], by: str) -> list[Row]:
    """All first, then per priority; then each breakdown value followed by its priorities."""
    total = [r for r in rows if r.key is None and r.priority is None]
    per_priority = [r for r in rows if r.key is None and r.priority is not None]
    rest = sorted((r for r in rows if r.key is not None), key=lambda r: (r.key, r.priority is not None, r.priority or 0))
    return total + per_priority + rest


@dataclass(frozen=True)
class Trends:
    """Weekly series for the reports screen: week starts ('YYYY-MM-DD') -> value, per priority."""

    weeks: list[str]
    volume: dict[int, dict[str, int]]
    mttr: dict[int, dict[str, float]]
    response_met: dict[str, float | None]
    resolution_met: dict[str, float | None]


def trends(db: Database, period: Period) -> Trends:
    params = {"since": period.since, "until": period.until}
    volume: dict[int, dict[str, int]] = {}
    mttr: dict[int, dict[str, float]] = {}
    judged: dict[str, list[int]] = {}
    with db.read() as s:
        for r in s.execute(_bind(weekly_volume_sql(db.backend)), params):
            volume.setdefault(int(r.p), {})[r.w] = int(r.n)
            acc = judged.setdefault(r.w, [0, 0, 0, 0])
            for i, v in enumerate((r.resp_met, r.resp_judged, r.res_met, r.res_judged)):
                acc[i] += int(v or 0)
        for r in s.execute(_bind(weekly_mttr_sql(db.backend)), params):
            mttr.setdefault(int(r.p), {})[r.w] = _round(r.mttr)
    weeks = sorted({w for series in (*volume.values(), *mttr.values()) for w in series})
    return Trends(weeks, volume, mttr, {w: rate(a[0], a[1]) for w, a in judged.items()},
                  {w: rate(a[2], a[3]) for w, a in judged.items()})
