"""Alert storm benchmark: `python tests/bench/bench_ingest.py`.

20,000 Alertmanager alerts in webhook batches (100 groups x 20 alerts = 2,000 distinct
fingerprints, each group re-sent 10 times, so 90% of alerts are repeats) posted over HTTP by
several concurrent senders to an `incidentdesk receive` subprocess, on SQLite and on PostgreSQL.
Baseline, measured in the same run: the same server started with --dry-run (authenticates and
parses, never touches the database) answering the same requests.

Reports alerts/s, p50/p99 response time, the ratio to the baseline, and checks: one incident per
group (no duplicate), every occurrence counted once, audit chain intact. Target: >= 1,000
alerts/s on SQLite, p99 < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from incidentdesk.store import queries  # noqa: E402
from incidentdesk.store.engine import open_database  # noqa: E402
from incidentdesk.store.migrate import ensure_schema  # noqa: E402
from incidentdesk.store.models import Alert, Incident  # noqa: E402

TOKEN = "bench-token-0123456789abcdef"
PG_URL = os.environ.get("INCIDENTDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def build_requests(groups: int, per_group: int, rounds: int) -> list[bytes]:
    bodies = []
    for r in range(rounds):
        for g in range(groups):
            alerts = [{
                "status": "firing",
                "labels": {"alertname": f"Storm{g}", "instance": f"host{i}:9100", "severity": "warning",
                           "service": f"svc{g % 7}"},
                "annotations": {"summary": f"storm alert {g}", "value": f"{r * 7 + i}%"},  # values move each round
                "startsAt": "2026-11-23T08:00:00.000000000Z", "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": f"http://prometheus:9090/graph?g={g}", "fingerprint": f"{g:04x}{i:04x}beefcafe",
            } for i in range(per_group)]
            bodies.append(json.dumps({
                "version": "4", "groupKey": f'{{}}:{{alertname="Storm{g}"}}', "truncatedAlerts": 0,
                "status": "firing", "receiver": "incidentdesk", "groupLabels": {"alertname": f"Storm{g}"},
                "commonLabels": {"alertname": f"Storm{g}"}, "commonAnnotations": {},
                "externalURL": "http://alertmanager:9093", "alerts": alerts,
            }).encode())
    return bodies


class Receiver:
    def __init__(self, db_url: str, config: Path, dry_run: bool) -> None:
        cmd = [sys.executable, "-m", "incidentdesk", "--db", db_url, "--config", str(config), "receive", "--port", "0"]
        if dry_run:
            cmd.append("--dry-run")
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT)
        line = self.proc.stderr.readline()
        found = re.search(r":(\d+) ", line)
        if not found:
            self.proc.kill()
            raise SystemExit(f"receiver did not start: {line}{self.proc.stderr.read()}")
        self.url = f"http://127.0.0.1:{found.group(1)}"
        httpx.get(f"{self.url}/healthz", timeout=10).raise_for_status()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.proc.stderr.close()


def storm(url: str, bodies: list[bytes], senders: int) -> tuple[float, list[float], int]:
    work: queue.Queue = queue.Queue()
    for body in bodies:
        work.put(body)
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def sender() -> None:
        mine = []
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {TOKEN}",
                                               "Content-Type": "application/json"}) as client:
            while True:
                try:
                    body = work.get_nowait()
                except queue.Empty:
                    break
                t0 = time.perf_counter()
                r = client.post(f"{url}/api/v1/alertmanager", content=body)
                mine.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    with lock:
                        failures[0] += 1
                        if failures[0] < 3:
                            print(f"  ! {r.status_code} {r.text[:200]}", file=sys.stderr)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, sorted(latencies), failures[0]


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))]


def check(db_url: str, groups: int, per_group: int, total_alerts: int) -> list[str]:
    db = open_database(db_url)
    problems = []
    with db.read() as s:
        n_inc = s.scalar(select(func.count()).select_from(Incident))
        dup = s.execute(select(Incident.correlation_key).group_by(Incident.correlation_key).having(func.count() > 1)).all()
        counted = s.scalar(select(func.sum(Incident.alert_count)))
        occurrences = s.scalar(select(func.sum(Alert.occurrences)))
        n_alerts = s.scalar(select(func.count()).select_from(Alert))
    if n_inc != groups or dup:
        problems.append(f"{n_inc} incidents for {groups} groups; duplicate dedup keys: {len(dup)}")
    if n_alerts != groups * per_group:
        problems.append(f"{n_alerts} alert records for {groups * per_group} fingerprints")
    if counted != total_alerts or occurrences != total_alerts:
        problems.append(f"occurrences counted {counted} / {occurrences}, posted {total_alerts}")
    bad = list(queries.verify_audit(db))
    if bad:
        problems.append(f"audit: {len(bad)} problems")
    db.dispose()
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", type=int, default=100)
    ap.add_argument("--per-group", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--senders", type=int, default=8)
    ap.add_argument("--skip-pg", action="store_true")
    args = ap.parse_args()
    bodies = build_requests(args.groups, args.per_group, args.rounds)
    total = args.groups * args.per_group * args.rounds
    print(f"alert storm: {total} alerts in {len(bodies)} webhooks of {args.per_group}, "
          f"{args.groups * args.per_group} distinct fingerprints ({100 - 100 // args.rounds}% repeats), "
          f"{args.senders} concurrent senders")
    tmp = Path(tempfile.mkdtemp(prefix="bench_ingest_"))
    config = tmp / "incidentdesk.toml"
    config.write_text(f'[ingest]\n[ingest.integrations.bench]\nformat = "alertmanager"\ntoken = "{TOKEN}"\n')

    results = {}
    base_db = f"sqlite:///{tmp / 'unused.db'}"
    rx = Receiver(base_db, config, dry_run=True)
    try:
        elapsed, lat, fails = storm(rx.url, bodies, args.senders)
    finally:
        rx.stop()
    results["no database (baseline)"] = (total / elapsed, lat, fails, [])

    backends = [("SQLite", f"sqlite:///{tmp / 'bench.db'}")]
    admin = None
    if not args.skip_pg:
        name = f"incidentdesk_bench_{uuid.uuid4().hex[:8]}"
        try:
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            backends.append(("PostgreSQL", make_url(PG_URL).set(database=name).render_as_string(hide_password=False)))
        except Exception as exc:  # no server: report it and go on with SQLite
            print(f"PostgreSQL skipped: {str(exc).splitlines()[0]}")
            admin = None
    try:
        for label, url in backends:
            db = open_database(url)
            ensure_schema(db.engine)
            db.dispose()
            rx = Receiver(url, config, dry_run=False)
            try:
                elapsed, lat, fails = storm(rx.url, bodies, args.senders)
            finally:
                rx.stop()
            results[label] = (total / elapsed, lat, fails, check(url, args.groups, args.per_group, total))
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    baseline = results["no database (baseline)"][0]
    print(f"{'server':<24}{'alerts/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs baseline':>13}  checks")
    ok = True
    for label, (rate, lat, fails, problems) in results.items():
        verdict = "ok" if not problems and not fails else "; ".join(problems + ([f"{fails} non-200"] if fails else []))
        print(f"{label:<24}{rate:>10.0f}{pct(lat, 0.5) * 1000:>9.1f}{pct(lat, 0.99) * 1000:>9.1f}"
              f"{rate / baseline:>12.2f}x  {verdict}")
        ok &= not problems and not fails
    sqlite_rate, sqlite_lat = results["SQLite"][0], results["SQLite"][1]
    target = sqlite_rate >= 1000 and pct(sqlite_lat, 0.99) < 1.0
    print(f"target (SQLite >= 1,000 alerts/s, p99 < 1 s): {'met' if target else 'MISSED'}")
    return 0 if ok and target else 1


if __name__ == "__main__":
    raise SystemExit(main())
