"""The `incidentdesk` command: the console with no arguments, subcommands for scripting.

Every user mistake exits non-zero with one line that says what to do; a traceback is a bug.

`incidentdesk` alone (the console) is parsed by a small parser that imports no subcommand: the
subcommand modules import the services and SQLAlchemy, which the console's first page does not
need (see store/fastpath.py). Anything else builds the full parser.
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


def _global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="database URL (sqlite:///path.db or postgresql+psycopg://user@host/db)")
    parser.add_argument("--as", dest="acting_as", metavar="LOGIN", help="act as another login (needs allow_acting_as)")
    parser.add_argument("--config", metavar="FILE", help="config file instead of the default incidentdesk.toml")


def build_parser() -> argparse.ArgumentParser:
    from incidentdesk.cli import admin, incidents
    from incidentdesk.cli import ingest as ingest_cli
    from incidentdesk.cli import sla as sla_cli

    parser = _Parser(
        prog="incidentdesk",
        description="Keyboard-first incident management console. With no command, starts the console.",
    )
    _global_options(parser)
    parser.add_argument("--version", action="version", version=f"incidentdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (incidents, admin, ingest_cli, sla_cli):
        module.register(sub)
    return parser


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
        args = build_parser().parse_args(argv)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            from incidentdesk.cli.console import run_console

            return run_console(args)
        from incidentdesk.store.engine import translate_errors

        with translate_errors():  # a database that cannot be reached is a user-facing error, not a traceback
            return int(handler(args) or 0)
    except DomainError as exc:
        print(f"incidentdesk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("incidentdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
