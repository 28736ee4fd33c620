"""Subcommands that work on incidents: new, list, show, every lifecycle action, major / stand-down."""

from __future__ import annotations

from datetime import datetime

from incidentdesk.cli.common import print_json, runtime
from incidentdesk.domain.enums import Status, parse_enum
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.priority import parse_priority
from incidentdesk.domain.sla_state import countdowns_of
from incidentdesk.domain.text import printable
from incidentdesk.services import incidents as svc
from incidentdesk.services import major as major_svc
from incidentdesk.store import queries
from incidentdesk.store.sla_records import target_history

LEVELS = ("high", "medium", "low")


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{text!r} is not a time: use ISO 8601, e.g. 2026-11-23T09:30+00:00") from None
    if value.tzinfo is None:
        raise ValidationError(f"{text!r} has no time zone: add one, e.g. +00:00")
    return value


def cmd_new(args) -> int:
    rt = runtime(args)
    key = svc.log_incident(rt.ctx, svc.Intake(
        title=args.title, impact=args.impact, urgency=args.urgency, type=args.type, severity=args.severity,
        affected_service=args.service, category=args.category, description=args.description or "",
        group=args.group, ci=args.ci, symptoms=args.symptoms or "", impacted=args.impacted or "",
        started_at=_parse_time(args.started_at), source="cli",
    ))
    print(key)
    return 0


def cmd_list(args) -> int:
    rt = runtime(args)
    status = str(parse_enum(Status, args.status, "status")) if args.status is not None else None
    flt = queries.QueueFilter(
        open_only=not args.all, status=status, priority=parse_priority(args.priority) if args.priority else None,
        group=args.group, assignee=args.assignee, text=args.search or "", major=args.major,
    )
    rows: list[queries.QueueRow] = []
    cursor = None
    while len(rows) < args.limit:
        page = queries.queue_page(rt.db, flt, after=cursor, limit=min(500, args.limit - len(rows)))
        rows += page.rows
        if not page.has_more or not page.rows:
            break
        cursor = page.rows[-1].cursor(flt.sort)
    if args.json:
        print_json([queries.row_to_json(r) for r in rows])
        return 0
    now = rt.ctx.now()
    for r in rows:
        who = printable(r.assignee) or "-"
        group = printable(r.group) or "-"
        mark = "MAJOR " if r.is_major else ""
        sla = "; ".join(f"{which} {cd.brief()}" for which, cd in _countdowns(rt, r, now).items())
        print(f"{r.key}  P{r.priority}  {r.status:<12} {who:<12} {group:<20} {mark}{printable(r.title, 60)}  [{sla}]")
    if not rows:
        print("no incidents match")
    return 0


def cmd_show(args) -> int:
    rt = runtime(args)
    detail = queries.incident_detail(rt.db, args.key)
    if args.json:
        print_json(detail.to_json())
        return 0
    d = detail
    print(f"{d.key}  P{d.priority} {d.severity}  {d.status.replace('_', ' ')}  {printable(d.title)}")
    print(f"  impact {d.impact} × urgency {d.urgency}; assignee {printable(d.assignee) or '-'}; "
          f"group {printable(d.group) or '-'} (tier {d.tier})")
    if d.is_major:
        print(f"  MAJOR INCIDENT: commander {printable(d.commander) or '-'}, declared {d.major_declared_at:%Y-%m-%d %H:%M} UTC")
    for label, value in (("service", d.affected_service), ("category", d.category), ("CI", d.ci),
                         ("description", d.description), ("symptoms", d.symptoms), ("impacted", d.impacted),
                         ("resolution", d.resolution_code and f"{d.resolution_code}: {d.resolution_notes}")):
        if value:
            print(f"  {label}: {printable(value)}")
    for which, cd in _countdowns(rt, d, rt.ctx.now()).items():
        print(f"  {which} SLA: {cd.describe()}")
    for h in target_history(rt.db, d.key):
        breached = f" {h.breached_at:%Y-%m-%d %H:%M} UTC" if h.breached_at else ""
        print(f"  earlier {h.target} target ({h.policy}, due {h.due_at:%Y-%m-%d %H:%M} UTC): {h.state.replace('_', ' ')}"
              f"{breached}, replaced {h.superseded_at:%Y-%m-%d %H:%M} UTC")
    if d.escalations:
        print("escalations:")
        for e in d.escalations:
            print(f"  {e.at:%Y-%m-%d %H:%M} {e.kind} by {printable(e.actor)} -> {printable(e.to_group) or '-'} "
                  f"{printable(e.to_person)}: {printable(e.summary, 80)}")
    if d.alerts:
        print(f"alerts ({d.alert_count} occurrences):")
        for a in d.alerts:
            print(f"  {a.last_seen_at:%Y-%m-%d %H:%M} {printable(a.status):<8} x{a.occurrences:<4} {printable(a.summary, 80)}")
    print("timeline:")
    for e in d.timeline:
        print(f"  {e.at:%Y-%m-%d %H:%M:%S} {printable(e.actor):<12} {e.kind:<14} {printable(e.text, 80)}")
    return 0


def _countdowns(rt, item, now: datetime) -> dict:
    """Each target's state and (working) time left, on the incident's policy calendar."""
    calendar = rt.config.sla.policy_for(item.priority, item.type, item.category).calendar
    return countdowns_of(item, now, calendar)


def _flags(fn, **flags):
    """Services name the field a bad value belongs to; here it gets the flag that sets it."""
    def run(rt, a):
        try:
            return fn(rt, a)
        except ValidationError as exc:
            if exc.field in flags:
                raise ValidationError(f"{exc} ({flags[exc.field]})", field=exc.field) from None
            raise
    return run


def _action(fn):
    def run(args) -> int:
        rt = runtime(args)
        fn(rt, args)
        print(f"{args.key}: done")
        return 0
    return run


def register(sub) -> None:
    p = sub.add_parser("new", help="log a new incident or service request; prints its key")
    p.add_argument("--title", required=True)
    p.add_argument("--impact", required=True, choices=LEVELS)
    p.add_argument("--urgency", required=True, choices=LEVELS)
    p.add_argument("--type", default="incident", choices=("incident", "request"))
    p.add_argument("--severity", choices=("SEV1", "SEV2", "SEV3", "SEV4"))
    p.add_argument("--service", help="affected service")
    p.add_argument("--category", metavar="PATH", help="Service/System/Application")
    p.add_argument("--description")
    p.add_argument("--group")
    p.add_argument("--ci", help="configuration item (asset)")
    p.add_argument("--symptoms")
    p.add_argument("--impacted", help="who / how many are impacted")
    p.add_argument("--started-at", help="when it started (ISO 8601 with time zone)")
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser("list", help="list incidents (open ones by default), priority then SLA due")
    p.add_argument("--status", help="new, acknowledged, in progress (or in_progress), on hold, resolved, closed, cancelled")
    p.add_argument("--priority", help="P1..P4")
    p.add_argument("--group")
    p.add_argument("--assignee")
    p.add_argument("--search", help="text in the title or key")
    p.add_argument("--all", action="store_true", help="include resolved, closed and cancelled")
    p.add_argument("--major", action="store_true", help="major incidents only")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="one incident with its timeline and escalations")
    p.add_argument("key")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    def add(name, help_, fn, *extra):
        p = sub.add_parser(name, help=help_)
        p.add_argument("key")
        for args_, kwargs in extra:
            p.add_argument(*args_, **kwargs)
        p.add_argument("--version", dest="expected_version", type=int, metavar="N",
                       help="refuse if the incident is no longer at this version")
        p.set_defaults(handler=_action(fn))
        return p

    add("ack", "acknowledge (stops the response clock)",
        lambda rt, a: svc.acknowledge(rt.ctx, a.key, comment=a.comment or "", expected_version=a.expected_version),
        (("--comment",), {}))
    add("start", "start work",
        lambda rt, a: svc.start_work(rt.ctx, a.key, expected_version=a.expected_version))
    add("take", "take ownership",
        lambda rt, a: svc.take(rt.ctx, a.key, expected_version=a.expected_version))
    add("assign", "assign to a person and/or group",
        _flags(lambda rt, a: svc.assign(rt.ctx, a.key, user=a.user, group=a.group, expected_version=a.expected_version),
               user="--user LOGIN / --group NAME"),
        (("--user",), {}), (("--group",), {}))
    add("reprioritise", "change impact/urgency/severity (with a reason)",
        lambda rt, a: svc.reprioritise(rt.ctx, a.key, impact=a.impact, urgency=a.urgency, severity=a.severity,
                                       reason=a.reason, expected_version=a.expected_version),
        (("--impact",), {"choices": LEVELS}), (("--urgency",), {"choices": LEVELS}),
        (("--severity",), {"choices": ("SEV1", "SEV2", "SEV3", "SEV4")}), (("--reason",), {"required": True}))
    add("escalate", "escalate functionally (to a group) or hierarchically (to management)",
        _flags(lambda rt, a: svc.escalate(rt.ctx, a.key, kind=a.kind, to_group=a.to, summary=a.summary,
                                          reason=a.reason or "", expected_version=a.expected_version),
               to_group="--to GROUP"),
        (("--kind",), {"required": True, "choices": ("functional", "hierarchical")}), (("--to",), {}),
        (("--summary",), {"required": True}), (("--reason",), {}))
    add("hold", "put on hold (with a reason)",
        lambda rt, a: svc.hold(rt.ctx, a.key, reason=a.reason, expected_version=a.expected_version),
        (("--reason",), {"required": True}))
    add("resume", "resume from hold",
        lambda rt, a: svc.resume(rt.ctx, a.key, expected_version=a.expected_version))
    add("resolve", "resolve with a code and notes",
        lambda rt, a: svc.resolve(rt.ctx, a.key, code=a.code, notes=a.notes, expected_version=a.expected_version),
        (("--code",), {"required": True}), (("--notes",), {"required": True}))
    add("close", "close a resolved incident",
        lambda rt, a: svc.close(rt.ctx, a.key, confirmed=a.confirmed, csat=a.csat, expected_version=a.expected_version),
        (("--confirmed",), {"action": "store_true", "help": "the user confirmed the fix"}),
        (("--csat",), {"type": int, "choices": range(1, 6), "metavar": "1-5"}))
    add("reopen", "reopen a resolved incident",
        lambda rt, a: svc.reopen(rt.ctx, a.key, reason=a.reason, expected_version=a.expected_version),
        (("--reason",), {"required": True}))
    add("cancel", "cancel (e.g. logged by mistake)",
        lambda rt, a: svc.cancel(rt.ctx, a.key, reason=a.reason, expected_version=a.expected_version),
        (("--reason",), {"required": True}))
    add("major", "declare a major incident, with a commander who is not its assignee (default: you)",
        lambda rt, a: major_svc.declare_major(rt.ctx, a.key, reason=a.reason, commander=a.commander,
                                              expected_version=a.expected_version),
        (("--reason",), {"required": True}), (("--commander",), {"metavar": "LOGIN"}))
    add("stand-down", "stand a major incident down (it stays an ordinary incident)",
        lambda rt, a: major_svc.stand_down_major(rt.ctx, a.key, reason=a.reason, expected_version=a.expected_version),
        (("--reason",), {"required": True}))
    p = sub.add_parser("comment", help="add a comment to the timeline")
    p.add_argument("key")
    p.add_argument("text")
    p.set_defaults(handler=_action(lambda rt, a: svc.comment(rt.ctx, a.key, a.text)))
