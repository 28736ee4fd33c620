"""A CLI command pays for what it uses: building the parser and reading commands import no SQLAlchemy,
changing commands import no receiver, console or migration tooling, and read no queue page.

(The figures are tests/bench/bench_cli.py's; these hold the structure that makes them.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from incidentdesk.cli import main
from tests.support.cli import new_incident

HEAVY = ("sqlalchemy", "alembic", "starlette", "uvicorn", "textual", "incidentdesk.ingest", "incidentdesk.tui")


def _imported(argv: list[str], env: dict) -> set[str]:
    """The top-level packages (and incidentdesk's subpackages) a whole `incidentdesk ARGV` process imported."""
    code = ("import sys\n"
            "from incidentdesk.cli import main\n"
            "try:\n"
            "    code = main(sys.argv[1:])\n"
            "except SystemExit as exc:\n"
            "    code = exc.code\n"
            "assert code in (0, None), code\n"
            "print(' '.join(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.strip().splitlines()[-1].split())


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.startswith(HEAVY)}


@pytest.fixture
def env(cli, tmp_path):
    return {**os.environ, "INCIDENTDESK_CONFIG": str(cli.config), "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config")}


def test_help_and_paths_import_no_sqlalchemy(cli, env):
    for argv in (["--help"], ["--db", cli.db_url, "paths"], ["new", "--help"], ["users", "add", "--help"]):
        assert _heavy(_imported(argv, env)) == set(), argv


def test_a_changing_command_imports_only_the_database_layer(cli, env):
    """One the plain sqlite3 write path does not take (linking queries other incidents) pays for SQLAlchemy, alone."""
    key, other = new_incident(cli), new_incident(cli)
    modules = _imported(["--db", cli.db_url, "duplicate", key, "--of", other], env)
    assert "sqlalchemy" in modules and "incidentdesk.services.links" in modules
    assert _heavy(modules) - {m for m in modules if m.startswith("sqlalchemy")} == set()
    assert "incidentdesk.services.major" not in modules  # only the service the command runs
    assert "incidentdesk.store.queries" not in modules  # nothing is read back without --json


def _plain(cli, env, argv: list[str]) -> None:
    modules = _imported(["--db", cli.db_url, *argv], env)
    assert _heavy(modules) == set(), argv
    assert "incidentdesk.store.models" not in modules, argv


def test_plain_changing_commands_import_no_sqlalchemy(cli, env):
    """`new`, `comment`, `ack`, ... on a current SQLite file write through plain sqlite3 (store/plainwrite)."""
    key = new_incident(cli)
    for argv in (["comment", key, "from a script"], ["ack", key], ["start", key], ["hold", key, "--reason", "lunch"],
                 ["resume", key], ["new", "--title", "t", "--impact", "low", "--urgency", "low"],
                 ["vendor", key, "--vendor", "Acme", "--vendor-ticket", "AC-1"], ["vendor-clear", key],
                 ["cancel", key, "--reason", "dup"]):
        _plain(cli, env, argv)
    code, out, _ = cli("show", key)
    assert "cancelled" in out and "from a script" in out and "lunch" in out


def test_who_has_it_how_urgent_and_resolving_import_no_sqlalchemy(staffed, env):
    """take, assign, reprioritise, escalate, resolve, reopen and close write through plain sqlite3 too,
    a parent's folded incident and the escalation rows with them."""
    cli = staffed
    key, child = new_incident(cli), new_incident(cli)
    cli("link-parent", child, "--parent", key)
    for argv in (["take", key], ["assign", key, "--user", "ann", "--group", "Service Desk"],
                 ["reprioritise", key, "--impact", "high", "--urgency", "high", "--reason", "spreading"],
                 ["escalate", key, "--kind", "functional", "--to", "Platform SRE", "--summary", "needs SRE"],
                 ["resolve", key, "--code", "workaround", "--notes", "rebooted"],
                 ["reopen", key, "--reason", "back again"],
                 ["resolve", key, "--code", "permanent_fix", "--notes", "patched"],
                 ["close", key, "--confirmed", "--csat", "5"]):
        _plain(cli, env, argv)
    code, out, _ = cli("show", key, "--json")
    shown = json.loads(out)
    assert shown["status"] == "closed" and shown["csat"] == 5 and shown["priority"] == "P1"
    assert [e["to_group"] for e in shown["escalations"]] == ["Platform SRE"]
    code, out, _ = cli("show", child, "--json")
    assert json.loads(out)["resolution_code"] == "workaround"  # resolved with its parent, the first time


def test_the_major_incident_commands_import_no_sqlalchemy(staffed, env):
    cli = staffed
    key = new_incident(cli)
    for argv in (["major", key, "--commander", "cap", "--reason", "checkout down for everyone"],
                 ["major-roles", key, "--deputy", "bob", "--comms-lead", "ann"],
                 ["update", key, "--impacted", "checkout", "--who", "all shoppers", "--status", "investigating"],
                 ["update", key, "--impacted", "checkout", "--who", "all shoppers", "--status", "failing over"],
                 ["hand", key, "--commander", "bob", "--reason", "end of shift"],
                 ["stand-down", key, "--reason", "contained"]):
        _plain(cli, env, argv)
    code, out, _ = cli("show", key, "--json")
    shown = json.loads(out)
    kinds = [e["kind"] for e in shown["timeline"]]
    assert shown["is_major"] is False and kinds.count("stakeholder_update") == 2
    assert {"major_declared", "major_roles", "command_handed", "major_stood_down"} <= set(kinds)
    assert "update 2" in next(e["text"] for e in shown["timeline"] if e["kind"] == "stakeholder_update")


def test_with_notification_rules_a_changing_command_writes_its_outbox_rows(cli, env):
    """Outbox rows are written through the plain sqlite3 session too, in the same transaction."""
    key = new_incident(cli)
    cli.set_config('[notify]\n[[notify.channel]]\nname = "ops"\nurl_env = "TEST_OPS_URL"\n'
                   '[[notify.rule]]\non = ["comment", "resolved"]\nto = "ops"\n')
    _plain(cli, env, ["comment", key, "page them"])
    _plain(cli, env, ["resolve", key, "--code", "workaround", "--notes", "rebooted"])
    code, out, _ = cli("notify", "list", "--json")
    assert code == 0 and "page them" in out and "resolved by" in out


def test_a_changing_command_reads_no_queue_page_and_checks_the_schema_once(cli, monkeypatch, capsys):
    key = new_incident(cli)  # the file now exists and is current
    import incidentdesk.store.fastdetail as fastdetail
    import incidentdesk.store.fastpath as fastpath
    import incidentdesk.store.migrate as migrate

    def no_page(conn, **_):
        raise AssertionError("a CLI command read the console's first page")

    checks = []
    monkeypatch.setattr(fastpath, "read_first_page", no_page)
    monkeypatch.setattr(fastdetail, "read_first_screen", no_page)
    monkeypatch.setattr(migrate, "ensure_schema", lambda engine: checks.append(engine))
    capsys.readouterr()
    assert main(["--db", cli.db_url, "comment", key, "noted"]) == 0
    assert capsys.readouterr().out == f"{key}: done\n"
    assert checks == []  # read once with plain sqlite3 before the engine opened; not again through it


def _commands(parser) -> set[str]:
    return set(next(a for a in parser._actions if a.dest == "command").choices)


def test_only_the_named_commands_parser_is_built(capsys):
    from incidentdesk.cli import build_parser

    every = _commands(build_parser())
    assert {"comment", "list", "users", "sla", "new"} <= every
    assert _commands(build_parser(["--db", "sqlite:///x.db", "--as", "ann", "comment", "INC-1", "hi"])) == {"comment"}
    assert _commands(build_parser(["users", "add", "eve", "--role", "admin"])) == {"users"}
    assert _commands(build_parser(["--help"])) == every  # help lists every command
    assert _commands(build_parser(["frob"])) == every  # and so does a mistake
    with pytest.raises(SystemExit):
        main(["frob"])
    err = capsys.readouterr().err
    assert "invalid choice: 'frob'" in err and "'comment'" in err and "'stand-down'" in err
    # a global option's value, abbreviated or not, is no command
    assert _commands(build_parser(["--a", "list", "show", "INC-1"])) == {"show"}
    assert _commands(build_parser(["--db=sqlite:///x.db", "show", "INC-1"])) == {"show"}


def test_a_hand_written_command_imports_no_catalog(cli, env):
    """`list`, `show`, `paths`... build their parser without the use-case catalog (cli.build_parser)."""
    key = new_incident(cli)
    for argv in (["list"], ["show", key], ["paths"], ["users", "list"], ["config", "check"]):
        modules = _imported(["--db", cli.db_url, *argv], env)
        assert "incidentdesk.services.catalog" not in modules, argv
    assert "incidentdesk.services.catalog" in _imported(["--db", cli.db_url, "comment", key, "hi"], env)


def test_no_use_case_is_a_hand_written_command_or_a_group_above_one():
    """What lets build_parser skip the catalog for a hand-written command: it cannot change that parser."""
    from incidentdesk.cli import GROUPS, hand_written_modules
    from incidentdesk.cli.common import Commands
    from incidentdesk.services.catalog import USE_CASES

    handwritten = Commands(GROUPS)
    for module in hand_written_modules():
        module.register(handwritten)
    words = handwritten.words()
    assert ("list",) in words and ("users", "list") in words
    for uc in USE_CASES:
        if uc.command is not None:
            assert all(tuple(uc.command) != w[:len(uc.command)] for w in words), uc.command
