"""`incidentdesk config check [FILE]` and `incidentdesk config show`.

`check` reads its FILE itself (a bad default config must not stop you checking a new one);
every other command has its config read and validated once by cli.main before it runs.
"""

from __future__ import annotations

import sys
from pathlib import Path


def cmd_config_check(args) -> int:
    from incidentdesk.config import ConfigError, config_path, load_config

    path = Path(args.file) if args.file else (Path(args.config) if args.config else config_path())
    if not args.file and not path.exists() and not path.is_symlink():
        print(f"ok: {path} (no such file yet: the defaults apply)")
        return 0
    try:
        load_config(path, required=True)
    except ConfigError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 2
    print(f"ok: {path}")
    return 0


def cmd_config_show(args) -> int:
    from incidentdesk.cli.common import config_of
    from incidentdesk.config import config_path, resolve_database_url
    from incidentdesk.config.show import effective_tables, to_toml

    config = config_of(args)
    path = Path(args.config) if args.config else config_path()
    source = path if path.exists() else f"{path} (absent)"
    sys.stdout.write(f"# effective config from {source}: defaults filled in, secrets shown as ***\n")
    sys.stdout.write(to_toml(effective_tables(config, resolve_database_url(args.db, config))))
    return 0


def register(commands) -> None:
    p = commands.add(("config", "check"), help="validate a config file (every problem, one line each)",
                     description="Validate FILE (default: --config, INCIDENTDESK_CONFIG, or incidentdesk.toml in the "
                                 "config dir): exit 0 and `ok: FILE`, or 2 and one line per problem.")
    p.add_argument("file", nargs="?", metavar="FILE", help="the file to check")
    p.set_defaults(handler=cmd_config_check, needs_config=False)
    p = commands.add(("config", "show"), help="print the effective config as TOML (defaults filled in, secrets "
                     "masked)")
    p.set_defaults(handler=cmd_config_show)
