"""`incidentdesk report`: the metrics for a period, as a table, JSON or CSV (a reading command).

The figures and their definitions: domain/metrics.py; the SQL: store/metrics_sql.py. A bad
--since/--until/--by/--format is one line on stderr and exit 2, like any usage error.
"""

from __future__ import annotations

import csv
import sys

from incidentdesk.cli.common import print_json, runtime
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.text import is_unsafe

FORMATS = ("table", "json", "csv")
BREAKDOWNS = ("priority", "group", "assignee", "category", "service", "ci")


def _plain(cell) -> str:
    """Breakdown values are user text: control characters never reach the terminal."""
    text = "" if cell is None else str(cell)
    return "".join(ch if not is_unsafe(ch) else "?" for ch in text)


def _csv_cell(cell):
    """A spreadsheet runs a cell that starts with = + - @ as a formula: user text gets a leading quote."""
    if isinstance(cell, str):
        cell = _plain(cell)
        return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell
    return cell


def _print_table(data: dict) -> None:
    from incidentdesk.domain.metrics_table import (
        DURATION_HEAD, RATES_HEAD, duration_rows, key_head, rates_rows, render_table,
    )

    out = [f"Report {data['since'][:16]} - {data['until'][:16]} (UTC), by {data['by']}; "
           "requests, cancelled and duplicates excluded (see `incidentdesk report --help`)", "",
           "Logged (all records):"]
    out += ["  " + line for line in render_table(("type", "source", "n"),
                                                 [(t["type"], t["source"], str(t["n"])) for t in data["logged"]])]
    heads = key_head(data["by"])
    out += ["", "Volume, backlog and rates:"]
    out += ["  " + line for line in render_table((*heads, *RATES_HEAD), rates_rows(data))]
    out += ["", "Durations (mean / median / p90):"]
    out += ["  " + line for line in render_table((*heads, *DURATION_HEAD), duration_rows(data))]
    for dim, rows in data["mtbf"].items():
        if rows:
            from incidentdesk.domain.metrics import human_duration

            out += ["", f"MTBF per {dim} (2+ incidents):"]
            out += ["  " + line for line in render_table((dim, "incidents", "MTBF"),
                                                         [(r["name"], str(r["n"]), human_duration(r["mtbf"]))
                                                          for r in rows])]
    sys.stdout.write("\n".join(_plain(line) for line in out) + "\n")


def cmd_report(args) -> int:
    from incidentdesk.domain.metrics import parse_breakdown, parse_period

    rt = None
    try:
        if args.format not in FORMATS:
            raise ValidationError(f"unknown format {args.format!r}: use one of {', '.join(FORMATS)}", field="--format")
        by = parse_breakdown(args.by)
        rt = runtime(args)
        now = rt.ctx.now()
        period = parse_period(args.since, args.until, now)
    except ValidationError as exc:
        print(f"incidentdesk report: {exc}", file=sys.stderr)
        if rt is not None:
            rt.db.dispose()
        return 2
    try:
        from incidentdesk.store.metrics import report

        data = report(rt.db, period, by, now=now).as_dict()
    finally:
        rt.db.dispose()
    if args.format == "json" or args.json:
        print_json(data)
    elif args.format == "csv":
        from incidentdesk.domain.metrics_table import csv_rows

        writer = csv.writer(sys.stdout, lineterminator="\n")
        for row in csv_rows(data):
            writer.writerow([_csv_cell(c) for c in row])
    else:
        _print_table(data)
    return 0


def register(commands) -> None:
    p = commands.add("report", help="metrics for a period: volume, MTTA/MTTR, FCR, reopen, SLA %%, MTBF, CSAT",
                     description="The metrics for a period, always by priority and optionally by one more "
                                 "breakdown. Durations run from created_at; MTTR is given gross and net of "
                                 "on-hold time; service requests, cancelled incidents and duplicates are "
                                 "excluded from every figure but 'logged'. The definitions are in the README "
                                 "(Metrics).")
    p.add_argument("--since", default="30d", metavar="WHEN",
                   help="start of the period: 30d, 12w, 48h (before now), or an ISO date / date-time (default 30d)")
    p.add_argument("--until", metavar="WHEN", help="end of the period (default now; a date includes that day)")
    p.add_argument("--by", default="priority", metavar="|".join(BREAKDOWNS),
                   help="break down by this as well as by priority (default: priority only)")
    p.add_argument("--format", default="table", metavar="|".join(FORMATS), help="output format (default table)")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.set_defaults(handler=cmd_report)
