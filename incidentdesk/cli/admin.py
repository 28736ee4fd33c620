"""Subcommands for the database, the audit trail, people and the demo data.

Stored text (logins, names, groups) is printed with printable(): no escape sequence reaches the terminal.
"""

from __future__ import annotations

import sys
from pathlib import Path

from incidentdesk import config as cfg
from incidentdesk.cli.common import runtime
from incidentdesk.config import load_config, resolve_database_url
from incidentdesk.domain.text import printable
from incidentdesk.services import audit, directory
from incidentdesk.store import audit as audit_store
from incidentdesk.store import migrate, queries
from incidentdesk.store.engine import open_database


def _db_only(args):
    conf = load_config(Path(args.config) if args.config else None)
    return open_database(resolve_database_url(args.db, conf), group_shared=conf.sqlite_group_shared)


def cmd_db_upgrade(args) -> int:
    db = _db_only(args)
    before = migrate.current_revision(db.engine)
    migrate.upgrade(db.engine)
    after = migrate.current_revision(db.engine)
    print(f"{db.display_name}: schema {before or 'empty'} -> {after}" if before != after
          else f"{db.display_name}: already at {after}")
    return 0


def cmd_db_current(args) -> int:
    db = _db_only(args)
    current = migrate.current_revision(db.engine)
    head = migrate.head_revision()
    state = "up to date" if current == head else ("empty" if current is None else f"code knows up to {head}")
    print(f"{db.display_name}: {current or 'no schema'} ({state})")
    return 0


def cmd_audit_verify(args) -> int:
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
    conf_path = Path(args.config) if args.config else cfg.config_path()
    conf = load_config(conf_path)
    url = resolve_database_url(args.db, conf)
    print(f"config:   {conf_path}{'' if conf_path.exists() else ' (not created yet)'}")
    print(f"data:     {cfg.data_dir()}")
    from sqlalchemy.engine import make_url
    parsed = make_url(url)
    shown = f"sqlite:///{parsed.database}" if parsed.get_backend_name() == "sqlite" else parsed.render_as_string(hide_password=True)
    print(f"database: {shown}")
    return 0


def cmd_users_add(args) -> int:
    rt = runtime(args)
    directory.add_user(rt.ctx, args.login, role=args.role, name=args.name or "", groups=args.group or [])
    print(f"{printable(args.login)}: {args.role}")
    return 0


def cmd_users_list(args) -> int:
    rt = runtime(args)
    for p in queries.list_people(rt.db):
        name = "" if p.name == p.login else p.name
        print(f"{printable(p.login):<16} {p.role:<18} {printable(', '.join(p.groups)):<32} {printable(name)}".rstrip())
    return 0


def cmd_groups_add(args) -> int:
    rt = runtime(args)
    directory.add_group(rt.ctx, args.name, tier=args.tier, manager=args.manager)
    print(f"{printable(args.name)}: tier {args.tier}")
    return 0


def cmd_groups_list(args) -> int:
    rt = runtime(args)
    for g in queries.list_groups(rt.db):
        print(f"{printable(g.name):<24} tier {g.tier}  manager {printable(g.manager) or '-':<12} "
              f"{len(g.members)} members")
    return 0


def cmd_demo(args) -> int:
    from incidentdesk.services.demo import load_demo

    rt = runtime(args)
    summary = load_demo(rt.ctx, count=args.count, seed=args.seed)
    print(summary)
    return 0


def register(sub) -> None:
    p = sub.add_parser("db", help="schema: upgrade, current")
    dbsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    dbsub.add_parser("upgrade", help="migrate the database to this version's schema").set_defaults(handler=cmd_db_upgrade)
    dbsub.add_parser("current", help="print the database's schema version").set_defaults(handler=cmd_db_current)

    p = sub.add_parser("audit", help="audit trail checks")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    p = asub.add_parser("verify", help="check every hash chain, every row against its chain, and the latest "
                        "signed checkpoint")
    p.add_argument("--checkpoint-file", metavar="FILE", help="checkpoints to check against (default: [audit] "
                   "checkpoint_file, or audit-checkpoints.jsonl in the data dir)")
    p.set_defaults(handler=cmd_audit_verify)
    p = asub.add_parser("checkpoint", help="sign the chains' heads with the audit key and append them to the "
                        "checkpoint file (kept outside the database)")
    p.add_argument("--file", metavar="FILE", help="checkpoint file (default: as for verify)")
    p.add_argument("--syslog", action="store_true", help="also log a summary to syslog (auth facility)")
    p.set_defaults(handler=cmd_audit_checkpoint)
    p = asub.add_parser("people", help="the directory trail: every change to people, roles, groups, "
                        "categories and services")
    p.add_argument("subject", nargs="?", help="only this login, group, category or service")
    p.add_argument("--limit", type=int, metavar="N", help="only the newest N changes")
    p.set_defaults(handler=cmd_audit_people)

    sub.add_parser("paths", help="where the config and database live").set_defaults(handler=cmd_paths)

    p = sub.add_parser("users", help="people and their roles")
    usub = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    p = usub.add_parser("add", help="add a person (or change their role)")
    p.add_argument("login")
    p.add_argument("--role", required=True, choices=("responder", "triage_captain", "incident_manager", "admin"))
    p.add_argument("--group", action="append", help="a group to join (repeatable)")
    p.add_argument("--name")
    p.set_defaults(handler=cmd_users_add)
    usub.add_parser("list", help="list people").set_defaults(handler=cmd_users_list)

    p = sub.add_parser("groups", help="support groups and their tiers")
    gsub = p.add_subparsers(dest="groups_command", metavar="ACTION", required=True)
    p = gsub.add_parser("add", help="add a group (or change its tier)")
    p.add_argument("name")
    p.add_argument("--tier", type=int, default=1, choices=(1, 2, 3))
    p.add_argument("--manager", help="login of the group's incident manager")
    p.set_defaults(handler=cmd_groups_add)
    gsub.add_parser("list", help="list groups").set_defaults(handler=cmd_groups_list)

    p = sub.add_parser("demo", help="fill the database with a realistic demo set")
    p.add_argument("--count", type=int, default=300)
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(handler=cmd_demo)
