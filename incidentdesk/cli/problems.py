"""`incidentdesk problem list` and `problem show PRB`: reading problems (store/problems.py).

Changing one is done by the generated commands (problem new, link, unlink, edit, known-error,
resolve, close: services/catalog/problems.py); this only reads.
"""

from __future__ import annotations

from incidentdesk.cli.common import print_json, print_list, runtime


def cmd_list(args) -> int:
    from incidentdesk.domain.problems import ProblemStatus
    from incidentdesk.domain.enums import parse_enum
    from incidentdesk.store.problems import list_problems

    status = parse_enum(ProblemStatus, args.status, "problem status").value if args.status else None
    problems = list_problems(runtime(args).db, status, include_closed=args.all, limit=args.limit)
    return print_list(args, problems, _line, empty="no problems" + (f" {status.replace('_', ' ')}" if status else ""))


def _line(p) -> str:
    from incidentdesk.domain.text import printable

    return (f"{p.key}  {p.status.replace('_', ' '):<11}  {p.open_count:>3}/{p.linked_count:<3} open  "
            f"{printable(p.title, 70)}")


def cmd_show(args) -> int:
    from incidentdesk.domain.text import printable, strip_control
    from incidentdesk.store.problems import load_problem

    p = load_problem(runtime(args).db, args.key)
    if args.json:
        print_json(p.to_json())
        return 0
    print(f"{p.key}  {printable(p.title)}")
    print(f"status: {p.status.replace('_', ' ')}  owner: {printable(p.owner or '-')}  version: {p.version}")
    for label, text in (("statement", p.statement), ("root cause", p.root_cause), ("workaround", p.workaround)):
        print(f"{label}: {strip_control(text) or '-'}")
    if p.from_follow_up:
        print(f"from review follow-up {p.from_follow_up}")
    print(f"incidents ({p.open_count} open of {p.linked_count}):")
    for i in p.incidents:
        print(f"  {i.key}  P{i.priority}  {i.status.replace('_', ' '):<12} {printable(i.title, 60)}")
    return 0


def register(commands) -> None:
    p = commands.add(("problem", "list"), help="problems, newest first, with their open/linked incidents",
                     description="List problems (not closed ones unless --all).")
    p.add_argument("--status", help="open, known_error, resolved or closed")
    p.add_argument("--all", action="store_true", help="closed problems too")
    p.add_argument("--limit", type=int, default=500, help="at most this many (default 500)")
    p.add_argument("--json", action="store_true", help="as JSON records")
    p.set_defaults(handler=cmd_list)
    p = commands.add(("problem", "show"), help="one problem: statement, root cause, workaround, incidents",
                     description="Print problem KEY (e.g. PRB-000012) with its linked incidents.")
    p.add_argument("key", metavar="KEY", help="the problem, e.g. PRB-000012")
    p.add_argument("--json", action="store_true", help="the problem as JSON")
    p.set_defaults(handler=cmd_show)
