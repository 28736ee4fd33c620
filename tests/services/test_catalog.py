"""The use-case catalog walked: every parameter reaches its service from the CLI and from the console.

Each use case's service is replaced by a recorder; the CLI is run in-process with every option
given, and the console action's dialog is built and its run called with every field filled, and
both must hand the service the same values. Also: the catalog and the whole CLI parser import no
SQLAlchemy, the declarations agree with the services' signatures and the domain's roles, and a
time typed without a zone means the site's on both front ends.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from dataclasses import fields as dataclass_fields
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from incidentdesk.cli import build_parser, main
from incidentdesk.config import Config
from incidentdesk.domain import lifecycle
from incidentdesk.domain.enums import Role, Status
from incidentdesk.domain.errors import PermissionDenied
from incidentdesk.domain.roles import RANK, Actor
from incidentdesk.services.catalog import USE_CASES, invoke
from incidentdesk.services.catalog.spec import Kind, Param, Subject
from incidentdesk.services.incidents import Intake
from incidentdesk.tui.actions import ACTIONS, Pickers, use_case_for
from incidentdesk.store.queries import GroupView, PersonView

ZONE = "Europe/London"
SAMPLE = {Kind.PERSON: "ann", Kind.GROUP: "Platform SRE", Kind.CATEGORY: "Email/Exchange", Kind.SERVICE: "Email",
          Kind.TIME: "2026-07-01 08:30", Kind.AREA: "line one\nline two"}
PICKERS = Pickers(people=[PersonView("ann", "Ann", "responder", ()), PersonView("bob", "Bob", "responder", ())],
                  groups=[GroupView("Service Desk", 1, None, ()), GroupView("Platform SRE", 2, None, ())],
                  categories=["Email/Exchange"], services=["Email"])


def sample(param: Param) -> tuple[object, object]:
    """(what is typed, what the service must get) for one parameter: never its default or suggestion."""
    if param.kind is Kind.FLAG:
        return True, True
    if param.kind is Kind.CHOICE:
        value = next(v for v, _ in param.options() if v not in (param.default, param.suggest))
        return value, value
    if param.kind is Kind.INT:
        value = next((c for c in param.choices if int(c) != param.default), str(param.minimum))  # e.g. an id
        return value, int(value)
    if param.kind is Kind.TIME:  # zone-less: the site's (summer time in London: 07:30 UTC)
        return SAMPLE[Kind.TIME], datetime(2026, 7, 1, 8, 30, tzinfo=ZoneInfo(ZONE))
    if param.kind is Kind.LIST:
        return ["Service Desk", "Platform SRE"], ("Service Desk", "Platform SRE")
    typed = SAMPLE.get(param.kind, f"{param.name} given")
    return typed, typed


class Recorder:
    def __init__(self, result) -> None:
        self.result, self.calls = result, []

    def __call__(self, ctx, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self.result


def _record_service(monkeypatch, uc) -> Recorder:
    fn = uc.service()
    recorder = Recorder("INC-000042" if uc.name == "new" else 2)
    monkeypatch.setattr(sys.modules[fn.__module__], fn.__name__, recorder)
    assert uc.service() is recorder  # the loader looks the function up when the use case runs
    return recorder


def _incident(uc) -> SimpleNamespace:
    """A selected incident the use case's key means this use case for (on hold: resume; major: stand down)."""
    return SimpleNamespace(key="INC-000007", title="Mail down", status="on_hold" if uc.name == "resume" else "in_progress",
                           is_major=uc.name == "stand_down_major", assignee="bob", group="Service Desk",
                           impact="low", urgency="low", severity="SEV4", version=7, reporter="bob", commander=None,
                           resolved_at=None, acknowledged_at=None)


def _expected(uc) -> dict:
    return {p.name: sample(p)[1] for p in uc.params}


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    config = tmp_path / "incidentdesk.toml"
    config.write_text(f'[general]\ntime_zone = "{ZONE}"\n')
    monkeypatch.setenv("INCIDENTDESK_CONFIG", str(config))
    monkeypatch.delenv("INCIDENTDESK_DATABASE_URL", raising=False)
    return f"sqlite:///{tmp_path / 'walk.db'}"


@pytest.mark.parametrize("uc", [uc for uc in USE_CASES if uc.command], ids=lambda uc: uc.name)
def test_every_parameter_reaches_the_service_from_the_cli(uc, cli_env, monkeypatch, capsys):
    recorder = _record_service(monkeypatch, uc)
    argv = ["--db", cli_env, *uc.command]
    if uc.subject is Subject.INCIDENT:
        argv.append("INC-000007")
    for param in uc.params:
        typed, _ = sample(param)
        if param.positional:
            argv.append(typed)
        elif param.kind is Kind.FLAG:
            argv.append(param.cli_flag)
        else:
            for value in typed if isinstance(typed, list) else [typed]:
                argv += [param.cli_flag, value]
    if uc.subject is Subject.INCIDENT and uc.conflicts:
        argv += ["--version", "7"]
    assert main(argv) == 0, capsys.readouterr().err
    [(args, kwargs)] = recorder.calls
    expected = _expected(uc)
    if uc.subject is Subject.INCIDENT:
        assert args == ("INC-000007",)
        if uc.conflicts:
            expected["expected_version"] = 7
    if uc.origin:
        expected[uc.origin] = "cli"
    assert kwargs == expected


@pytest.mark.parametrize("uc", [uc for uc in USE_CASES if uc.key], ids=lambda uc: uc.name)
def test_every_parameter_reaches_the_service_from_the_console(uc, monkeypatch):
    recorder = _record_service(monkeypatch, uc)
    [action] = [a for a in ACTIONS if uc in a.use_cases]
    d = _incident(uc) if uc.subject is Subject.INCIDENT else None
    assert use_case_for(action, d) is uc
    config = Config(time_zone=ZONE)
    assert (action.form is None) == (not any(u.params for u in action.use_cases))
    by_name = {f.name: f for f in action.form(d, PICKERS, config).fields} if action.form else {}
    values = {}
    for param in uc.params:
        typed, _ = sample(param)
        assert param.name in by_name, f"{uc.name}: no console field for {param.name}"
        field = by_name[param.name]
        if field.kind == "select":
            assert typed in [value for _, value in field.options], f"{uc.name}.{param.name}: {typed!r} not offered"
        values[param.name] = typed
    action.run(SimpleNamespace(config=config), d, values)
    [(args, kwargs)] = recorder.calls
    expected = _expected(uc)
    if uc.subject is Subject.INCIDENT:
        assert args == (d.key,)
        if uc.conflicts:
            expected["expected_version"] = d.version
    assert kwargs == expected


def test_every_use_case_has_a_cli_command_and_a_console_action_or_says_why_not():
    parser_words = set()
    for uc in USE_CASES:
        assert uc.command or uc.console, f"{uc.name} is in neither front end"
        if uc.command:
            parser_words.add(uc.command)
            assert uc.record is not None, f"{uc.name}: --json has no record to print"
        assert uc.key or uc.console, f"{uc.name}: no console key, and no word on why not"
        if uc.key:
            assert [a for a in ACTIONS if uc in a.use_cases], uc.name
        if uc.subject is Subject.INCIDENT:
            assert uc.name in lifecycle.ACTION_WORDS, f"{uc.name} is not a lifecycle action"
    assert len(parser_words) == len([uc for uc in USE_CASES if uc.command])  # no two share a command
    # every action's binding is unique, and keeps the id users remap under [keys]
    names = [a.name for a in ACTIONS]
    assert len(names) == len(set(names))
    assert {"acknowledge", "hold", "major", "new"} <= set(names)
    assert [uc.name for uc in next(a for a in ACTIONS if a.name == "hold").use_cases] == ["hold", "resume"]


def test_every_command_parses_with_every_option_as_its_parameter():
    parser = build_parser()
    for uc in USE_CASES:
        if not uc.command:
            continue
        sub = parser
        for word in uc.command:
            sub = next(a for a in sub._actions if a.dest and a.dest.endswith("command")).choices[word]
        dests = {a.dest for a in sub._actions}
        assert {p.name for p in uc.params} <= dests, uc.name
        assert "json" in dests, f"{uc.name} has no --json"


@pytest.mark.parametrize("uc", USE_CASES, ids=lambda uc: uc.name)
def test_parameters_are_what_the_service_takes(uc):
    fn = uc.service()
    signature = inspect.signature(fn)
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        assert fn.__name__ == "log_incident_fields"
        accepted = {f.name for f in dataclass_fields(Intake)}
        needed = {f.name for f in dataclass_fields(Intake) if f.default is f.default_factory}  # no default
    else:
        skip = 2 if uc.subject is Subject.INCIDENT else 1  # ctx (and key)
        params = list(signature.parameters.values())[skip:]
        accepted = {p.name for p in params}
        needed = {p.name for p in params if p.default is p.empty}
    names = {p.name for p in uc.params}
    assert names <= accepted, f"{uc.name}: the service takes no {names - accepted}"
    assert needed <= names, f"{uc.name}: the service needs {needed - names}"
    if uc.subject is Subject.INCIDENT:
        assert ("expected_version" in accepted) is True
    if uc.origin:
        assert uc.origin in accepted
    for param in uc.params:
        if param.kind is Kind.CHOICE:
            assert param.enum is not None and param.options(), param.name


@pytest.mark.parametrize("uc", [uc for uc in USE_CASES if uc.subject is Subject.INCIDENT], ids=lambda uc: uc.name)
def test_declared_role_is_the_domains(uc):
    """Whoever holds the declared role (or a higher one) may run it on their own incident; lower roles may not."""
    status = next(s for s in Status if lifecycle.why_not(uc.name, lifecycle.Situation("INC-000001", s)) is None)
    for role in Role:
        actor = Actor(login="me", role=role, real_login="me")
        it = lifecycle.Situation("INC-000001", status, assignee="me", reporter="me",
                                 is_major=uc.name != "declare_major", acknowledged=False)
        reason = uc.why_not(it, actor)
        if RANK[role] >= RANK[uc.role]:
            assert reason is None, f"{uc.name} as {role}: {reason}"
        else:
            assert reason is not None and "may not" in reason, f"{uc.name} as {role}: {reason}"


def test_directory_use_cases_need_an_admin(make_ctx):
    admin = make_ctx("adm", Role.ADMIN)
    ann = make_ctx("ann", Role.RESPONDER)
    add_user = next(uc for uc in USE_CASES if uc.name == "add_user")
    assert add_user.role is Role.ADMIN
    with pytest.raises(PermissionDenied):
        invoke(add_user, ann, {"login": "eve", "role": "admin"})
    outcome = invoke(add_user, admin, {"login": "eve", "role": "triage captain", "groups": []})
    assert outcome.key == "eve" and outcome.values["role"] == "triage_captain"
    assert add_user.record(admin.db, outcome.key) == {"login": "eve", "name": "eve", "role": "triage_captain",
                                                     "groups": ()}


def test_zone_less_start_time_is_the_site_zone_from_both_front_ends(db, make_ctx, tmp_path, monkeypatch, capsys):
    """It used to be UTC in the console and refused by the CLI."""
    ctx = make_ctx("ann", Role.RESPONDER)
    ctx.config = Config(time_zone=ZONE)
    new = next(a for a in ACTIONS if a.name == "new")
    text, key = new.run(ctx, None, {"title": "from the console", "impact": "low", "urgency": "low",
                                    "started_at": "2026-07-01 08:30"})
    assert text == f"logged {key}: from the console"
    from incidentdesk.store.queries import incident_detail

    assert incident_detail(db, key).started_at == datetime(2026, 7, 1, 7, 30, tzinfo=ZoneInfo("UTC"))
    assert incident_detail(db, key).source == "manual"
    if db.backend != "sqlite":
        return  # the CLI half runs on a SQLite file of its own
    config = tmp_path / "zone.toml"
    config.write_text(f'[general]\ntime_zone = "{ZONE}"\n')
    monkeypatch.setenv("INCIDENTDESK_CONFIG", str(config))
    capsys.readouterr()
    assert main(["--db", db.url, "new", "--title", "from the shell", "--impact", "low", "--urgency", "low",
                 "--started-at", "2026-07-01 08:30"]) == 0
    shell_key = capsys.readouterr().out.strip()
    assert incident_detail(db, shell_key).started_at == datetime(2026, 7, 1, 7, 30, tzinfo=ZoneInfo("UTC"))
    assert incident_detail(db, shell_key).source == "cli"


def test_catalog_and_parser_import_no_sqlalchemy():
    """`incidentdesk --help` and the console's start-up read the catalog without the database layer."""
    code = ("import sys\n"
            "import incidentdesk.services.catalog\n"
            "from incidentdesk.cli import build_parser\n"
            "build_parser()\n"
            "import incidentdesk.tui.actions\n"
            "loaded = sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'incidentdesk.services.',"
            " 'incidentdesk.store', 'incidentdesk.ingest', 'alembic', 'starlette', 'incidentdesk.config')))\n"
            "print(' '.join(loaded))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    from incidentdesk.services.catalog import AREAS

    assert out == sorted(["incidentdesk.services.catalog", "incidentdesk.services.catalog.spec",
                          *(area.__name__ for area in AREAS)]), out
