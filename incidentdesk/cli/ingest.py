"""`incidentdesk receive` (the alert receiver) and `incidentdesk ingest` (the same payloads from a file).

The parsers, the receiver and the alert service are imported when a command runs, not to build its parser.
"""

from __future__ import annotations

import sys

from incidentdesk.cli.common import print_json, runtime
from incidentdesk.domain.errors import ValidationError

MAX_FILE_BYTES = 64 * 1024 * 1024


def cmd_receive(args) -> int:
    from incidentdesk.ingest.server import serve  # uvicorn loads only for this command

    rt = runtime(args)
    stop = None
    if rt.config.notify.channels and not args.dry_run and not args.no_notify:
        # Notifications are delivered beside the receiver, in background threads ([notify] workers).
        from incidentdesk.cli.notify import _report
        from incidentdesk.notify.delivery import start_background

        stop = start_background(rt.db, rt.config.notify, report=lambda r: _report(r, quiet_when_idle=True))
        print(f"incidentdesk receive: delivering notifications with {rt.config.notify.workers} worker(s)",
              file=sys.stderr, flush=True)
    try:
        serve(rt.db, rt.config, host=args.host, port=args.port, dry_run=args.dry_run)
    finally:
        if stop is not None:
            stop.set()
    return 0


def cmd_ingest(args) -> int:
    from incidentdesk.ingest.errors import PayloadError
    from incidentdesk.ingest.parsers import FORMATS, parse_body
    from incidentdesk.ingest.settings import settings_from_config
    from incidentdesk.services.alerts import apply_batch

    if args.format not in FORMATS:
        raise ValidationError(f"unknown format {args.format!r}: use one of {', '.join(FORMATS)}", field="format")
    rt = runtime(args)
    settings = settings_from_config(rt.config)
    try:
        if args.file == "-":
            body = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with open(args.file, "rb") as fh:
                body = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValidationError(f"cannot read {args.file}: {exc.strerror}") from None
    if len(body) > MAX_FILE_BYTES:
        raise ValidationError(f"{args.file} is over {MAX_FILE_BYTES} bytes; split it")
    import hashlib

    digest = hashlib.sha256(args.format.encode() + b"\0" + body).hexdigest()
    try:
        batch = parse_body(args.format, body, digest=digest)
    except PayloadError as exc:
        raise ValidationError(f"{args.file} is not a valid {args.format} payload: {exc}") from None
    from incidentdesk.ingest.server import receiver_context

    outcome = apply_batch(receiver_context(rt.db, rt.config, settings), batch, settings.policy, digest=digest)
    if batch.sender_dedup_key:  # answered under the Events API v2 name, as the receiver does
        outcome["dedup_key"] = batch.sender_dedup_key
    if args.json:
        print_json(outcome)
    else:
        what = ("already applied moments ago (same payload, a retry): not counted again, last-seen moved"
                if outcome["replayed"] else "applied")
        print(f"{len(batch.alerts)} alert(s) {what}; incidents: {', '.join(outcome['incidents']) or 'none'}"
              + (f"; new: {', '.join(outcome['created'])}" if outcome["created"] else "")
              + (f"; auto-resolved: {', '.join(outcome['auto_resolved'])}" if outcome["auto_resolved"] else "")
              + (f"; reopened: {', '.join(outcome['reopened'])}" if outcome["reopened"] else ""))
    return 0


def register(commands) -> None:
    p = commands.add("receive", help="run the alert receiver (Alertmanager, Events API v2, Grafana)",
                       description="HTTP receiver for monitoring alerts; configure tokens under [ingest] in "
                                   "incidentdesk.toml.")
    p.add_argument("--host", help="address to bind (default 127.0.0.1, or [ingest] host)")
    p.add_argument("--port", type=int, help="port to bind (default 9095, or [ingest] port)")
    p.add_argument("--dry-run", action="store_true",
                   help="authenticate and parse, answer, but store nothing (to test senders)")
    p.add_argument("--no-notify", action="store_true",
                   help="do not deliver notifications here (run `incidentdesk notify --loop` elsewhere)")
    p.set_defaults(handler=cmd_receive)

    p = commands.add("ingest", help="apply an alert payload from a file or stdin",
                       description="Apply the same payloads the receiver takes, from FILE or - for stdin.")
    p.add_argument("--format", required=True, metavar="FORMAT",
                   help="the payload's format, as the receiver's integrations name it: [ingest.integrations.*] format")
    p.add_argument("file", metavar="FILE", help="payload file, or - for stdin")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(handler=cmd_ingest)
