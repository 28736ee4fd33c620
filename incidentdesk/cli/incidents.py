"""Reading incidents: `list` and `show` (the use cases that change them are generated: cli/usecases.py).

Each handler imports what it reads with when it runs, so building the parser stays light.
"""

from __future__ import annotations

from datetime import datetime

from incidentdesk.cli.common import print_json, runtime


def cmd_list(args) -> int:
    from incidentdesk.domain.enums import IncidentType, Status, parse_enum
    from incidentdesk.domain.priority import parse_priority
    from incidentdesk.domain.text import printable
    from incidentdesk.domain.major_cadence import update_overdue
    from incidentdesk.store.rows import QueueFilter, row_to_json

    rt = runtime(args)
    status = str(parse_enum(Status, args.status, "status")) if args.status is not None else None
    kind = str(parse_enum(IncidentType, args.type, "type")) if args.type is not None else None
    flt = QueueFilter(
        open_only=not args.all, status=status, priority=parse_priority(args.priority) if args.priority else None,
        group=args.group, assignee=args.assignee, text=args.search or "", major=args.major,
        waiting_vendor=args.waiting_vendor, type=kind, fold=not args.unfold,
    )
    rows = _plain_rows(rt, flt, args.limit)
    if rows is None:
        from incidentdesk.store import queries

        rows, cursor = [], None
        while len(rows) < args.limit:
            page = queries.queue_page(rt.db, flt, after=cursor, limit=min(500, args.limit - len(rows)))
            rows += page.rows
            if not page.has_more or not page.rows:
                break
            cursor = page.rows[-1].cursor(flt.sort)
    if args.json:
        from incidentdesk.store.vendor import vendors_of

        vendors = vendors_of(rt.db, [r.id for r in rows])
        empty = dict.fromkeys(("vendor", "vendor_ticket", "vendor_url", "vendor_status"))
        print_json([{**row_to_json(r), **vendors.get(r.id, empty)} for r in rows])
        return 0
    now = rt.now()
    for r in rows:
        who = printable(r.assignee) or "-"
        group = printable(r.group) or "-"
        mark = ("MAJOR (update overdue) " if update_overdue(r, now) else "MAJOR ") if r.is_major else ""
        if r.folded:  # children and duplicates folded under it (--unfold lists them too)
            mark += f"+{r.folded} folded "
        if r.parent_id is not None:
            mark = "↳ " + mark  # itself folded under a parent: listed with --unfold (or a search)
        sla = "; ".join(f"{which} {cd.brief()}" for which, cd in _countdowns(rt, r, now).items())
        print(f"{r.key}  P{r.priority}  {r.status:<12} {who:<12} {group:<20} {mark}{printable(r.title, 60)}  [{sla}]")
    if not rows:
        print("no incidents match")
    return 0


def cmd_show(args) -> int:
    from incidentdesk.domain.text import printable
    from incidentdesk.domain.vendor import vendor_line

    rt = runtime(args)
    detail, history = _detail(rt, args.key)
    if args.json:
        print_json(detail.to_json())
        return 0
    d = detail
    print(f"{d.key}  P{d.priority} {d.severity}  {d.status.replace('_', ' ')}  {printable(d.title)}")
    print(f"  impact {d.impact} × urgency {d.urgency}; assignee {printable(d.assignee) or '-'}; "
          f"group {printable(d.group) or '-'} (tier {d.tier})")
    if d.is_major:
        print(f"  MAJOR INCIDENT: commander {printable(d.commander) or '-'}, declared {d.major_declared_at:%Y-%m-%d %H:%M} UTC")
        print(f"  deputy {printable(d.deputy) or '-'}; communications lead {printable(d.comms_lead) or '-'}")
        if d.next_update_due is not None:
            from incidentdesk.domain.major_cadence import update_countdown

            cd = update_countdown(rt.ctx.now(), d.next_update_due, rt.config.major.due_soon)
            print(f"  stakeholder update: {cd.words()} ({d.next_update_due:%Y-%m-%d %H:%M} UTC)")
    for label, value in (("service", d.affected_service), ("category", d.category), ("CI", d.ci),
                         ("description", d.description), ("symptoms", d.symptoms), ("impacted", d.impacted),
                         ("resolution", d.resolution_code and f"{d.resolution_code}: {d.resolution_notes}")):
        if value:
            print(f"  {label}: {printable(value)}")
    if d.hold_reason:
        print(f"  on hold: {printable(d.hold_reason)}")
    line = vendor_line(d.vendor, d.vendor_ticket, d.vendor_status, d.vendor_url)
    if line:
        print(f"  {printable(line)}")
    for which, cd in _countdowns(rt, d, rt.now()).items():
        print(f"  {which} SLA: {cd.describe()}")
    for h in history:
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


def _plain_rows(rt, flt, limit: int) -> list | None:
    """The rows read with plain sqlite3 (store/plainsql), or None: take the SQLAlchemy path."""
    if limit <= 0:
        return []  # as the paging loop below reads nothing (SQLite takes a negative LIMIT as none)
    conn = rt.plain_sqlite()
    if conn is None:
        return None
    import sqlite3

    from incidentdesk.store import plainsql

    try:
        page = plainsql.queue_page(conn, flt, limit)
    except sqlite3.Error:  # e.g. locked past the busy timeout: the SQLAlchemy path says what it is
        return None
    finally:
        conn.close()
    return None if page is None else page.rows


def _detail(rt, key: str):
    """(detail, replaced SLA targets): plain sqlite3 on a current SQLite file, else SQLAlchemy."""
    conn = rt.plain_sqlite()
    if conn is not None:
        import sqlite3

        from incidentdesk.store import plainsql

        try:
            return plainsql.incident_detail(conn, key)
        except sqlite3.Error:  # the SQLAlchemy path below says what it is
            pass
        finally:
            conn.close()
    from incidentdesk.store import queries
    from incidentdesk.store.sla_records import target_history

    return queries.incident_detail(rt.db, key), target_history(rt.db, key)


def _countdowns(rt, item, now: datetime) -> dict:
    """Each target's state and (working) time left, on the incident's policy calendar."""
    from incidentdesk.domain.sla_state import countdowns_of

    calendar = rt.config.sla.policy_for(item.priority, item.type, item.category).calendar
    return countdowns_of(item, now, calendar)


def register(commands) -> None:
    p = commands.add("list", help="list incidents (open ones by default), priority then SLA due")
    p.add_argument("--status", help="new, acknowledged, in progress (or in_progress), on hold, resolved, closed, cancelled")
    p.add_argument("--priority", help="P1..P4")
    p.add_argument("--group")
    p.add_argument("--assignee")
    p.add_argument("--search", help="text in the title or key")
    p.add_argument("--all", action="store_true", help="include resolved, closed and cancelled")
    p.add_argument("--major", action="store_true", help="major incidents only")
    p.add_argument("--waiting-vendor", action="store_true", help="on hold waiting for a vendor")
    p.add_argument("--type", help="incident or request (service requests, REQ- keys)")
    p.add_argument("--unfold", action="store_true",
                   help="also list the incidents folded under a parent (its children and duplicates)")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = commands.add("show", help="one incident with its timeline and escalations")
    p.add_argument("key")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)
