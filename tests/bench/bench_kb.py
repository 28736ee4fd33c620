"""Knowledge-base search cost: a search and an incident's suggestions against the bare FTS query, per backend.

    python tests/bench/bench_kb.py [--pg URL] [--articles 50000] [--incidents 1000000] [--rounds 30]

The database is datagen's (1,000,000 incidents by default, ~90% of them resolved or closed and so
in the incident index) plus N generated articles (titles and bodies drawn from an IT vocabulary
with a long tail, so words differ in how many articles they match). Per round, shuffled, each
measured in its own read session:

- search ("vpn gateway", "disk full", ...): `store.kb_reads.search` (candidates ranked by the
  engine, details, category/CI boost, highlights) against the bare FTS query alone — the ranked
  MATCH / @@ over the article index returning the same number of candidate ids;
- suggestions for one open incident: `store.kb_reads.suggestions` (read the incident, its words,
  articles + similar resolved incidents, highlights, links) against the two bare FTS queries with
  the same words (articles and incidents).

Medians and the ratio; the target (issue 14) is at most 2x. Then the write path: resolving an
incident (the UPDATE the resolve service makes) with the index trigger against the same UPDATE
with the trigger dropped, both inside a rolled-back transaction, so the incidents stay as they were.
With --console: the console over the same database (Pilot, 120x36): time until the selected
incident's detail is shown (the Knowledge tab loads nothing meanwhile), then from switching to the
Knowledge tab until its suggestions are on screen.

The articles are added once to datagen's cached database (keyed by the schema revision, 0015_kb).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import text  # noqa: E402

from incidentdesk.domain.kb import search_terms  # noqa: E402
from incidentdesk.store import kb_reads  # noqa: E402
from incidentdesk.store.engine import open_database  # noqa: E402
from incidentdesk.store.kb_search import engine_for  # noqa: E402
from tests.bench.datagen import NOW_NAIVE, make_postgres, make_sqlite  # noqa: E402

WORDS = """vpn gateway tunnel client portal certificate expired tls handshake dns resolver timeout latency
packet loss firewall rule proxy ldap sso saml login loop password reset mfa token outlook exchange mailbox
smtp relay queue spam printer spooler driver jam toner laptop battery docking monitor wifi access point
roaming dhcp lease database replication lag deadlock index vacuum backup restore disk full inode volume
snapshot kubernetes pod crashloop ingress controller node pressure memory leak cpu throttling jvm heap
garbage collection api gateway 502 503 rate limit oauth redirect invoice payment checkout cart search
elastic shard cluster yellow red alert pager rotation cron job failed nightly batch etl warehouse report
sharepoint teams meeting audio video camera headset license activation office install upgrade rollback
patch reboot service restart config push change window cache flush cdn purge storage bucket permission
denied role group policy gpo registry profile corrupted ost pst sync onedrive file share mount nfs smb""".split()
CATEGORIES = ["Network/VPN/GlobalProtect", "Email/Exchange/Outlook", "Identity/SSO/Okta", "Data/DB/Postgres",
              "Platform/Kubernetes/Ingress", "Workplace/Laptop/Windows", "Workplace/Printing/Floor"]
CIS = [f"host-{i:03d}" for i in range(200)]
SEARCHES = ["vpn gateway", "disk full", "password reset", "replication lag", "outlook profile", "certif"]


def _article_rows(n: int, seed: int = 7):
    rng = random.Random(seed)
    tail = [f"term{i}" for i in range(5000)]   # the long tail: rare words

    def word() -> str:
        return rng.choice(WORDS) if rng.random() < 0.7 else tail[int(rng.paretovariate(1.2)) % len(tail)]

    stamp = NOW_NAIVE.strftime("%Y-%m-%d %H:%M:%S.000000")
    for i in range(1, n + 1):
        title = " ".join(word() for _ in range(rng.randint(4, 8))).capitalize()
        body = " ".join(word() for _ in range(rng.randint(60, 140)))
        tags = ", ".join(sorted({rng.choice(WORDS) for _ in range(3)}))
        yield (i, f"KB-{i:06d}", None, title, body, rng.choice(CATEGORIES), rng.choice(CIS), tags, "ana", None,
               stamp, stamp, "ana", rng.randint(0, 40), None, None, 1)


ARTICLE_COLUMNS = ("id, key, slug, title, body, category, ci, tags, author, source_incident, created_at, "
                   "updated_at, updated_by, helpful_count, retired_at, retired_by, version")


def _load_articles(db, n: int) -> None:
    with db.engine.begin() as conn:
        have = conn.execute(text("SELECT count(*) FROM kb_articles")).scalar()
        if have == n:
            return
        conn.execute(text("DELETE FROM kb_articles"))
    started = time.perf_counter()
    placeholders = ", ".join(f":c{i}" for i in range(17))
    sql = text(f"INSERT INTO kb_articles ({ARTICLE_COLUMNS}) VALUES ({placeholders})")
    batch: list[dict] = []
    with db.engine.begin() as conn:
        for row in _article_rows(n):
            batch.append({f"c{i}": v for i, v in enumerate(row)})
            if len(batch) == 5000:
                conn.execute(sql, batch)
                batch = []
        if batch:
            conn.execute(sql, batch)
        if db.backend == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('kb_articles', 'id'), :n)"), {"n": n})
            conn.execute(text("ANALYZE kb_articles"))
            conn.execute(text("ANALYZE incident_search"))
    print(f"  loaded {n} articles in {time.perf_counter() - started:.1f}s (the index filled by the triggers)")


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _bare_search(db, query: str):
    terms = search_terms(query)
    with db.read() as s:
        return engine_for(s).bare(s, "article", terms, any_word=False)


def _bare_suggest(db, title: str):
    terms = search_terms(title)
    with db.read() as s:
        engine = engine_for(s)
        return engine.bare(s, "article", terms, any_word=True), engine.bare(s, "incident", terms, any_word=True)


def _open_incidents(db, count: int) -> list[tuple[str, str]]:
    with db.read() as s:
        rows = s.execute(text("SELECT key, title FROM incidents WHERE is_open = :t ORDER BY id LIMIT :n"),
                         {"t": True, "n": count}).all()
    return [(r[0], r[1]) for r in rows]


def measure(db, rounds: int) -> dict[str, list[float]]:
    incidents = _open_incidents(db, rounds)
    times: dict[str, list[float]] = {"search": [], "search bare": [], "suggest": [], "suggest bare": []}
    for warm in SEARCHES:  # caches warm for both sides alike
        kb_reads.search(db, warm)
        _bare_search(db, warm)
    rng = random.Random(3)
    for i in range(rounds):
        query = SEARCHES[i % len(SEARCHES)]
        key, title = incidents[i % len(incidents)]
        jobs = [("search", lambda: kb_reads.search(db, query)), ("search bare", lambda: _bare_search(db, query)),
                ("suggest", lambda: kb_reads.suggestions(db, key)), ("suggest bare", lambda: _bare_suggest(db, title))]
        rng.shuffle(jobs)
        for name, job in jobs:
            times[name].append(_timed(job))
    return times


def write_path(db, count: int) -> tuple[float, float]:
    """Median ms of resolving one incident's row with the index trigger, and with it dropped (rolled back)."""
    incidents = [k for k, _ in _open_incidents(db, 2 * count)]
    update = text("UPDATE incidents SET status = 'resolved', is_open = :f, resolution_code = 'workaround', "
                  "resolution_notes = :notes WHERE key = :key")
    out = []
    for with_trigger, keys in ((True, incidents[:count]), (False, incidents[count:])):
        conn = db.engine.connect()
        trans = conn.begin()
        try:
            if not with_trigger:
                if db.backend == "postgresql":
                    conn.execute(text("ALTER TABLE incidents DISABLE TRIGGER incident_search_update"))
                else:
                    conn.execute(text("DROP TRIGGER incident_fts_update"))
            samples = []
            for key in keys:
                started = time.perf_counter()
                conn.execute(update, {"f": False, "notes": "restarted the vpn gateway and flushed the dns cache",
                                      "key": key})
                samples.append((time.perf_counter() - started) * 1000)
            out.append(statistics.median(samples))
        finally:
            trans.rollback()
            conn.close()
    return out[0], out[1]


def console(db, clock_db_url: str) -> tuple[float, float, float, str]:
    """Seconds to the first detail; from the Knowledge tab switched to until its suggestions show (the
    first read of the session: SQLAlchemy is imported then, caches cold); from the next incident selected
    (tab open) until its suggestions show; the first incident's key."""
    import asyncio

    from incidentdesk.config import Config
    from incidentdesk.runtime import Runtime
    from incidentdesk.services.context import ServiceContext, load_actor
    from incidentdesk.tui.app import IncidentDeskApp

    config = Config()
    runtime = Runtime(config, db, ServiceContext(db, config, load_actor(db, "ana")))
    app = IncidentDeskApp(runtime, cursor_blink=False, tick_seconds=0)

    async def wait(pilot, condition, limit=60.0) -> None:
        deadline = time.perf_counter() + limit
        while not condition():
            if time.perf_counter() > deadline:
                panel = app.main_screen.query("KnowledgePanel")
                found = panel.first().found if panel else None
                raise TimeoutError(f"the console did not get there (shown: {getattr(found, 'incident', None)}, "
                                   f"detail: {getattr(app.main_screen.detail, 'key', None)}, "
                                   f"notes: {[n.message for n in app._notifications]})")
            await pilot.pause(0.005)

    async def run() -> tuple[float, float, float, str]:
        started = time.perf_counter()
        async with app.run_test(size=(120, 36)) as pilot:
            await wait(pilot, lambda: getattr(app.main_screen, "detail", None) is not None
                       and bool(app.main_screen.query("KnowledgePanel")))
            first = time.perf_counter() - started
            panel = app.main_screen.query_one("KnowledgePanel")
            assert panel.found is None, "the Knowledge tab read before it was shown"
            key = app.main_screen.detail.key
            switched = time.perf_counter()
            app.main_screen.query_one("#incident-pane").active = "tab-knowledge"
            await wait(pilot, lambda: panel.found is not None and panel.found.incident == key)
            cold = time.perf_counter() - switched
            await pilot.pause()
            moved = time.perf_counter()   # the next incident, tab still open: the panel follows the detail
            app.main_screen.table.move_cursor(row=1)
            await wait(pilot, lambda: panel.found is not None and panel.found.incident != key)
            return first, cold, time.perf_counter() - moved, key

    return asyncio.run(run())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", metavar="URL", help="run on PostgreSQL (datagen's cached bench database there)")
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--console", action="store_true", help="also time the console's Knowledge tab")
    args = parser.parse_args()
    open_count = max(1, args.incidents // 10)
    print(f"building / reusing {args.incidents} incidents ({open_count} open) ...")
    if args.pg:
        url = make_postgres(args.pg, total=args.incidents, open_count=open_count)
    else:
        url = f"sqlite:///{make_sqlite(total=args.incidents, open_count=open_count)}"
    db = open_database(url)
    try:
        _load_articles(db, args.articles)
        with db.read() as s:
            indexed = s.execute(text("SELECT count(*) FROM incident_search" if db.backend == "postgresql"
                                     else "SELECT count(*) FROM incident_fts_docsize")).scalar()
        times = measure(db, args.rounds)
        med = {name: statistics.median(v) for name, v in times.items()}
        print(f"knowledge search on {db.backend}: {args.articles} articles, {args.incidents} incidents "
              f"({indexed} resolved/closed in the index), median of {args.rounds} shuffled rounds")
        for what in ("search", "suggest"):
            ratio = med[what] / med[f"{what} bare"]
            print(f"  {what:<8} {med[what]:8.2f} ms   bare FTS {med[what + ' bare']:8.2f} ms   "
                  f"ratio {ratio:4.2f}x (target at most 2x) -> {'OK' if ratio <= 2 else 'OVER'}")
        with_trigger, without = write_path(db, max(20, args.rounds))
        print(f"  resolve UPDATE with index trigger {with_trigger:6.3f} ms   without {without:6.3f} ms   "
              f"(+{with_trigger - without:.3f} ms on the write path)")
        if args.console:
            first, cold, warm, key = console(db, url)
            print(f"  console: first detail ({key}) after {first:.2f}s with no knowledge read; Knowledge tab "
                  f"filled {cold * 1000:.0f} ms after it was switched to (first read of the session), "
                  f"{warm * 1000:.0f} ms after the next incident was selected")
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
