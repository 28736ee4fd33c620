"""The CLI's subcommands for use cases, generated from the catalog (services/catalog).

One subcommand per use case with `command` words: the incident's KEY first where the use case
acts on one, an option per parameter (spelled as the catalog says, its dest the parameter's
name), `--version N` to refuse an edit that raced another, and `--json` to print the resulting
record. Values are converted by the catalog (Param.convert), as the console's are, so both
refuse the same things with the same words; a service's error about a field gets the flag that
sets it. Building these parsers imports no service: it is imported when its command runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from incidentdesk.cli.common import Commands
from incidentdesk.domain.enums import Role, Source
from incidentdesk.domain.errors import ValidationError
from incidentdesk.services.catalog.spec import Kind, Param, Subject, UseCase

# Namespace attributes the top-level parser and the generated options already use.
RESERVED = frozenset({"db", "acting_as", "config", "command", "handler", "key", "json", "expected_version"})
# Use cases a command runs through plain sqlite3 writes on a current SQLite file (runtime.plain_context,
# store/plainwrite), without importing SQLAlchemy: every storage step their services take goes through
# store/writes, which has a plain version of it (tests/store/test_plainwrite.py writes each both ways
# and compares every table). Anything else a future change makes them ask of the session raises
# PlainUnsupported: the plain transaction rolls back whole and they run as usual, through the ORM.
PLAIN_WRITES = frozenset({"new", "comment", "acknowledge", "start", "hold", "resume", "cancel", "take", "assign",
                          "reprioritise", "escalate", "resolve", "close", "reopen",
                          "declare_major", "stand_down_major", "post_update", "hand_command", "major_roles",
                          "vendor", "clear_vendor"})

_METAVARS = {Kind.PERSON: "LOGIN", Kind.GROUP: "GROUP", Kind.CATEGORY: "PATH", Kind.SERVICE: "NAME",
             Kind.TIME: "TIME", Kind.LIST: "NAME"}
_KIND_HELP = {
    Kind.TIME: "YYYY-MM-DD HH:MM in the site time zone ([general] time_zone), or ISO 8601 with a zone",
    Kind.CATEGORY: "Service/System/Application",
}


def metavar(param: Param) -> str | None:
    if param.kind is Kind.CHOICE:
        return "{" + ",".join(value for value, _ in param.options()) + "}"
    if param.kind is Kind.INT and param.minimum is not None:
        return f"{param.minimum}-{param.maximum}"
    return _METAVARS.get(param.kind)


def _help(param: Param) -> str:
    text = param.help or param.label
    if param.kind in _KIND_HELP:
        text += f" ({_KIND_HELP[param.kind]})"
    if param.default not in (None, "", False, ()):
        text += f" (default {param.default})"
    return text.replace("%", "%%")


def add_param(parser, param: Param) -> None:
    """One catalog parameter as an argparse argument whose dest is the parameter's name."""
    if param.name in RESERVED:
        raise RuntimeError(f"parameter name {param.name!r} is taken by the command line itself")
    if param.positional:
        parser.add_argument(param.name, metavar=param.name.upper(), help=_help(param),
                            nargs=None if param.required else "?")
        return
    kwargs: dict = {"dest": param.name, "help": _help(param)}
    if param.kind is Kind.FLAG:
        kwargs["action"] = "store_true"
    else:
        if param.kind is Kind.LIST:
            kwargs["action"] = "append"
        if metavar(param):
            kwargs["metavar"] = metavar(param)
        # Required here when nothing fills it in; a console suggestion is no default for a script.
        kwargs["required"] = param.required and param.default is None
    parser.add_argument(param.cli_flag, **kwargs)


def _description(uc: UseCase) -> str:
    text = uc.summary[:1].upper() + uc.summary[1:] + "."
    if uc.who:
        text += f" {uc.who[:1].upper()}{uc.who[1:]}."
    elif uc.role is Role.ADMIN:
        text += " Needs the admin role."
    elif uc.role is not Role.RESPONDER:
        text += f" Needs the {uc.role.label} role or higher."
    shown = re.sub(r"\{(\w+)\}", lambda m: m.group(1).upper(), uc.printed)
    return text + f" Prints `{shown}`; with --json, the resulting record."


def register(commands: Commands, use_cases: Iterable[UseCase]) -> None:
    for uc in use_cases:
        if uc.command is None:
            continue
        parser = commands.add(uc.command, help=uc.summary, description=_description(uc).replace("%", "%%"))
        if uc.subject is Subject.INCIDENT:
            parser.add_argument("key", metavar="KEY", help="the incident, e.g. INC-000123")
        for param in uc.params:
            add_param(parser, param)
        if uc.subject is Subject.INCIDENT and uc.conflicts:
            parser.add_argument("--version", dest="expected_version", type=int, metavar="N",
                                help="refuse if the incident is no longer at this version")
        parser.add_argument("--json", action="store_true", help="print the resulting record as JSON")
        parser.set_defaults(handler=lambda args, uc=uc: run(uc, args))


def flag_hint(uc: UseCase, field: str | None) -> str | None:
    """The option(s) that set `field`, e.g. "--to GROUP", or "--user LOGIN / --group GROUP"."""
    names = uc.one_of if field in uc.one_of else (field,)
    hints = []
    for name in names:
        try:
            param = uc.param(name)
        except KeyError:
            continue
        if param.positional:
            continue
        shown = metavar(param) if param.kind not in (Kind.CHOICE, Kind.INT, Kind.FLAG) else None
        hints.append(f"{param.cli_flag} {shown}" if shown else param.cli_flag)
    return " / ".join(hints) or None


def run(uc: UseCase, args) -> int:
    """Run one use case from parsed arguments: prints `uc.printed` (`KEY: done`, the new key...), or the record."""
    from incidentdesk.cli.common import print_json, runtime
    from incidentdesk.domain.text import printable
    from incidentdesk.services.catalog.spec import invoke

    rt = runtime(args)
    raw = {p.name: getattr(args, p.name, None) for p in uc.params}
    call = dict(key=getattr(args, "key", None), expected_version=getattr(args, "expected_version", None),
                origin=Source.CLI.value)
    try:
        outcome = None
        plain = rt.plain_context() if uc.name in PLAIN_WRITES else None
        if plain is not None:
            from incidentdesk.store.plainwrite import PlainUnsupported

            try:
                outcome = invoke(uc, plain, raw, **call)
            except PlainUnsupported:  # rolled back, nothing written: the usual path does it
                outcome = None
        if outcome is None:
            outcome = invoke(uc, rt.ctx, raw, **call)
    except ValidationError as exc:
        hint = flag_hint(uc, exc.field)
        if hint is None:
            raise
        raise ValidationError(f"{exc} ({hint})", field=exc.field) from None
    if uc.shows_result and hasattr(outcome.result, "to_json"):  # an import's report (services/cmdb_import.py)
        if args.json:
            print_json(outcome.result.to_json())
        else:
            for line in (outcome.result.summary(), *outcome.result.lines()):
                print(printable(line))
    elif args.json:
        print_json(uc.record(rt.db, outcome.key))
    else:
        print(outcome.text(uc.printed, printable))
    return 0
