"""Helpers shared by the subcommand modules.

Light on purpose: every command module imports this while the parser is built, before anyone
knows which command runs; what a command needs (the runtime, the database) is imported when it runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from incidentdesk.domain.text import is_unsafe

if TYPE_CHECKING:
    from incidentdesk.runtime import Runtime


def runtime(args) -> Runtime:
    from incidentdesk.runtime import open_runtime

    # A command opens the database at once: no queue page at start-up, no second schema check.
    return open_runtime(args.db, args.acting_as, Path(args.config) if args.config else None, console=False)


class Commands:
    """The subcommands, nested by words ("users add"), shared by generated and hand-written ones.

    A group ("users") is created on first use, with its help from `groups`, so the catalog's
    `users add` and the hand-written `users list` land under one `users`.
    """

    def __init__(self, sub, groups: dict[tuple[str, ...], str]) -> None:
        self._groups: dict[tuple[str, ...], argparse._SubParsersAction] = {(): sub}
        self._help = groups

    def group(self, words: tuple[str, ...]) -> argparse._SubParsersAction:
        """The subparsers under `words`, created on first use."""
        if words not in self._groups:
            parent = self.group(words[:-1])
            parser = parent.add_parser(words[-1], help=self._help.get(words))
            self._groups[words] = parser.add_subparsers(dest="_".join(words) + "_command", metavar="ACTION",
                                                        required=True)
        return self._groups[words]

    def add(self, words: tuple[str, ...] | str, **kwargs) -> argparse.ArgumentParser:
        """A parser for the command `words` (one word, or several for a nested one)."""
        words = (words,) if isinstance(words, str) else tuple(words)
        return self.group(words[:-1]).add_parser(words[-1], **kwargs)


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
