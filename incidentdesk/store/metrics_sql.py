"""The report's SQL, written per backend from one description (the definitions: domain/metrics.py).

One statement per grouping computes every figure in a single pass over the incidents it needs:
a `base` CTE reads each counted incident once (its instants as whole epoch seconds, its flags as
0/1), `measured` turns them into durations (NULL where a figure does not count the incident),
and the last SELECT aggregates. Percentiles are linear interpolation between closest ranks on
both backends: PostgreSQL's percentile_cont, and on SQLite (which has no percentile function)
the same arithmetic over row_number()/count() windows, so both give the same numbers.
"""

from __future__ import annotations

from incidentdesk.domain.metrics import (
    DUPLICATE_CODE, DUPLICATE_LINK, EXCLUDED_STATUSES, EXCLUDED_TYPES, PERCENTILES, RESOLVE_CODE, RESTORE_CODE,
)

# What each breakdown groups by. Only these names ever reach the SQL (never user text).
KEY_SQL = {
    "priority": "i.priority",
    "group": "g.name",
    "assignee": "i.assignee",
    "category": "i.category",
    "service": "i.affected_service",
    "ci": "i.ci",
}

MEASURES = ("mtta", "mttr_gross", "mttr_net", "restore", "resolve", "age")
SHARES_NET_ORDER = ("mttr_net", "restore", "resolve")   # ranked in one sort (restore/resolve: net on a subset)
COUNTS = ("created", "resolved", "open", "fcr", "reopened", "escalated", "resp_met", "resp_breached",
          "res_met", "res_breached", "csat_n")


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)  # constants from domain/metrics.py, never user input


def excluded(alias: str = "i") -> str:
    """THE exclusion: true for an incident no figure but "logged" counts.

    Service requests, cancelled incidents, and duplicates: by resolution code, or linked as a
    duplicate of another incident (link_kind, services/links.py) whatever they were resolved with.
    """
    return (f"({alias}.type IN ({_quoted(EXCLUDED_TYPES)}) OR {alias}.status IN ({_quoted(EXCLUDED_STATUSES)})"
            f" OR COALESCE({alias}.resolution_code, '') = '{DUPLICATE_CODE}'"
            f" OR COALESCE({alias}.link_kind, '') = '{DUPLICATE_LINK}')")


def epoch(backend: str, column: str) -> str:
    """An instant as whole seconds since 1970 (truncated), the same integer on both backends."""
    if backend == "sqlite":
        return f"CAST(strftime('%s', {column}) AS INTEGER)"
    return f"CAST(floor(extract(epoch FROM {column})) AS BIGINT)"


def week(backend: str, column: str) -> str:
    """The Monday (UTC) of the instant's week, as 'YYYY-MM-DD' text on both backends."""
    if backend == "sqlite":
        return f"date({column}, '-6 days', 'weekday 1')"
    return f"to_char(date_trunc('week', {column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"


def _floor_seconds(backend: str, column: str) -> str:
    return f"CAST({column} AS INTEGER)" if backend == "sqlite" else f"CAST(floor({column}) AS BIGINT)"


def _greatest(backend: str, a: str, b: str) -> str:
    return f"max({a}, {b})" if backend == "sqlite" else f"greatest({a}, {b})"


def _verdict(target: str) -> str:
    """'b' breached (now, or in a target it replaced), 'm' met, NULL still running."""
    replaced = (f"EXISTS (SELECT 1 FROM sla_target_history h WHERE h.incident_id = i.id "
                f"AND h.target = '{target}' AND h.state = 'breached')")
    return (f"CASE WHEN i.{target}_sla_state = 'breached' OR {replaced} THEN 'b' "
            f"WHEN i.{target}_sla_state = 'met' THEN 'm' END")


def _from(keys: tuple[str, ...]) -> str:
    join = " LEFT JOIN groups g ON g.id = i.group_id" if "group" in keys else ""
    return f"incidents i{join}"


def report_sql(backend: str, keys: tuple[str, ...]) -> str:
    """Every figure for one grouping (keys: names from KEY_SQL; () for the whole period).

    Binds :since and :until (the period, as datetimes) and :now_s (now, in epoch seconds).
    Columns: k0..kN, then COUNTS, csat_avg, and per measure m: m_n, m_mean, m_p50, m_p90.
    """
    ks = [f"k{n}" for n in range(len(keys))]
    key_select = "".join(f"{KEY_SQL[k]} AS k{n}, " for n, k in enumerate(keys))
    carry = "".join(f"{k}, " for k in ks)
    created = "i.created_at >= :since AND i.created_at < :until"
    resolved = "i.resolved_at >= :since AND i.resolved_at < :until"
    net = _greatest(backend, "tr - t0 - hold", "0")
    base = f"""base AS (
  SELECT {key_select}
    CASE WHEN {created} THEN 1 ELSE 0 END AS c,
    CASE WHEN {resolved} THEN 1 ELSE 0 END AS r,
    CASE WHEN i.is_open THEN 1 ELSE 0 END AS o,
    {epoch(backend, 'i.created_at')} AS t0,
    {epoch(backend, 'i.acknowledged_at')} AS ta,
    {epoch(backend, 'i.resolved_at')} AS tr,
    {_floor_seconds(backend, 'COALESCE(i.sla_paused_seconds, 0)')} AS hold,
    i.resolution_code AS rc,
    CASE WHEN i.first_contact_resolution THEN 1 ELSE 0 END AS fcr,
    CASE WHEN i.reopen_count > 0 THEN 1 ELSE 0 END AS reop,
    {_verdict('response')} AS resp,
    {_verdict('resolution')} AS res,
    i.csat AS csat,
    i.id AS id
  FROM {_from(keys)}
  WHERE NOT {excluded()} AND (({created}) OR ({resolved}) OR i.is_open = TRUE)
), measured AS (
  SELECT {carry} c, r, o,
    r * fcr AS fcr, r * reop AS reopened,
    CASE WHEN c = 1 AND EXISTS (SELECT 1 FROM escalations e WHERE e.incident_id = base.id) THEN 1 ELSE 0 END
      AS escalated,
    CASE WHEN c = 1 AND resp = 'm' THEN 1 ELSE 0 END AS resp_met,
    CASE WHEN c = 1 AND resp = 'b' THEN 1 ELSE 0 END AS resp_breached,
    CASE WHEN c = 1 AND res = 'm' THEN 1 ELSE 0 END AS res_met,
    CASE WHEN c = 1 AND res = 'b' THEN 1 ELSE 0 END AS res_breached,
    CASE WHEN r = 1 THEN csat END AS csat,
    CASE WHEN c = 1 AND ta IS NOT NULL THEN ta - t0 END AS mtta,
    CASE WHEN r = 1 THEN tr - t0 END AS mttr_gross,
    CASE WHEN r = 1 THEN {net} END AS mttr_net,
    CASE WHEN r = 1 AND rc = '{RESTORE_CODE}' THEN {net} END AS restore,
    CASE WHEN r = 1 AND rc = '{RESOLVE_CODE}' THEN {net} END AS resolve,
    CASE WHEN o = 1 THEN :now_s - t0 END AS age
  FROM base
)"""
    sums = ("sum(c) AS created, sum(r) AS resolved, sum(o) AS open, sum(fcr) AS fcr, sum(reopened) AS reopened, "
            "sum(escalated) AS escalated, sum(resp_met) AS resp_met, sum(resp_breached) AS resp_breached, "
            "sum(res_met) AS res_met, sum(res_breached) AS res_breached, count(csat) AS csat_n, "
            "CAST(avg(csat) AS FLOAT) AS csat_avg")
    group = f" GROUP BY {', '.join(ks)}" if ks else ""
    if backend == "sqlite":
        part = f"PARTITION BY {', '.join(ks)} " if ks else ""
        windows = "".join(f", count({m}) OVER ({part.strip()}) AS n_{m}" for m in MEASURES)
        net_order = f"OVER ({part}ORDER BY mttr_net IS NULL, mttr_net ROWS UNBOUNDED PRECEDING)"
        for m in MEASURES:
            if m in SHARES_NET_ORDER:
                # One sort, not three: restore and resolve are mttr_net on subsets of its rows, so in its
                # order a running count of the subset's rows is their rank (the same window: one pass).
                windows += f", sum(CASE WHEN {m} IS NOT NULL THEN 1 ELSE 0 END) {net_order} AS rn_{m}"
            else:
                windows += f", row_number() OVER ({part}ORDER BY {m} IS NULL, {m}) AS rn_{m}"
        stats = "".join(f", count({m}) AS {m}_n, avg({m}) AS {m}_mean"
                        + "".join(f", {_sqlite_percentile(m, p)} AS {m}_p{round(p * 100)}" for p in PERCENTILES)
                        for m in MEASURES)
        return (f"WITH {base}, ranked AS (SELECT measured.*{windows} FROM measured)\n"
                f"SELECT {carry}{sums}{stats} FROM ranked{group}")
    stats = "".join(f", count({m}) AS {m}_n, CAST(avg({m}) AS FLOAT) AS {m}_mean"
                    + "".join(f", percentile_cont({p}) WITHIN GROUP (ORDER BY {m}) AS {m}_p{round(p * 100)}"
                              for p in PERCENTILES)
                    for m in MEASURES)
    return f"WITH {base}\nSELECT {carry}{sums}{stats} FROM measured{group}"


def _sqlite_percentile(m: str, p: float) -> str:
    """percentile_cont(p) by hand: with n values ranked 1..n, position = p*(n-1); the value at rank
    floor(position)+1, plus the fraction of the way to the next rank's value."""
    pos = f"({p} * (n_{m} - 1))"
    low = f"(CAST({pos} AS INTEGER) + 1)"
    high = f"min({low} + 1, n_{m})"
    at_low = f"max(CASE WHEN rn_{m} = {low} THEN {m} END)"
    at_high = f"max(CASE WHEN rn_{m} = {high} THEN {m} END)"
    return f"({at_low} + max({pos} - CAST({pos} AS INTEGER)) * ({at_high} - {at_low}))"


def logged_sql() -> str:
    """Incidents logged in the period by type and source: every record, nothing excluded."""
    return ("SELECT i.type AS type, i.source AS source, count(*) AS n FROM incidents i "
            "WHERE i.created_at >= :since AND i.created_at < :until GROUP BY i.type, i.source ORDER BY 1, 2")


def mtbf_sql(backend: str, dimension: str) -> str:
    """Mean time between failures per service or CI: (last start - first start) / (n - 1), n >= 2."""
    start = epoch(backend, "COALESCE(i.started_at, i.created_at)")
    return (f"SELECT {KEY_SQL[dimension]} AS k, count(*) AS n, "
            f"CAST(max({start}) - min({start}) AS FLOAT) / (count(*) - 1) AS mtbf "
            f"FROM incidents i WHERE NOT {excluded()} AND i.created_at >= :since AND i.created_at < :until "
            f"AND {KEY_SQL[dimension]} IS NOT NULL GROUP BY {KEY_SQL[dimension]} HAVING count(*) >= 2 "
            f"ORDER BY n DESC, k LIMIT :limit")


def weekly_volume_sql(backend: str) -> str:
    """Per week created and priority: how many, and the response / resolution verdicts."""
    return (f"SELECT w, p, count(*) AS n, "
            f"sum(CASE WHEN resp = 'm' THEN 1 ELSE 0 END) AS resp_met, "
            f"sum(CASE WHEN resp IS NOT NULL THEN 1 ELSE 0 END) AS resp_judged, "
            f"sum(CASE WHEN res = 'm' THEN 1 ELSE 0 END) AS res_met, "
            f"sum(CASE WHEN res IS NOT NULL THEN 1 ELSE 0 END) AS res_judged "
            f"FROM (SELECT {week(backend, 'i.created_at')} AS w, i.priority AS p, {_verdict('response')} AS resp, "
            f"{_verdict('resolution')} AS res FROM incidents i "
            f"WHERE NOT {excluded()} AND i.created_at >= :since AND i.created_at < :until) t "
            f"GROUP BY w, p ORDER BY w, p")


def weekly_mttr_sql(backend: str) -> str:
    """Per week resolved and priority: the mean net MTTR (seconds)."""
    t0, tr = epoch(backend, "i.created_at"), epoch(backend, "i.resolved_at")
    hold = _floor_seconds(backend, "COALESCE(i.sla_paused_seconds, 0)")
    return (f"SELECT {week(backend, 'i.resolved_at')} AS w, i.priority AS p, count(*) AS n, "
            f"CAST(avg({_greatest(backend, f'{tr} - {t0} - {hold}', '0')}) AS FLOAT) AS mttr "
            f"FROM incidents i WHERE NOT {excluded()} AND i.resolved_at >= :since AND i.resolved_at < :until "
            f"GROUP BY 1, 2 ORDER BY 1, 2")
