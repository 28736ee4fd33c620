"""Reading service requests: `request types` (the catalogue of request types) and `request show KEY`.

Raising and working requests are generated commands (services/catalog/requests.py); this only
reads. Text from people (labels, values, step titles) is printed through domain/text.printable.
"""

from __future__ import annotations

from incidentdesk.cli.common import print_json, print_list, runtime


def _type_line(t) -> str:
    from incidentdesk.domain.requests import parse_approver
    from incidentdesk.domain.text import printable

    approval = parse_approver(t.approval)
    sla = f"{t.response or 'policy'}/{t.resolution or 'policy'}"
    retired = "  (retired)" if t.retired else ""
    return (f"{printable(t.name):<20} {printable(t.label, 30):<30} group {printable(t.group) or '-':<18} "
            f"approval {approval.words(t.group) if approval.required else 'none'}; SLA {sla}; "
            f"{len(t.fields)} fields, {len(t.steps)} steps{retired}")


def cmd_types(args) -> int:
    from incidentdesk.domain.text import printable
    from incidentdesk.store.requests import get_type, list_types

    rt = runtime(args)
    if args.name:
        t = get_type(rt.db, args.name)
        if args.json:
            print_json(t.to_json())
            return 0
        print(_type_line(t))
        for f in t.fields:
            choices = f" (one of {', '.join(printable(c) for c in f.choices)})" if f.choices else ""
            print(f"  field {printable(f.name)}{'*' if f.required else ''}: {printable(f.label)}{choices}")
        for n, step in enumerate(t.steps, 1):
            print(f"  step {n}. {printable(step)}")
        return 0
    return print_list(args, list_types(rt.db, include_retired=args.all), _type_line,
                      empty="no request types yet: an admin adds them with `incidentdesk request type-add NAME ...`")


def cmd_show(args) -> int:
    from incidentdesk.domain.errors import NotFound
    from incidentdesk.domain.text import printable
    from incidentdesk.services.requests import request_record
    from incidentdesk.store.requests import request_view

    rt = runtime(args)
    if args.json:
        print_json(request_record(rt.db, args.key))
        return 0
    view = request_view(rt.db, args.key)
    if view is None:
        raise NotFound(f"{args.key} is not a service request raised with a type")
    print(f"{view.key}  {printable(view.type_label)} ({printable(view.type)})")
    approval = view.approval.replace("_", " ")
    decided = f" by {printable(view.decided_by)}" if view.decided_by else ""
    note = f": {printable(view.decision_note)}" if view.decision_note else ""
    who = f" (approver: {view.approver})" if view.approval != "not_required" else ""
    print(f"approval: {approval}{decided}{note}{who}")
    for _, label, value in view.values:
        print(f"{printable(label)}: {printable(value)}")
    print(f"checklist: {view.steps_done}/{len(view.steps)} done")
    for st in view.steps:
        mark = "x" if st.done_at else " "
        by = f"  ({printable(st.done_by)})" if st.done_by else ""
        print(f"  [{mark}] {st.number}. {printable(st.title)}{by}")
    return 0


def register(commands) -> None:
    p = commands.add(("request", "types"), help="the request types: fields, steps, approval, SLA, group",
                     description="List the request types (or one, with its fields and steps). Admins add them "
                                 "with `request type-add`.")
    p.add_argument("name", nargs="?", metavar="NAME", help="one type, with its fields and steps")
    p.add_argument("--all", action="store_true", help="retired types too")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_types)

    p = commands.add(("request", "show"), help="a request's type, fields, checklist and approval",
                     description="Print the request part of KEY (REQ-…); `incidentdesk show KEY` prints the rest.")
    p.add_argument("key", metavar="KEY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)
