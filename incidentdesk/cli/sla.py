"""`incidentdesk sla sweep`: record at-risk and breached SLA targets (once, or as a service).

The sweeper (services/sla.py, with SQLAlchemy) is imported when the command runs, not to build its parser.
"""

from __future__ import annotations

from incidentdesk.cli.common import print_json, print_round, runtime
from incidentdesk.domain.errors import ValidationError


def _report(result, *, quiet_when_idle: bool) -> None:
    print_round(result, "sweep", quiet_when_idle=quiet_when_idle,
                idle=lambda r: not r.changes and not r.failures and not r.repeats, lines=_lines)


def _lines(result) -> list[str]:
    return [*(f"{key} {event.replace('_', ' ')}" for key, event in result.changes),
            *(f"{key} escalated automatically to {to}" for key, to in result.escalations),
            *(f"{key} automatic escalation failed: {why}" for key, why in result.failures),
            *(f"{key} not escalated again on {event.replace('_', ' ')}: it was already" for key, event in result.repeats)]


def cmd_sweep(args) -> int:
    from incidentdesk.services import sla

    if args.interval <= 0:
        raise ValidationError("--interval must be more than 0 seconds", field="interval")
    if args.batch is not None and args.batch <= 0:
        raise ValidationError("--batch must be at least 1 incident", field="batch")
    batch = {"batch_size": args.batch} if args.batch is not None else {}  # else the sweeper's own default
    rt = runtime(args)
    try:
        if not args.loop:
            result = sla.sweep(rt.ctx, **batch)
            if args.json:
                print_json({"due": result.examined, "changes": result.changes, "escalations": result.escalations,
                            "failures": result.failures, "not_escalated_again": result.repeats})
            else:
                _report(result, quiet_when_idle=False)
            return 0
        print(f"sweeping {rt.db.display_name} every {args.interval:g} s (Ctrl-C stops)", flush=True)
        sla.run_loop(rt.ctx, interval=args.interval, **batch,
                     report=lambda r: _report(r, quiet_when_idle=True))
        return 0
    finally:
        rt.db.dispose()


def register(commands) -> None:
    sweep = commands.add(("sla", "sweep"), help="record SLA changes due now (--loop: keep sweeping as a service)")
    sweep.add_argument("--loop", action="store_true", help="keep sweeping until interrupted")
    sweep.add_argument("--interval", type=float, default=5.0, metavar="S", help="seconds between sweeps (default 5)")
    sweep.add_argument("--batch", type=int, metavar="N",
                       help="incidents per transaction (default: the sweeper's batch, as in the console)")
    sweep.add_argument("--json", action="store_true", help="print the result as JSON (single sweep)")
    sweep.set_defaults(handler=cmd_sweep)
