"""Reading the CMDB: `categories list`, `ci list|show|export`, `change list|show`.

The writing commands (categories add/rename/retire, ci import, change new/update/import,
recategorise, link-change) are use cases (services/catalog/cmdb.py). Everything printed is
stored text, printed with domain/text.printable (no terminal controls); `--json` on each.
"""

from __future__ import annotations

import csv
import sys

from incidentdesk.cli.common import json_text, print_json, print_list, runtime
from incidentdesk.domain.errors import NotFound
from incidentdesk.domain.text import printable

_TIME = "%Y-%m-%d %H:%M"


def _when(value) -> str:
    return value.strftime(_TIME) if value else "—"


def cmd_categories(args) -> int:
    from dataclasses import asdict

    from incidentdesk.store.cmdb import list_categories

    rows = list_categories(runtime(args).db, include_retired=not args.live)
    return print_list(args, rows, _category_line, record=asdict,
                      empty="no categories: any text is accepted; add them with `incidentdesk categories add PATH`")


def _category_line(r) -> str:
    flags = " (retired)" if r.retired else ""
    group = f"  → {printable(r.default_group)}" if r.default_group else ""
    return f"{printable(r.path)}{flags}{group}  [{r.incidents} incidents]"


def cmd_ci_list(args) -> int:
    from incidentdesk.store.cmdb import list_cis

    rows = list_cis(runtime(args).db, limit=args.limit)
    return print_list(args, rows, _ci_line, empty="no CIs: `incidentdesk ci import FILE` adds them")


def _ci_line(r) -> str:
    return (f"{printable(r.name):<30} {r.type:<12} {r.criticality:<9} {printable(r.service or '—'):<20} "
            f"{printable(r.owner or '—')}")


def cmd_ci_show(args) -> int:
    from incidentdesk.store.cmdb import ci_detail

    rt = runtime(args)
    view = ci_detail(rt.db, args.name, now=rt.ctx.now(), hours=rt.config.schema.cmdb.recent_changes_hours)
    if view is None:
        raise NotFound(f"no CI {args.name!r}: `incidentdesk ci list` shows them")
    if args.json:
        print_json(view.to_json())
        return 0
    print(f"{printable(view.name)} ({view.type}, {view.criticality})")
    for label, value in (("service", view.service), ("owner", view.owner), ("location", view.location)):
        print(f"  {label}: {printable(value or '—')}")
    print(f"  depends on: {printable(', '.join(view.depends_on) or '—')}")
    print(f"  depended on by: {printable(', '.join(view.depended_on_by) or '—')}")
    print(f"recent incidents ({len(view.incidents)}):")
    for i in view.incidents:
        print(f"  {i.key} P{i.priority} {i.status:<12} {_when(i.created_at)} {printable(i.title, 60)}")
    print(f"changes on it or its dependencies, last {view.recent_hours} h ({len(view.changes)}):")
    for c in view.changes:
        print(f"  {c.key} {c.status:<11} {c.risk:<6} {_when(c.actual_start or c.planned_start)} "
              f"[{printable(', '.join(c.cis))}] {printable(c.title, 60)}")
    return 0


def cmd_ci_export(args) -> int:
    from incidentdesk.store.cmdb import export_cis

    rows = export_cis(runtime(args).db)
    out = open(args.output, "w", newline="", encoding="utf-8") if args.output else sys.stdout
    try:
        if args.format == "json":
            out.write(json_text({"cis": rows}) + "\n")
        else:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["name"], lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({**row, "depends_on": ";".join(row["depends_on"])})
    finally:
        if args.output:
            out.close()
    if args.output:
        print(f"{len(rows)} CIs written to {args.output}", file=sys.stderr)
    return 0


def cmd_change_list(args) -> int:
    from incidentdesk.store.cmdb import list_changes

    rows = list_changes(runtime(args).db, ci=args.ci, status=args.status, limit=args.limit)
    return print_list(args, rows, _change_line, empty="no changes")


def _change_line(c) -> str:
    return (f"{c.key} {c.status:<11} {c.risk:<6} {_when(c.planned_start)} → {_when(c.planned_end)} "
            f"[{printable(', '.join(c.cis))}] {printable(c.title, 60)}")


def cmd_change_show(args) -> int:
    from incidentdesk.store.cmdb import change_detail

    c = change_detail(runtime(args).db, args.key)
    if args.json:
        print_json(c.to_json())
        return 0
    print(f"{c.key}: {printable(c.title)}")
    for label, value in (("status", c.status), ("risk", c.risk), ("implementer", c.implementer or "—"),
                         ("ref", c.ref or "—"), ("CIs", ", ".join(c.cis) or "—"),
                         ("planned", f"{_when(c.planned_start)} → {_when(c.planned_end)}"),
                         ("actual", f"{_when(c.actual_start)} → {_when(c.actual_end)}"),
                         ("caused incidents", ", ".join(c.incidents) or "—")):
        print(f"  {label}: {printable(value)}")
    if c.description:
        print(f"  {printable(c.description)}")
    return 0


def register(commands) -> None:
    p = commands.add(("categories", "list"), help="the category tree, with incident counts")
    p.add_argument("--live", action="store_true", help="leave out retired categories")
    p.add_argument("--json", action="store_true", help="as JSON")
    p.set_defaults(handler=cmd_categories)
    p = commands.add(("ci", "list"), help="configuration items")
    p.add_argument("--limit", type=int, default=None, metavar="N")
    p.add_argument("--json", action="store_true", help="as JSON")
    p.set_defaults(handler=cmd_ci_list)
    p = commands.add(("ci", "show"), help="a CI: owner, dependencies both ways, recent incidents and changes")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", action="store_true", help="as JSON")
    p.set_defaults(handler=cmd_ci_show)
    p = commands.add(("ci", "export"), help="every CI as CSV or JSON (what `ci import` reads)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (default: standard output)")
    p.set_defaults(handler=cmd_ci_export)
    p = commands.add(("change", "list"), help="changes, newest first")
    p.add_argument("--ci", metavar="NAME", help="only changes on this CI")
    p.add_argument("--status", metavar="STATUS")
    p.add_argument("--limit", type=int, default=200, metavar="N")
    p.add_argument("--json", action="store_true", help="as JSON")
    p.set_defaults(handler=cmd_change_list)
    p = commands.add(("change", "show"), help="one change, with the incidents it caused")
    p.add_argument("key", metavar="KEY", help="e.g. CHG-000012")
    p.add_argument("--json", action="store_true", help="as JSON")
    p.set_defaults(handler=cmd_change_show)
