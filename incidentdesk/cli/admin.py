"""Subcommands for the database, the audit trail, the directory's lists and the demo data.

(Adding people and groups are use cases: services/catalog/directory.py.) Each handler imports
what it uses when it runs, so building the parser stays light. Stored text (logins, names,
groups) is printed with printable(): no escape sequence reaches the terminal.
"""

from __future__ import annotations

import sys
from pathlib import Path

from incidentdesk.cli.common import config_of, runtime
from incidentdesk.domain.text import printable


def _db_only(args):
    from incidentdesk.config import resolve_database_url
    from incidentdesk.store.engine import open_database

    conf = config_of(args)
    return open_database(resolve_database_url(args.db, conf), group_shared=conf.sqlite_group_shared)


def cmd_db_upgrade(args) -> int:
    from incidentdesk.store import migrate

    db = _db_only(args)
    before = migrate.current_revision(db.engine)
    migrate.upgrade(db.engine)
    after = migrate.current_revision(db.engine)
    print(f"{db.display_name}: schema {before or 'empty'} -> {after}" if before != after
          else f"{db.display_name}: already at {after}")
    return 0


def cmd_db_current(args) -> int:
    from incidentdesk.store import migrate

    db = _db_only(args)
    current = migrate.current_revision(db.engine)
    head = migrate.head_revision()
    state = "up to date" if current == head else ("empty" if current is None else f"code knows up to {head}")
    print(f"{db.display_name}: {current or 'no schema'} ({state})")
    return 0


def cmd_audit_verify(args) -> int:
    from incidentdesk.services import audit
    from incidentdesk.store import audit as audit_store
    from incidentdesk.store import queries

    rt = runtime(args)
    verdict = audit.verify(rt.db, rt.config, checkpoint_file=args.checkpoint_file)
    for problem in verdict.problems:
        print(printable(str(problem)))
    for note in verdict.notes:
        print(f"audit: note: {printable(note)}", file=sys.stderr)
    total = queries.count_incidents(rt.db)
    records = audit_store.trail_length(rt.db)
    against = f"; checked against the checkpoint of {verdict.checkpoint_at}" if verdict.checkpoint_at else ""
    if verdict.problems:
        print(f"audit: {len(verdict.problems)} problem(s) found in the timelines of {total} incidents and the "
              f"directory trail ({records} records){against}", file=sys.stderr)
        return 1
    print(f"audit: the timelines of {total} incidents are intact, and so is the directory trail "
          f"({records} records){against}")
    return 0


def cmd_audit_checkpoint(args) -> int:
    from incidentdesk.services import audit

    rt = runtime(args)
    body, files = audit.write_checkpoint(rt.db, rt.config, checkpoint_file=args.file,
                                         to_syslog=True if args.syslog else None)
    inc = body["incidents"]
    print(f"audit: checkpoint of {body['at']} written to {files.checkpoint_file} (signed with {files.key_file}): "
          f"{inc['count']} incidents up to number {inc['max_number']}, directory trail {body['trail']['seq']} records")
    return 0


def _change(before: dict | None, after: dict | None) -> str:
    if before is None:
        return ", ".join(f"{k}={v!r}" for k, v in sorted((after or {}).items()))
    return ", ".join(f"{k} {before.get(k)!r} -> {v!r}" for k, v in sorted((after or {}).items())
                     if before.get(k) != v)


def cmd_audit_people(args) -> int:
    from incidentdesk.store import audit as audit_store

    rt = runtime(args)
    rows = audit_store.directory_history(rt.db, subject=args.subject, limit=args.limit)
    for r in rows:
        who = r.actor if r.actor == r.real_actor else f"{r.actor} (as {r.real_actor})"
        print(printable(f"#{r.seq:<5} {r.at:%Y-%m-%d %H:%M:%S} {who:<16} {r.kind:<15} {r.subject_type} "
                        f"{r.subject}: {_change(r.before, r.after)}"))
    if not rows:
        print("no directory changes recorded" + (f" for {printable(args.subject)}" if args.subject else ""))
    return 0


def cmd_paths(args) -> int:
    from incidentdesk import config as cfg
    from incidentdesk.config import resolve_database_url

    conf_path = Path(args.config) if args.config else cfg.config_path()
    conf = config_of(args)
    url = resolve_database_url(args.db, conf)
    print(f"config:   {conf_path}{'' if conf_path.exists() else ' (not created yet)'}")
    print(f"data:     {cfg.data_dir()}")
    print(f"database: {shown_url(url)}")
    return 0


def shown_url(url: str) -> str:
    """The database URL as `paths` prints it: a SQLite file's path, or the URL with its password masked.

    Read by hand rather than by SQLAlchemy's make_url, so that `paths` imports no SQLAlchemy.
    """
    from urllib.parse import urlsplit, urlunsplit

    scheme, _, rest = url.partition("://")
    if scheme.split("+", 1)[0] == "sqlite":
        return "sqlite:///" + rest.removeprefix("/").split("?", 1)[0]
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{host}"))


def cmd_users_list(args) -> int:
    from incidentdesk.store import queries

    rt = runtime(args)
    for p in queries.list_people(rt.db):
        name = "" if p.name == p.login else p.name
        print(f"{printable(p.login):<16} {p.role:<18} {printable(', '.join(p.groups)):<32} {printable(name)}".rstrip())
    return 0


def cmd_groups_list(args) -> int:
    from incidentdesk.store import queries

    rt = runtime(args)
    for g in queries.list_groups(rt.db):
        print(f"{printable(g.name):<24} tier {g.tier}  manager {printable(g.manager) or '-':<12} "
              f"{len(g.members)} members")
    return 0


def cmd_demo(args) -> int:
    from incidentdesk.devtools.demo import load_demo

    rt = runtime(args)
    summary = load_demo(rt.ctx, count=args.count, seed=args.seed)
    print(summary)
    return 0


def register(commands) -> None:
    commands.add(("db", "upgrade"), help="migrate the database to this version's schema").set_defaults(
        handler=cmd_db_upgrade)
    commands.add(("db", "current"), help="print the database's schema version").set_defaults(handler=cmd_db_current)

    p = commands.add(("audit", "verify"), help="check every hash chain, every row against its chain, and the "
                     "latest signed checkpoint")
    p.add_argument("--checkpoint-file", metavar="FILE", help="checkpoints to check against (default: [audit] "
                   "checkpoint_file, or audit-checkpoints.jsonl in the data dir)")
    p.set_defaults(handler=cmd_audit_verify)
    p = commands.add(("audit", "checkpoint"), help="sign the chains' heads with the audit key and append them to "
                     "the checkpoint file (kept outside the database)")
    p.add_argument("--file", metavar="FILE", help="checkpoint file (default: as for verify)")
    p.add_argument("--syslog", action="store_true", help="also log a summary to syslog (auth facility)")
    p.set_defaults(handler=cmd_audit_checkpoint)
    p = commands.add(("audit", "people"), help="the directory trail: every change to people, roles, groups, "
                     "categories and services")
    p.add_argument("subject", nargs="?", help="only this login, group, category or service")
    p.add_argument("--limit", type=int, metavar="N", help="only the newest N changes")
    p.set_defaults(handler=cmd_audit_people)

    commands.add("paths", help="where the config and database live").set_defaults(handler=cmd_paths)
    commands.add(("users", "list"), help="list people").set_defaults(handler=cmd_users_list)
    commands.add(("groups", "list"), help="list groups").set_defaults(handler=cmd_groups_list)

    p = commands.add("demo", help="fill the database with a realistic demo set")
    p.add_argument("--count", type=int, default=300)
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(handler=cmd_demo)
