"""The `incidentdesk` command: the console with no arguments, subcommands for scripting.

Every user mistake exits non-zero with one line that says what to do; a traceback is a bug.

`incidentdesk` alone (the console) is parsed by a small parser that builds no subcommand; anything
else builds the full parser, which imports no service and no SQLAlchemy either: each command
imports what it uses when it runs (a CLI command pays only for what it uses).
"""

from __future__ import annotations

import argparse
import sys

from incidentdesk import __version__
from incidentdesk.domain.errors import DomainError


class _Parser(argparse.ArgumentParser):
    """Usage mistakes print one line (not the whole usage block) that says where help is."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


# The options before the command, each with what it takes (all take a value: see command_words).
GLOBAL_OPTIONS = (
    ("--db", {"metavar": "URL", "help": "database URL (sqlite:///path.db or postgresql+psycopg://user@host/db)"}),
    ("--as", {"dest": "acting_as", "metavar": "LOGIN", "help": "act as another login (needs allow_acting_as)"}),
    ("--config", {"metavar": "FILE", "help": "config file instead of the default incidentdesk.toml"}),
)


def _global_options(parser: argparse.ArgumentParser) -> None:
    for flag, kwargs in GLOBAL_OPTIONS:
        parser.add_argument(flag, **kwargs)


# Help for the words that group several commands; the commands under them register themselves.
GROUPS = {
    ("db",): "schema: upgrade, current",
    ("audit",): "audit trail checks",
    ("users",): "people and their roles",
    ("groups",): "support groups and their tiers",
    ("sla",): "SLA clock: sweep for at-risk and breached targets",
    ("notify",): "notifications: deliver (once or --loop), list, retry, channels",
    ("config",): "incidentdesk.toml: check a file, show the effective config",
    ("handover",): "the shift handover: the draft now; publish, ack, list, show",
    ("request",): "service requests: new, step, approve, reject, fulfil, show; request types",
    ("oncall",): "on-call rotations: now and next, show, rotation-set, members, override, swap, ical",
    ("categories",): "the category tree: list, add, rename, retire",
    ("ci",): "configuration items: list, show, import, export",
    ("change",): "changes (CHG-): list, show, new, update, import",
    ("problem",): "problems and known errors: list, show, new, link, edit, known-error, resolve, close",
    ("kb",): "knowledge base: articles, search, suggestions, import",
}


def command_words(argv: list[str]) -> tuple[str, ...]:
    """The command `argv` names ("comment", or "users", "add"), past the global options; () for none."""
    words: list[str] = []
    tokens = iter(argv)
    takes_value = {flag for flag, _ in GLOBAL_OPTIONS}
    for token in tokens:
        if token in takes_value or (len(token) > 2 and any(f.startswith(token) for f in takes_value)):
            next(tokens, None)  # its value (argparse takes `--conf FILE` for --config too)
        elif token.startswith("-"):
            if words:
                break
        else:
            words.append(token)
            if not any(group[:len(words)] == tuple(words) for group in GROUPS):
                break
    return tuple(words)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """Every subcommand: the use cases generated from the catalog, and the hand-written ones.

    Imports no service and no SQLAlchemy (tests/services/test_catalog.py holds it to that): each
    command's handler imports what it uses when it runs, so `--help` and each command pay only for
    their own work. Given `argv`, only the parser of the command it names is made (cli/common.Commands);
    a hand-written command (`list`, `show`, `users list`...) does not even import the catalog (no use
    case's words are a hand-written command's or a prefix of one: tests/test_cli_startup.py).
    A new area of commands is one module with a `register(commands)` here.
    """
    from incidentdesk.cli.common import Commands

    parser = _Parser(
        prog="incidentdesk",
        description="Keyboard-first incident management console. With no command, starts the console.",
    )
    _global_options(parser)
    parser.add_argument("--version", action="version", version=f"incidentdesk {__version__}")
    wanted = command_words(argv) if argv is not None else None
    handwritten = Commands(GROUPS)
    for module in hand_written_modules():
        module.register(handwritten)
    if wanted and handwritten.names(wanted):
        commands = handwritten
    else:  # a use case, or every command (--help, a group's help, a mistake), in their usual order
        from incidentdesk.cli import usecases
        from incidentdesk.services.catalog import USE_CASES

        incidents, *others = hand_written_modules()
        commands = Commands(GROUPS)
        incidents.register(commands)
        usecases.register(commands, USE_CASES)
        for module in others:
            module.register(commands)
    commands.build(parser.add_subparsers(dest="command", metavar="COMMAND"), wanted)
    return parser


def hand_written_modules() -> tuple:
    """The modules of the hand-written commands (reading commands, admin...), `incidents` first."""
    from incidentdesk.cli import admin, incidents
    from incidentdesk.cli import cmdb as cmdb_cli
    from incidentdesk.cli import config as config_cli
    from incidentdesk.cli import handover as handover_cli
    from incidentdesk.cli import ingest as ingest_cli
    from incidentdesk.cli import kb as kb_cli
    from incidentdesk.cli import notify as notify_cli
    from incidentdesk.cli import oncall as oncall_cli
    from incidentdesk.cli import pir as pir_cli
    from incidentdesk.cli import problems as problems_cli
    from incidentdesk.cli import report as report_cli
    from incidentdesk.cli import requests as requests_cli
    from incidentdesk.cli import sla as sla_cli

    return (incidents, admin, ingest_cli, sla_cli, config_cli, notify_cli, pir_cli, handover_cli, requests_cli,
            oncall_cli, cmdb_cli, problems_cli, report_cli, kb_cli)


def _console_only(argv: list[str]) -> argparse.Namespace | None:
    """The options when `argv` asks for the console and nothing else (no command, no --help); else None."""
    parser = argparse.ArgumentParser(prog="incidentdesk", add_help=False, allow_abbrev=False, exit_on_error=False)
    _global_options(parser)
    try:
        args, rest = parser.parse_known_args(argv)
    except argparse.ArgumentError:
        return None  # e.g. --db without a value: the full parser says so
    if rest:
        return None
    args.command = None
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _console_only(argv)
    if args is None:
        args = build_parser(argv).parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        # The console's start-up allocates mostly what lives as long as the process (modules,
        # classes, widgets, styles), so the cyclic collector's passes over it find nothing: about a
        # tenth of the start-up went to them. Paused until the first screen is up, then everything
        # made so far is frozen out of later passes (tui/app.py, _first_screen_shown).
        import gc

        gc.disable()
    from incidentdesk.config import ConfigError

    try:
        if getattr(args, "needs_config", True):  # read and validated once, before any command runs
            from incidentdesk.cli.common import config_of

            config_of(args)
        if handler is None:
            from incidentdesk.cli.console import run_console

            return run_console(args)
        try:
            return int(handler(args) or 0)
        except DomainError:
            raise
        except Exception as exc:  # a database that cannot be reached is a user-facing error, not a traceback
            translated = _storage_error(exc)
            if translated is None:
                raise
            raise translated from exc
    except ConfigError as exc:  # a config the command cannot run with: every problem, one line each
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"incidentdesk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("incidentdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _storage_error(exc: Exception) -> DomainError | None:
    """What store/engine.translate_errors makes of `exc` (a lost database), or None for anything else.

    Only a command that opened the database can raise one, so SQLAlchemy is imported here only if
    that command already imported it.
    """
    if "sqlalchemy" not in sys.modules:
        return None
    from incidentdesk.store.engine import translate_errors

    try:
        with translate_errors():
            raise exc
    except DomainError as translated:
        return translated
    except Exception:
        return None
