"""CLI start-up: each command as a whole process, against a bare Python start measured in the same run.

    python tests/bench/bench_cli.py [--runs 15] [--count 300] [--only list,show] [--before OLD_CHECKOUT]

On a demo SQLite database (built first, in a private temporary directory), each command runs
as its own process `--runs` times after one warm-up; rounds interleave the commands and the
baseline, so a busy moment on the machine costs them alike. Baseline: `python -c 'import sqlite3'`
with the same interpreter; beside it, for scale, a process that only imports SQLAlchemy's ORM and
the models (what every command that writes through the services pays first). Bytecode is cached as in an installed package (PYTHONDONTWRITEBYTECODE
is dropped; the warm-up writes what is missing). Targets (issue 11, item 8): reading commands (`--help`, `paths`,
`list`, `show`, `config check`) within 6x the baseline, changing commands (`comment`, `ack`,
`new`, `take`, `assign`, `resolve`, ..., the major-incident commands, and `comment`, `assign`, `resolve`
with notification rules: the `+notify` rows) within 12x. Prints the median wall time of each, its ratio and whether it meets its
target; `--importtime CMD` prints what that command imports, slowest first, instead.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READING, CHANGING = 6.0, 12.0
# A config like a site's (every section, calendars, rules): what `config check` validates and every
# command reads at start-up.
BENCH_CONFIG = """\
[general]
reopen_window_hours = 72
time_zone = "UTC"

[console]
sla_sweep_seconds = 5

[keys]
"incident.acknowledge" = "A"

[priority_matrix]
low = { low = "P4" }

[sla]
pausing_reasons = ["waiting for user", "waiting for vendor"]

[sla.calendars.uk]
hours = "08:00-18:00"
holidays = [2026-12-25, 2026-12-28]

[sla.P3]
response = "4h"
calendar = "uk"

[[sla.policy]]
priority = [4]
type = "request"
resolution = "10bd"

[[sla.escalation]]
on = "response_breached"
priority = [1]

[ingest.integrations.prom]
format = "alertmanager"
token_env = "BENCH_AM_TOKEN"

[[ingest.routes]]
match = { team = "dba" }
group = "Database"
tier = 2

[audit]
syslog = false
"""
# A site's [notify]: a channel for the desk, people reached by e-mail, rules on the changes people
# script (the `+notify` rows run with it: their outbox rows are written in the same transaction).
NOTIFY_CONFIG = """\
[[notify.channel]]
name = "ops"
url_env = "BENCH_OPS_URL"

[[notify.channel]]
name = "mail"
url_env = "BENCH_MAIL_URL"

[[notify.rule]]
on = ["created", "assigned", "escalated", "resolved", "reopened", "comment", "sla_breached"]
to = "ops"

[[notify.rule]]
on = ["assigned", "escalated", "resolved"]
to = ["assignee", "manager"]
via = "mail"

[notify.addresses]
ana = "ana@example.com"
ines = "ines@example.com"
marco = "marco@example.com"
"""
FLOOR = "import SQLAlchemy+models"


def _program() -> list[str]:
    script = Path(sys.executable).with_name("incidentdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "incidentdesk"]


def _env(home: Path) -> dict:
    env = {**os.environ, "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
           "INCIDENTDESK_CONFIG": str(home / "incidentdesk.toml")}
    env.pop("INCIDENTDESK_DATABASE_URL", None)
    # As an installed package runs: bytecode cached (the warm-up round writes what is missing),
    # or every run would compile the modules that have no .pyc yet.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _run(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


class Commands:
    """The commands to time; a changing command takes a fresh incident in the state it needs each run
    (an incident is acknowledged, resolved, closed once); `+notify` rows run with NOTIFY_CONFIG too."""

    def __init__(self, program: list[str], url: str, env: dict, runs: int, notify_env: dict) -> None:
        self.program, self.url, self.env = program, url, env
        self.cli = [*program, "--db", url]
        self.some = self._out("list", "--limit", "1").split()[0]
        fresh = {name: self._pool(name, runs) for name in ("ack", "take", "assign", "reprioritise", "escalate",
                                                             "resolve", "resolve+notify", "assign+notify", "major",
                                                             "vendor")}
        resolved = {name: self._pool(name, runs, then=("resolve", "--code", "workaround", "--notes", "bench"))
                    for name in ("close", "reopen")}
        majors = {name: self._pool(name, runs, then=("major", "--commander", "ines", "--reason", "bench"))
                  for name in ("update", "major-roles", "hand", "stand-down")}
        vendors = {"vendor-clear": self._pool("vendor-clear", runs, then=("vendor", "--vendor", "Acme",
                                                                            "--vendor-ticket", "AC-1"))}
        pools = {name: iter(keys) for name, keys in {**fresh, **resolved, **majors, **vendors}.items()}
        self.unacknowledged = pools["ack"]
        self.changing: list[tuple[str, callable]] = [
            ("take", lambda: ["take", next(pools["take"])]),
            ("assign", lambda: ["assign", next(pools["assign"]), "--group", "Service Desk"]),
            ("reprioritise", lambda: ["reprioritise", next(pools["reprioritise"]), "--impact", "high", "--reason",
                                      "spreading"]),
            ("escalate", lambda: ["escalate", next(pools["escalate"]), "--kind", "functional", "--to",
                                  "Platform SRE", "--summary", "restarted twice; logs attached"]),
            ("resolve", lambda: ["resolve", next(pools["resolve"]), "--code", "workaround", "--notes", "rebooted"]),
            ("close", lambda: ["close", next(pools["close"]), "--confirmed", "--csat", "4"]),
            ("reopen", lambda: ["reopen", next(pools["reopen"]), "--reason", "back again"]),
            ("major", lambda: ["major", next(pools["major"]), "--commander", "ines", "--reason", "checkout down"]),
            ("update", lambda: ["update", next(pools["update"]), "--impacted", "checkout", "--who", "all shoppers",
                                "--status", "failing over to eu2"]),
            ("major-roles", lambda: ["major-roles", next(pools["major-roles"]), "--deputy", "ana"]),
            ("hand", lambda: ["hand", next(pools["hand"]), "--commander", "marco", "--reason", "end of shift"]),
            ("stand-down", lambda: ["stand-down", next(pools["stand-down"]), "--reason", "contained"]),
            ("vendor", lambda: ["vendor", next(pools["vendor"]), "--vendor", "Acme Cloud", "--vendor-ticket", "AC-4471",
                                "--vendor-status", "investigating"]),
            ("vendor-clear", lambda: ["vendor-clear", next(pools["vendor-clear"])]),
        ]
        self.notify_env = notify_env
        self.notified: list[tuple[str, callable]] = [
            ("comment+notify", lambda: ["comment", self.some, "bench note"]),
            ("assign+notify", lambda: ["assign", next(pools["assign+notify"]), "--group", "Service Desk"]),
            ("resolve+notify", lambda: ["resolve", next(pools["resolve+notify"]), "--code", "workaround", "--notes",
                                        "rebooted"]),
        ]
        has_config = re.search(r"^ +config ", self._out("--help"), re.M) is not None  # once `config` exists
        self.table: list[tuple[str, float, callable]] = [
            ("--help", READING, lambda: [*self.program, "--help"]),
            ("paths", READING, lambda: [*self.cli, "paths"]),
            ("list", READING, lambda: [*self.cli, "list"]),
            (f"show {self.some}", READING, lambda: [*self.cli, "show", self.some]),
            *([("config check", READING, lambda: [*self.cli, "config", "check"])] if has_config else []),
            ("comment", CHANGING, lambda: [*self.cli, "comment", self.some, "bench note"]),
            ("ack", CHANGING, lambda: [*self.cli, "ack", next(self.unacknowledged)]),
            ("new", CHANGING, lambda: [*self.cli, "new", "--title", "bench", "--impact", "low", "--urgency", "low"]),
            *[(name, CHANGING, lambda words=words: [*self.cli, *words()]) for name, words in self.changing],
            *[(name, CHANGING, lambda words=words: [*self.cli, *words()]) for name, words in self.notified],
        ]

    def env_of(self, name: str) -> dict:
        return self.notify_env if name.endswith("+notify") else self.env

    def _pool(self, name: str, runs: int, *, then: tuple[str, ...] = ()) -> list[str]:
        """A new incident for each run of `name`, each taken through `then` (resolved, declared major...)."""
        keys = [self._out("new", "--title", f"bench {name} {i}", "--impact", "low", "--urgency", "low")
                for i in range(runs + 2)]
        for key in keys if then else ():
            self._out(then[0], key, *then[1:])
        return keys

    def _out(self, *args: str) -> str:
        return subprocess.run([*self.cli, *args], env=self.env, check=True, capture_output=True, text=True).stdout.strip()


def importtime(argv: list[str], env: dict, top: int = 25) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "import sys; from incidentdesk.cli import main; sys.exit(main(sys.argv[1:]))", *argv],
                          env=env, capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            self_us, cumulative, name = line.removeprefix("import time:").split("|")
            rows.append((int(cumulative), int(self_us), name.strip()))
    for cumulative, self_us, name in sorted(rows, reverse=True)[:top]:
        print(f"{cumulative / 1000:8.1f} ms cumulative {self_us / 1000:7.1f} ms self  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--count", type=int, default=300, help="demo incidents")
    parser.add_argument("--only", help="comma-separated command names to time (default: all)")
    parser.add_argument("--before", metavar="DIR", help="also time the incidentdesk package in DIR (an older "
                        "checkout, e.g. from `git archive`) in the same rounds, on the same database")
    parser.add_argument("--importtime", metavar="CMD", help="print what `incidentdesk CMD...` imports, and stop")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="incidentdesk-bench-cli-"))
    os.chmod(home, 0o700)
    try:
        (home / "incidentdesk.toml").write_text(BENCH_CONFIG)  # every command reads and validates it
        os.chmod(home / "incidentdesk.toml", 0o600)
        env = _env(home)
        url = f"sqlite:///{home / 'bench.db'}"
        subprocess.run([*_program(), "--db", url, "demo", "--count", str(args.count)], env=env, check=True,
                       capture_output=True)
        if args.importtime:
            importtime(["--db", url, *args.importtime.split()], env)
            return
        (home / "notify.toml").write_text(BENCH_CONFIG + "\n[notify]\n" + NOTIFY_CONFIG)
        os.chmod(home / "notify.toml", 0o600)
        notify_env = {**env, "INCIDENTDESK_CONFIG": str(home / "notify.toml")}
        variants = [("", Commands(_program(), url, env, args.runs, notify_env))]
        if args.before:
            before = {"PYTHONPATH": str(Path(args.before).resolve())}
            variants.append((" (before)", Commands(_program(), url, {**env, **before}, args.runs,
                                                   {**notify_env, **before})))
        rows = []  # each command, then the same command before
        for same in zip(*(commands.table for _, commands in variants)):
            for (suffix, commands), (name, target, argv) in zip(variants, same):
                if not args.only or name.split()[0] in args.only.split(","):
                    rows.append((name + suffix, target, argv, commands.env_of(name)))
        baseline_argv = [sys.executable, "-c", "import sqlite3"]
        # What any command that writes through the services pays before it does anything: for scale.
        floor_argv = [sys.executable, "-c", "import sqlalchemy.orm, sqlalchemy.dialects.sqlite, incidentdesk.store.models"]
        times: dict[str, list[float]] = {"baseline": [], FLOOR: []}
        for round_ in range(args.runs + 1):  # round 0 warms the page cache and writes missing .pyc files
            sample = {"baseline": _run(baseline_argv, env), FLOOR: _run(floor_argv, env)}
            for name, _, argv, run_env in rows:
                sample[name] = _run(argv(), run_env)
            if round_:
                for name, seconds in sample.items():
                    times.setdefault(name, []).append(seconds)
        base = statistics.median(times["baseline"])
        print(f"CLI start-up on SQLite ({args.count} demo incidents), median of {args.runs} runs, "
              f"load average {os.getloadavg()[0]:.2f}")
        print(f"{'command':<26} {'median ms':>10} {'spread ms':>12} {'x baseline':>11}  target")
        print(f"{'python -c import sqlite3':<26} {base * 1000:>10.1f} {_spread(times['baseline']):>12} "
              f"{1:>11.2f}  (baseline)")
        print(f"{FLOOR:<26} {statistics.median(times[FLOOR]) * 1000:>10.1f} {_spread(times[FLOOR]):>12} "
              f"{statistics.median(times[FLOOR]) / base:>11.2f}  (for scale: what the ORM costs a changing command)")
        for name, target, _, _ in rows:
            median = statistics.median(times[name])
            ratio = median / base
            verdict = "met" if ratio <= target else "NOT met"
            print(f"{name:<26} {median * 1000:>10.1f} {_spread(times[name]):>12} {ratio:>11.2f}  "
                  f"<= {target:g}x {verdict}")
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _spread(values: list[float]) -> str:
    low, high = sorted(values)[len(values) // 10], sorted(values)[-1 - len(values) // 10]
    return f"{low * 1000:.0f}-{high * 1000:.0f}"


if __name__ == "__main__":
    main()
