"""The metrics at scale: the full report, and a /metrics scrape, each beside a bare-SQL baseline.

    python tests/bench/bench_report.py [--n 1000000] [--pg URL] [--since 730d] [--rounds 3] [--no-sqlite]

1. `store.metrics.report()` (what `incidentdesk report` and the reports screen run: every figure
   for the whole period and per priority, logged volume, MTBF per service and CI) against SQL
   written by hand for the same figures — plainer statements (one per figure family: counts,
   then each duration's percentiles separately), run bare through the DBAPI (sqlite3 /
   psycopg), no SQLAlchemy. Its numbers are checked equal to the report's. Target: within 2x.
2. GET /metrics through a real receiver over HTTP (uvicorn on 127.0.0.1, Prometheus text by
   prometheus_client) against the same three SQL statements run bare. Target: within 2x.

Best of --rounds for each. The data: tests/bench/datagen.py (--n incidents over two years,
10% open), SQLite always, PostgreSQL with --pg. --since 730d covers every incident (the full
report); a shorter period reads fewer rows.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.datagen import NOW, make_postgres, make_sqlite  # noqa: E402

from incidentdesk.domain.metrics import parse_period  # noqa: E402
from incidentdesk.store.engine import open_database  # noqa: E402
from incidentdesk.store.metrics import report  # noqa: E402
from incidentdesk.store.metrics_live import open_sql, replaced_sql, totals_sql  # noqa: E402

# --- the hand-written baseline -------------------------------------------------------------------
EXCLUDE = "type <> 'request' AND status <> 'cancelled' AND COALESCE(resolution_code, '') <> 'duplicate'"


def _sec(backend: str, col: str) -> str:
    return (f"CAST(strftime('%s', {col}) AS INTEGER)" if backend == "sqlite"
            else f"floor(extract(epoch FROM {col}))::bigint")


def _hold(backend: str) -> str:
    return "CAST(COALESCE(sla_paused_seconds, 0) AS INTEGER)" if backend == "sqlite" \
        else "floor(COALESCE(sla_paused_seconds, 0))::bigint"


def hand_measures(backend: str) -> dict[str, tuple[str, str]]:
    """measure -> (value expression, which rows), written out per figure."""
    c0, ca, cr = _sec(backend, "created_at"), _sec(backend, "acknowledged_at"), _sec(backend, "resolved_at")
    net = (f"max({cr} - {c0} - {_hold(backend)}, 0)" if backend == "sqlite"
           else f"greatest({cr} - {c0} - {_hold(backend)}, 0)")
    created, resolved = "created_at >= :since AND created_at < :until", "resolved_at >= :since AND resolved_at < :until"
    return {
        "mtta": (f"{ca} - {c0}", f"{created} AND acknowledged_at IS NOT NULL"),
        "mttr_gross": (f"{cr} - {c0}", resolved),
        "mttr_net": (net, resolved),
        "restore": (net, f"{resolved} AND resolution_code = 'workaround'"),
        "resolve": (net, f"{resolved} AND resolution_code = 'permanent_fix'"),
        "age": (f":now_s - {c0}", "is_open"),
    }


def hand_counts(backend: str, by_priority: bool) -> str:
    created, resolved = "created_at >= :since AND created_at < :until", "resolved_at >= :since AND resolved_at < :until"
    hist = ("EXISTS (SELECT 1 FROM sla_target_history h WHERE h.incident_id = incidents.id AND h.target = '{t}' "
            "AND h.state = 'breached')")
    brk = {t: f"({t}_sla_state = 'breached' OR {hist.format(t=t)})" for t in ("response", "resolution")}
    esc = "EXISTS (SELECT 1 FROM escalations e WHERE e.incident_id = incidents.id)"

    def n(cond: str) -> str:
        return f"sum(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    cols = [n(created), n(resolved), n("is_open"), n(f"{resolved} AND first_contact_resolution"),
            n(f"{resolved} AND reopen_count > 0"), n(f"{created} AND {esc}"),
            n(f"{created} AND response_sla_state = 'met' AND NOT {brk['response']}"), n(f"{created} AND {brk['response']}"),
            n(f"{created} AND resolution_sla_state = 'met' AND NOT {brk['resolution']}"),
            n(f"{created} AND {brk['resolution']}"), f"count(CASE WHEN {resolved} THEN csat END)",
            f"avg(CASE WHEN {resolved} THEN csat END)"]
    key = "priority, " if by_priority else ""
    return (f"SELECT {key}{', '.join(cols)} FROM incidents WHERE {EXCLUDE} AND ({created} OR {resolved} OR is_open = TRUE)"
            + (" GROUP BY priority" if by_priority else ""))


def hand_percentiles(backend: str, measure: str, by_priority: bool) -> str:
    value, rows = hand_measures(backend)[measure]
    key = "priority, " if by_priority else ""
    if backend != "sqlite":
        return (f"SELECT {key}count(*), avg(v)::float8, percentile_cont(0.5) WITHIN GROUP (ORDER BY v), "
                f"percentile_cont(0.9) WITHIN GROUP (ORDER BY v) FROM (SELECT {key}{value} AS v FROM incidents "
                f"WHERE {EXCLUDE} AND {rows}) x" + (" GROUP BY priority" if by_priority else ""))
    part = "PARTITION BY priority " if by_priority else ""
    pick = []
    for p in (0.5, 0.9):
        lo = f"(CAST({p} * (n - 1) AS INTEGER) + 1)"
        frac = f"({p} * (n - 1) - CAST({p} * (n - 1) AS INTEGER))"
        v_lo = f"max(CASE WHEN rn = {lo} THEN v END)"
        v_hi = f"max(CASE WHEN rn = min({lo} + 1, n) THEN v END)"
        pick.append(f"{v_lo} + max({frac}) * ({v_hi} - {v_lo})")
    return (f"SELECT {key}count(*), avg(v), {pick[0]}, {pick[1]} FROM (SELECT {key}v, row_number() OVER "
            f"({part}ORDER BY v) AS rn, count(*) OVER ({part.strip()}) AS n FROM (SELECT {key}{value} AS v "
            f"FROM incidents WHERE {EXCLUDE} AND {rows}) x) y" + (" GROUP BY priority" if by_priority else ""))


def hand_extras(backend: str) -> list[str]:
    start = _sec(backend, "COALESCE(started_at, created_at)")
    window = "created_at >= :since AND created_at < :until"
    out = [f"SELECT type, source, count(*) FROM incidents WHERE {window} GROUP BY type, source"]
    for col in ("affected_service", "ci"):
        out.append(f"SELECT {col}, count(*), (max({start}) - min({start})) * 1.0 / (count(*) - 1) FROM incidents "
                   f"WHERE {EXCLUDE} AND {window} AND {col} IS NOT NULL GROUP BY {col} HAVING count(*) >= 2 "
                   f"ORDER BY count(*) DESC, {col} LIMIT 20")
    return out


def hand_statements(backend: str) -> list[str]:
    out = []
    for by_priority in (False, True):
        out.append(hand_counts(backend, by_priority))
        out += [hand_percentiles(backend, m, by_priority) for m in hand_measures(backend)]
    return out + hand_extras(backend)


# --- running bare ---------------------------------------------------------------------------------
def _sqlite_params(period) -> dict:
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    return {"since": period.since.replace(tzinfo=None).strftime(fmt), "until": period.until.replace(tzinfo=None).strftime(fmt),
            "now_s": int(NOW.timestamp()), "now": NOW.replace(tzinfo=None).strftime(fmt)}


def bare_runner(backend: str, target, period):
    """A function running a list of SQL texts (with :name parameters) bare; returns every result."""
    if backend == "sqlite":
        conn = sqlite3.connect(str(target))
        params = _sqlite_params(period)

        def run(statements):
            return [conn.execute(sql, params).fetchall() for sql in statements]
        return run, conn.close
    import re

    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(target)
    conn = psycopg.connect(f"host={u.host} port={u.port or 5432} dbname={u.database} user={u.username or 'postgres'}",
                           autocommit=True)
    conn.execute("SET jit = off")   # as store/metrics does: JIT costs seconds on these aggregates
    params = {"since": period.since, "until": period.until, "now_s": int(NOW.timestamp()), "now": NOW}

    def run(statements):
        out = []
        for sql in statements:
            out.append(conn.execute(re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql.replace("%", "%%")), params).fetchall())
        return out
    return run, conn.close


def best(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _check_equal(rep, hand_results) -> None:
    """The hand-written SQL's total row equals the report's (so both compute the same figures)."""
    total = rep.rows[0]
    counts = hand_results[0][0]
    assert [int(x or 0) for x in counts[:11]] == [total.counts[k] for k in (
        "created", "resolved", "open", "fcr", "reopened", "escalated", "resp_met", "resp_breached", "res_met",
        "res_breached", "csat_n")], (counts, total.counts)
    for i, m in enumerate(("mtta", "mttr_gross", "mttr_net", "restore", "resolve", "age"), start=1):
        n, mean, p50, p90 = hand_results[i][0]
        s = total.stats[m]
        got = (int(n), *(None if v is None else round(float(v), 3) for v in (mean, p50, p90)))
        assert got == (s.n, s.mean, s.p50, s.p90), (m, got, s)


def bench_backend(name: str, url: str, target, n: int, since: str, rounds: int) -> None:
    from tests.support.receiver import free_socket, serve_in_thread

    backend = "sqlite" if name == "sqlite" else "postgresql"
    period = parse_period(since, None, NOW)
    db = open_database(url)
    run, close = bare_runner(backend, target, period)
    hand = hand_statements(backend)
    rep = report(db, period, "priority", now=NOW)
    _check_equal(rep, run(hand))
    t_report = best(lambda: report(db, period, "priority", now=NOW), rounds)
    t_hand = best(lambda: run(hand), rounds)
    print(f"{name:10} report  n={n:,} since={since}: report() {t_report:.3f} s, hand-written SQL {t_hand:.3f} s, "
          f"ratio {t_report / t_hand:.2f}x (target <= 2x)", flush=True)
    # /metrics: a real receiver over HTTP against the same statements bare
    import httpx

    from incidentdesk.config import parse_config
    from incidentdesk.ingest.app import create_app
    from incidentdesk.ingest.settings import settings_from_config
    from incidentdesk.services.context import ServiceContext
    from incidentdesk.services.alerts import monitoring_actor

    conf = parse_config({"ingest": {"metrics_token": "bench-scrape-token"}})
    settings = settings_from_config(conf)
    ctx = ServiceContext(db, conf, monitoring_actor("bench", settings.actor), lambda: NOW)
    sock = free_socket()
    server, thread = serve_in_thread(create_app(ctx, settings), sock)
    client = httpx.Client(timeout=600)
    url_metrics = f"http://127.0.0.1:{sock.getsockname()[1]}/metrics"
    headers = {"Authorization": "Bearer bench-scrape-token"}

    def scrape():
        r = client.get(url_metrics, headers=headers)
        assert r.status_code == 200, r.text
    live_sql = [open_sql(backend), totals_sql(), replaced_sql()]
    t_scrape = best(scrape, rounds)
    t_bare = best(lambda: run(live_sql), rounds)
    print(f"{name:10} /metrics n={n:,}: scrape over HTTP {t_scrape:.3f} s, same SQL bare {t_bare:.3f} s, "
          f"ratio {t_scrape / t_bare:.2f}x (target <= 2x)", flush=True)
    client.close()
    server.should_exit = True
    thread.join(10)
    close()
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="incidents (default 1,000,000)")
    parser.add_argument("--pg", help="PostgreSQL server URL: also run there")
    parser.add_argument("--since", default="730d", help="the report's period (default 730d: every incident)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only (with --pg)")
    args = parser.parse_args()
    if not args.no_sqlite:
        path = make_sqlite(total=args.n, open_count=args.n // 10)
        bench_backend("sqlite", f"sqlite:///{path}", path, args.n, args.since, args.rounds)
    if args.pg:
        url = make_postgres(args.pg, total=args.n, open_count=args.n // 10)
        bench_backend("postgresql", url, url, args.n, args.since, args.rounds)


if __name__ == "__main__":
    main()
