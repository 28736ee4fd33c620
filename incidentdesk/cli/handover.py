"""`incidentdesk handover`: the shift handover's draft, and published handovers read back.

`handover` prints the draft as it stands now — Markdown for pasting into chat, or `--json`;
`handover list` the latest handovers (an unacknowledged one past `[handover] ack_within_minutes`
says NOT ACKNOWLEDGED); `handover show ID` one of them as it was handed over (its snapshot, not
today's queue). Publishing and acknowledging are the generated `handover publish` / `handover ack`
(services/catalog/handover.py). The rendering is domain/handover.py.
"""

from __future__ import annotations

import sys

from incidentdesk.cli.common import print_json, print_list, runtime


def cmd_draft(args) -> int:
    from incidentdesk.domain.handover import draft_json, render_markdown
    from incidentdesk.store.handover import draft

    rt = runtime(args)
    content, previous = draft(rt.db, rt.ctx.now())
    if args.json:
        print_json(draft_json(content, previous))
    else:
        sys.stdout.write(render_markdown(content, args.note or ""))
    return 0


def cmd_list(args) -> int:
    from incidentdesk.domain.errors import ValidationError
    from incidentdesk.domain.handover import handover_json, list_line
    from incidentdesk.store.handover import list_handovers

    if not 1 <= args.limit <= 1000:
        raise ValidationError(f"--limit must be 1 to 1000, not {args.limit}", field="limit")
    rt = runtime(args)
    handovers = list_handovers(rt.db, args.limit)
    now, within = rt.ctx.now(), rt.config.schema.handover.ack_within
    return print_list(args, handovers, lambda h: list_line(h, now, within),
                      record=lambda h: handover_json(h) | {"content": None},
                      empty="no handover has been published yet (incidentdesk handover publish --note ...)")


def cmd_show(args) -> int:
    from incidentdesk.domain.errors import ValidationError
    from incidentdesk.domain.handover import handover_json, render_markdown
    from incidentdesk.store.handover import get

    try:
        number = int(args.id)
    except ValueError:
        raise ValidationError(f"a handover is named by its number, not {args.id!r}", field="id") from None
    rt = runtime(args)
    h = get(rt.db, number)
    if args.json:
        print_json(handover_json(h))
    else:
        sys.stdout.write(render_markdown(h.content, h.note, h, now=rt.ctx.now(),
                                         ack_within=rt.config.schema.handover.ack_within))
    return 0


def register(commands) -> None:
    p = commands.add("handover", help="the shift handover: the draft now (Markdown or JSON); publish, ack, list, show",
                     description="Print the shift handover as it would be published now: open majors and "
                                 "their next update due, breached and at-risk incidents, unassigned ones, new "
                                 "since the last handover, escalations in flight, incidents waiting on vendors. "
                                 "Markdown for pasting into chat; --json for scripts. Actions: handover publish "
                                 "--note TEXT, handover ack [ID], handover list, handover show ID.")
    p.add_argument("--note", metavar="TEXT", help="show this note in the draft (publishing takes its own --note)")
    p.add_argument("--json", action="store_true", help="the draft as JSON")
    p.set_defaults(handler=cmd_draft)

    p = commands.add(("handover", "list"), help="the latest handovers: who published, who acknowledged, when")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N, newest first (default 20)")
    p.add_argument("--json", action="store_true", help="print them as JSON (without their content)")
    p.set_defaults(handler=cmd_list)

    p = commands.add(("handover", "show"), help="a published handover, as it was handed over (Markdown or JSON)")
    p.add_argument("id", metavar="ID", help="the handover's number (handover list shows them)")
    p.add_argument("--json", action="store_true", help="the handover as JSON")
    p.set_defaults(handler=cmd_show)
