"""`incidentdesk notify`: deliver what is due (once, or `--loop` as a service), `notify list`, `purge`, `channels`.

`notify retry ID` is a use case (services/catalog/notify.py). The delivery worker (and apprise
with it) is imported when a delivering command runs, not to build the parser.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from incidentdesk.cli.common import print_json, print_list, print_round, runtime
from incidentdesk.domain.errors import ValidationError


def _report(result, *, quiet_when_idle: bool) -> None:
    print_round(result, "delivery", quiet_when_idle=quiet_when_idle, idle=lambda r: not r.handled,
                lines=lambda r: [*(f"{row_id} will be retried: {error}" for row_id, error in r.retried),
                                 *(f"{row_id} parked as failed: {error}" for row_id, error in r.failed)])


def cmd_notify(args) -> int:
    if args.workers is not None and not 1 <= args.workers <= 32:
        raise ValidationError("--workers must be 1 to 32", field="workers")
    rt = runtime(args)
    settings = rt.config.notify
    if not settings.channels:
        print("incidentdesk notify: no [[notify.channel]] in incidentdesk.toml: nothing can be delivered; "
              "see README, Notifications", file=sys.stderr)
    from incidentdesk.notify import delivery

    try:
        if not args.loop:
            result = delivery.Deliverer(rt.db, settings).deliver_due()
            if args.json:
                print_json({"sent": result.sent, "retried": result.retried, "failed": result.failed,
                            "lost": result.lost})
            else:
                _report(result, quiet_when_idle=False)
            return 0
        workers = args.workers or settings.workers
        print(f"delivering notifications from {rt.db.display_name} with {workers} worker(s) "
              f"(Ctrl-C stops)", flush=True)
        delivery.run_loop(rt.db, settings, workers=workers, report=lambda r: _report(r, quiet_when_idle=True))
        return 0
    finally:
        rt.db.dispose()


def _line(row: dict) -> str:
    from incidentdesk.domain.text import printable

    when = row["sent_at"] or row["next_attempt_at"]
    error = f"  {printable(row['last_error'])}" if row["last_error"] else ""
    to = f" -> {printable(row['recipient'])}" if row["recipient"] else ""
    return (f"{row['id']:>6} {row['state']:<8} {row['attempts']:>2} {printable(row['incident_key'] or '-'):<11} "
            f"{row['event_kind']:<18} {printable(row['channel'])}{to}  {when:%Y-%m-%d %H:%M:%S}{error}")


def cmd_list(args) -> int:
    from incidentdesk.domain.notify_rules import STATES
    from incidentdesk.services import outbox

    if args.state is not None and args.state not in STATES:
        raise ValidationError(f"unknown state {args.state!r}: use one of {', '.join(STATES)}", field="state")
    rt = runtime(args)
    rows = outbox.list_messages(rt.ctx, state=args.state, limit=args.limit)
    return print_list(args, rows, _line, record=lambda row: row,  # the outbox's rows are JSON records already
                      empty="no notifications" + (f" {args.state}" if args.state else ""),
                      head=f"{'id':>6} {'state':<8} {'n':>2} {'incident':<11} {'event':<18} channel  when (UTC)  last error")


def cmd_channels(args) -> int:
    from incidentdesk.notify.channels import describe

    rt = runtime(args)
    channels = rt.config.notify.channels
    if not channels:
        print("no channels: add [[notify.channel]] with name and url_env or url_file to incidentdesk.toml")
    from incidentdesk.domain.text import printable

    for channel in channels.values():
        print(printable(describe(channel)))
    return 0


def cmd_purge(args) -> int:
    from incidentdesk.services import outbox

    rt = runtime(args)
    days = rt.config.notify.keep_sent_days if args.older_than is None else args.older_than
    if days < 0:
        raise ValidationError("--older-than must be 0 days or more", field="older_than")
    if days == 0 and args.older_than is None:
        print("nothing purged: [notify] keep_sent_days = 0 keeps sent notifications (give --older-than DAYS)")
        return 0
    gone = outbox.purge_sent(rt.db, datetime.now(UTC), days or 1e-9)
    if args.json:
        print_json({"purged": gone, "older_than_days": days})
    else:
        print(f"{gone} sent notification(s) older than {days:g} day(s) deleted")
    return 0


def register(commands) -> None:
    p = commands.add("notify", help="deliver due notifications (--loop: keep delivering as a service)",
                     description="Send the notifications the outbox holds that are due, then exit; with --loop "
                                 "keep delivering. Rules and channels: [notify] in incidentdesk.toml.")
    p.add_argument("--loop", action="store_true", help="keep delivering until interrupted")
    p.add_argument("--workers", type=int, metavar="N", help="delivery threads with --loop (default [notify] workers)")
    p.add_argument("--json", action="store_true", help="print what was sent as JSON (once)")
    p.set_defaults(handler=cmd_notify)

    p = commands.add(("notify", "list"), help="the notifications: pending, sending, sent, failed")
    p.add_argument("--state", metavar="STATE", help="only those in STATE (pending, sending, sent, failed)")
    p.add_argument("--limit", type=int, default=200, metavar="N", help="at most N, newest first (default 200)")
    p.add_argument("--json", action="store_true", help="print them as JSON")
    p.set_defaults(handler=cmd_list)

    p = commands.add(("notify", "purge"), help="delete sent notifications older than [notify] keep_sent_days",
                     description="Delete sent notifications sent more than DAYS ago (default [notify] "
                                 "keep_sent_days); pending and failed ones are kept. notify --loop and "
                                 "receive do this every hour by themselves.")
    p.add_argument("--older-than", type=float, metavar="DAYS", help="instead of [notify] keep_sent_days")
    p.add_argument("--json", action="store_true", help="print how many as JSON")
    p.set_defaults(handler=cmd_purge)

    p = commands.add(("notify", "channels"), help="the configured channels: name and scheme (never the URL)")
    p.set_defaults(handler=cmd_channels)
