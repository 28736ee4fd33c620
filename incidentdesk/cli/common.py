"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from incidentdesk.domain.text import is_unsafe
from incidentdesk.runtime import Runtime, open_runtime


def runtime(args) -> Runtime:
    return open_runtime(args.db, args.acting_as, Path(args.config) if args.config else None)


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
