"""The `incidentdesk` command: the console with no arguments, subcommands for scripting.

Every user mistake exits non-zero with one line that says what to do; a traceback is a bug.
"""

from __future__ import annotations

import argparse
import sys

from incidentdesk import __version__
from incidentdesk.cli import admin, incidents
from incidentdesk.cli import ingest as ingest_cli
from incidentdesk.cli import sla as sla_cli
from incidentdesk.domain.errors import DomainError
from incidentdesk.store.engine import translate_errors

COMMAND_MODULES = [incidents, admin, ingest_cli, sla_cli]


class _Parser(argparse.ArgumentParser):
    """Usage mistakes print one line (not the whole usage block) that says where help is."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="incidentdesk",
        description="Keyboard-first incident management console. With no command, starts the console.",
    )
    parser.add_argument("--db", metavar="URL", help="database URL (sqlite:///path.db or postgresql+psycopg://user@host/db)")
    parser.add_argument("--as", dest="acting_as", metavar="LOGIN", help="act as another login (needs allow_acting_as)")
    parser.add_argument("--config", metavar="FILE", help="config file instead of the default incidentdesk.toml")
    parser.add_argument("--version", action="version", version=f"incidentdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            from incidentdesk.cli.console import run_console

            return run_console(args)
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
