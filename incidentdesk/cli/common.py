"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from incidentdesk.runtime import Runtime, open_runtime


def runtime(args) -> Runtime:
    return open_runtime(args.db, args.acting_as, Path(args.config) if args.config else None)


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
