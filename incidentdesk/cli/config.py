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
        config = load_config(path, required=True)
        bad_keys = unknown_keys(config)
        if bad_keys:
            raise ConfigError(bad_keys)
    except ConfigError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 2
    print(f"ok: {path}")
    return 0


def unknown_keys(config) -> list[str]:
    """`[keys]` ids the console does not have, one line each; imports the console only if [keys] is set."""
    if not config.keys:
        return []
    from incidentdesk.tui.binding_ids import unknown_key_lines

    return unknown_key_lines(dict(config.keys), config.source)


def cmd_config_keys(args) -> int:
    from incidentdesk.cli.common import config_of, print_json
    from incidentdesk.tui.binding_ids import bindings

    remapped = dict(config_of(args).keys)
    rows = {bid: {"key": remapped.get(bid, key), "default": key, "does": does} for bid, (key, does) in bindings().items()}
    if args.json:
        print_json(rows)
        return 0
    width = max(map(len, rows))
    for bid, row in rows.items():
        mark = " (remapped)" if bid in remapped else ""
        print(f"{bid:<{width}}  {row['key']:<12} {row['does']}{mark}")
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
    p = commands.add(("config", "keys"), help="the console's binding ids, their keys and what they do",
                     description="Every binding id [keys] can remap, with its key (as remapped) and what it does.")
    p.add_argument("--json", action="store_true", help="print them as JSON")
    p.set_defaults(handler=cmd_config_keys)

    p = commands.add(("config", "check"), help="validate a config file (every problem, one line each)",
                     description="Validate FILE (default: --config, INCIDENTDESK_CONFIG, or incidentdesk.toml in the "
                                 "config dir): exit 0 and `ok: FILE`, or 2 and one line per problem.")
    p.add_argument("file", nargs="?", metavar="FILE", help="the file to check")
    p.set_defaults(handler=cmd_config_check, needs_config=False)
    p = commands.add(("config", "show"), help="print the effective config as TOML (defaults filled in, secrets "
                     "masked)")
    p.set_defaults(handler=cmd_config_show)
