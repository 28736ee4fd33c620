"""`incidentdesk` with no command: the full-screen console."""

from __future__ import annotations

import sys


def run_console(args) -> int:
    try:
        from incidentdesk.tui.app import run_app
    except ImportError:
        print("incidentdesk: the console is not built yet; use the subcommands (incidentdesk --help)", file=sys.stderr)
        return 1
    from incidentdesk.cli.common import config_of
    from incidentdesk.cli.config import unknown_keys
    from incidentdesk.config import ConfigError

    config = config_of(args)  # read and validated when the command started (cli.main)
    bad_keys = unknown_keys(config)  # [keys] ids only the console knows: checked before it starts
    if bad_keys:
        raise ConfigError(bad_keys)
    return run_app(args, config)
