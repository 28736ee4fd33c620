"""Helpers shared by the subcommand modules.

Light on purpose: every command module imports this while the parser is built, before anyone
knows which command runs; what a command needs (the runtime, the database) is imported when it runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incidentdesk.domain.errors import DomainError
from incidentdesk.domain.text import is_unsafe

if TYPE_CHECKING:
    from incidentdesk.config import Config
    from incidentdesk.runtime import Runtime


def config_of(args) -> Config:
    """The config this command runs with: read and validated once, when it started (cli.main)."""
    config = getattr(args, "loaded_config", None)
    if config is None:
        from incidentdesk.config import load_config

        config = load_config(Path(args.config) if getattr(args, "config", None) else None)
        args.loaded_config = config
    return config


def runtime(args) -> Runtime:
    from incidentdesk.runtime import open_runtime

    # A command opens the database at once: no queue page at start-up, no second schema check.
    return open_runtime(args.db, args.acting_as, config=config_of(args), console=False)


class Commands:
    """The subcommands, nested by words ("users add"), shared by generated and hand-written ones.

    `add` records a command's parser (its options, its handler) and `build` makes the argparse
    parsers: only the one the command line names (`wanted`, from cli.command_words), or all of
    them for `--help`, a group's help or a mistake (an unknown command is then listed beside the
    known ones). A process runs one command, and building thirty parsers was a tenth of a short
    command's start-up. A group ("users") gets its help from `groups`, so the catalog's
    `users add` and the hand-written `users list` land under one `users`.
    """

    def __init__(self, groups: dict[tuple[str, ...], str]) -> None:
        self._help = groups
        self._commands: list[_Recorded] = []

    def add(self, words: tuple[str, ...] | str, **kwargs) -> _Recorded:
        """The parser for the command `words` (one word, or several for a nested one), as a recording."""
        recorded = _Recorded((words,) if isinstance(words, str) else tuple(words), kwargs)
        self._commands.append(recorded)
        return recorded

    def names(self, wanted: tuple[str, ...]) -> bool:
        """Whether `wanted` is exactly one of the commands recorded here."""
        return any(c.words == wanted for c in self._commands)

    def words(self) -> list[tuple[str, ...]]:
        return [c.words for c in self._commands]

    def build(self, sub, wanted: tuple[str, ...] | None = None) -> None:
        """Make the parsers under `sub`: the command `wanted` names if it is one, else every one.

        A group may be a command itself (`notify` delivers, `notify list` lists): its parser is the
        command's, and its actions are optional.
        """
        chosen = [c for c in self._commands if wanted and c.words == wanted[:len(c.words)]]
        groups: dict[tuple[str, ...], argparse._SubParsersAction] = {(): sub}
        self._parsers: dict[tuple[str, ...], argparse.ArgumentParser] = {}
        for command in chosen or self._commands:
            parser = self._parsers.get(command.words)
            if parser is not None:  # made already as its group's parser: add the command's own options
                command.apply(parser)
            else:
                self._parsers[command.words] = command.build(self._group(groups, command.words[:-1]))

    def _group(self, groups, words: tuple[str, ...]) -> argparse._SubParsersAction:
        if words not in groups:
            parent = self._group(groups, words[:-1])
            parser = self._parsers.get(words)
            if parser is None:
                parser = self._parsers[words] = parent.add_parser(words[-1], help=self._help.get(words))
            own = any(c.words == words for c in self._commands)
            groups[words] = parser.add_subparsers(dest="_".join(words) + "_command", metavar="ACTION",
                                                  required=not own)
        return groups[words]


class _Recorded:
    """A command's parser as the calls that make it (add_argument, set_defaults), made when needed."""

    def __init__(self, words: tuple[str, ...], kwargs: dict) -> None:
        self.words, self.kwargs = words, kwargs
        self.calls: list[tuple[str, tuple, dict]] = []

    def add_argument(self, *args, **kwargs) -> None:
        self.calls.append(("add_argument", args, kwargs))

    def set_defaults(self, **kwargs) -> None:
        self.calls.append(("set_defaults", (), kwargs))

    def build(self, subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
        return self.apply(subparsers.add_parser(self.words[-1], **self.kwargs))

    def apply(self, parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        for method, args, kwargs in self.calls:
            getattr(parser, method)(*args, **kwargs)
        return parser


# json.dumps escapes C0 controls but passes DEL, C1 controls (U+0080-U+009F, e.g. U+009B, a
# one-byte CSI), bidi overrides, zero-width and line-separator characters through: escape those
# too (domain/text.py says which), so `show --json` piped to a terminal cannot drive it.
_NOT_ASCII_PRINTABLE = re.compile(r"[^\x00-\x7e]")


def _escape(match: re.Match) -> str:
    ch = match.group()
    return json.dumps(ch)[1:-1] if is_unsafe(ch) else ch  # ensure_ascii: \u escapes (surrogate pairs above U+FFFF)


def json_text(data) -> str:
    """JSON with non-ASCII text kept readable, and every character a terminal would act on escaped."""
    return _NOT_ASCII_PRINTABLE.sub(_escape, json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_json(data) -> None:
    sys.stdout.write(json_text(data) + "\n")


def _record(row) -> Any:
    return row.to_json()


def print_list(args, rows: Iterable, line: Callable[[Any], str], *, empty: str,
               record: Callable[[Any], Any] = _record, head: str | None = None) -> int:
    """How every reading command that lists things prints them, so they all answer alike.

    With `--json`, the rows as JSON records (`record`, default `row.to_json()`): a script reading
    an empty list gets `[]`, never prose. Otherwise one `line` a row under `head`, or, when there
    are none, the one line `empty`, which says what there is none of (and how to add some).
    Returns the exit code: listing nothing is not a failure.
    """
    rows = list(rows)
    if args.json:
        print_json([record(row) for row in rows])
    elif not rows:
        print(empty)
    else:
        if head is not None:
            print(head)
        for row in rows:
            print(line(row))
    return 0


def print_round(result, doing: str, *, quiet_when_idle: bool, idle: Callable[[Any], bool],
                lines: Callable[[Any], Iterable[str]]) -> None:
    """One round of a command that runs as a service (`notify --loop`, `sla sweep --loop`), as its log reads.

    A round that failed is one stamped line on stderr (the loop goes on and retries: `doing` names
    what failed); else a stamped summary and one indented line per item (`lines`). In a loop an idle
    round prints nothing (`quiet_when_idle`), so the log is what happened, not a clock. Flushed at
    once: the log is usually a pipe or a journal, read while the service runs.
    """
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(result, DomainError):
        print(f"{stamp} {doing} failed, retrying: {result}", file=sys.stderr, flush=True)
        return
    if quiet_when_idle and idle(result):
        return
    print(f"{stamp} {result.summary()}", flush=True)
    for line in lines(result):
        print(f"  {line}", flush=True)
