"""`config check` and `config show` through the real `incidentdesk` process, and a bad config refused by
every command (the console and the receiver too) with exit 2 and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SECRETS = ("am-s3cret-token", "pd-routing-s3cret", "db-pa55word", "env-t0ken-value")

GOOD = """\
[general]
reopen_window_hours = 72
time_zone = "Europe/London"

[database]
url = "postgresql+psycopg://desk:db-pa55word@127.0.0.1:1/nowhere"

[console]
sla_sweep_seconds = 2

[keys]
"incident.acknowledge" = "A"

[priority_matrix]
low = { low = "P3" }

[sla]
pausing_reasons = ["waiting for user", "waiting for change window"]

[sla.calendars.uk]
hours = "08:00-18:00"
holidays = [2026-12-25, "2026-12-28"]

[sla.P3]
response_minutes = 90
calendar = "uk"

[[sla.policy]]
priority = [4]
type = "request"
category = "Workplace"
resolution = "10bd"

[[sla.escalation]]
on = "response_breached"
priority = [1, "P2"]
summary = "not acknowledged \\"in time\\""

[ingest]
port = 9100
default_group = "Service Desk"

[ingest.integrations.prom]
format = "alertmanager"
token = "am-s3cret-token"

[ingest.integrations.pd]
format = "events-v2"
routing_key = "pd-routing-s3cret"

[ingest.integrations.graf]
format = "grafana"
token_env = "GRAFANA_TOKEN_FOR_TEST"

[ingest.severity.critical]
impact = "high"
urgency = "high"
severity = "SEV1"

[[ingest.routes]]
name = "databases"
match = { team = "dba" }
match_re = { alertname = "Postgres.*" }
group = "Database"
tier = 2

[audit]
syslog = true
"""

BAD = """\
[console]
refresh_secs = 3
sla_sweep_seconds = "fast"

[[sla.escalation]]
on = "typo"
"""


def _env(tmp_path: Path, config: Path, **extra) -> dict:
    env = {**os.environ, "INCIDENTDESK_CONFIG": str(config), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "GRAFANA_TOKEN_FOR_TEST": "env-t0ken-value", **extra}
    env.pop("INCIDENTDESK_DATABASE_URL", None)
    return env


def _run(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incidentdesk", *args], env=env, capture_output=True, text=True,
                          timeout=120, input=stdin)


def _write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    os.chmod(path, mode)
    return path


@pytest.fixture
def good(tmp_path) -> Path:
    return _write(tmp_path / "incidentdesk.toml", GOOD)


def test_check_says_ok_for_a_good_file(tmp_path, good):
    done = _run(_env(tmp_path, tmp_path / "absent.toml"), "config", "check", str(good))
    assert (done.returncode, done.stdout, done.stderr) == (0, f"ok: {good}\n", "")


def test_check_without_a_file_checks_the_config_in_use(tmp_path, good):
    done = _run(_env(tmp_path, good), "config", "check")
    assert (done.returncode, done.stdout) == (0, f"ok: {good}\n")
    absent = tmp_path / "absent.toml"
    done = _run(_env(tmp_path, absent), "config", "check")
    assert done.returncode == 0 and done.stdout.startswith(f"ok: {absent} (no such file yet")
    done = _run(_env(tmp_path, absent), "config", "check", str(absent))  # a file named and missing: an error
    assert (done.returncode, done.stderr) == (2, f"{absent}: no such file\n")


def test_check_lists_every_problem_one_line_each_and_exits_2(tmp_path):
    bad = _write(tmp_path / "bad.toml", BAD)
    done = _run(_env(tmp_path, tmp_path / "absent.toml"), "config", "check", str(bad))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f'{bad}: [console] unknown key "refresh_secs"; known: sla_sweep_seconds',
        f'{bad}: [console] sla_sweep_seconds = "fast": use a number; how often each console sweeps SLAs: 0.5 to 86400 '
        'seconds, or 0 to leave it to `incidentdesk sla sweep --loop`',
        f'{bad}: [[sla.escalation]] #1 on = "typo": use one of "response_at_risk", "response_breached", '
        '"resolution_at_risk", "resolution_breached"',
    ]


def test_check_of_a_new_file_works_while_the_config_in_use_is_broken(tmp_path, good):
    broken = _write(tmp_path / "broken.toml", BAD)
    done = _run(_env(tmp_path, broken), "config", "check", str(good))
    assert (done.returncode, done.stdout) == (0, f"ok: {good}\n")


@pytest.mark.parametrize("argv", [[], ["list"], ["paths"], ["receive", "--port", "0"], ["config", "show"],
                                  ["sla", "sweep"], ["db", "current"]], ids=" ".join)
def test_every_command_refuses_a_bad_config_with_exit_2_and_no_traceback(tmp_path, argv):
    bad = _write(tmp_path / "bad.toml", BAD)
    done = _run(_env(tmp_path, bad), "--db", f"sqlite:///{tmp_path / 'x.db'}", *argv)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert len(done.stderr.splitlines()) == 3 and all(line.startswith(f"{bad}: ") for line in done.stderr.splitlines())
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened or created


def test_show_prints_the_effective_config_with_defaults_and_never_a_secret(tmp_path, good):
    done = _run(_env(tmp_path, good), "config", "show")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for secret in SECRETS:
        assert secret not in out and secret not in done.stderr
    assert 'url = "postgresql+psycopg://desk:***@127.0.0.1:1/nowhere"' in out
    assert 'token = "***"' in out and 'routing_key = "***"' in out and 'token_env = "GRAFANA_TOKEN_FOR_TEST"' in out
    assert "[sla.P1]\nresponse = \"15m\"\nresolution = \"4h\"\ncalendar = \"24x7\"" in out  # a default filled in
    assert "[sla.P3]\nresponse = \"90m\"\nresolution = \"3bd\"\ncalendar = \"uk\"" in out  # the older form, as now
    assert "allow_acting_as = false" in out and "host = \"127.0.0.1\"" in out and "sla_sweep_seconds = 2.0" in out


def test_show_loads_back_through_check_to_the_same_effective_config(tmp_path, good):
    env = _env(tmp_path, good)
    first = _run(env, "config", "show")
    assert first.returncode == 0, first.stderr
    again = _write(tmp_path / "again.toml", first.stdout)
    done = _run(env, "config", "check", str(again))
    assert (done.returncode, done.stdout) == (0, f"ok: {again}\n"), done.stderr
    second = _run(_env(tmp_path, again), "config", "show")
    assert second.stdout.split("\n", 1)[1] == first.stdout.split("\n", 1)[1]  # all but the "# from FILE" line


def test_show_of_no_file_is_the_defaults_and_loads_back(tmp_path):
    env = _env(tmp_path, tmp_path / "absent.toml")
    first = _run(env, "--db", "sqlite:///x.db", "config", "show")
    assert first.returncode == 0 and 'url = "sqlite:///x.db"' in first.stdout
    again = _write(tmp_path / "again.toml", first.stdout)
    assert _run(env, "config", "check", str(again)).returncode == 0


@pytest.mark.parametrize("mode", [0o666, 0o602])
def test_a_config_others_may_write_is_refused_for_every_command(tmp_path, mode):
    """A hostile environment: INCIDENTDESK_CONFIG names a file anyone could have edited (allow_acting_as!)."""
    writable = _write(tmp_path / "shared.toml", "[general]\nallow_acting_as = true\n", mode)
    env = _env(tmp_path, writable)
    for argv in (["list"], ["config", "check"], ["config", "show"]):
        done = _run(env, "--db", f"sqlite:///{tmp_path / 'x.db'}", *argv)
        assert done.returncode == 2 and "Traceback" not in done.stderr, argv
        assert done.stderr == (f"{writable}: refusing to read it: it is writable by others (mode {mode:04o}), so anyone "
                               f"could have changed what it says (the database, allow_acting_as, ...): run `chmod o-w "
                               f"{writable}` and check it\n")


@pytest.mark.parametrize("kind", ["directory", "not toml", "not utf-8", "unreadable"])
def test_a_config_that_cannot_be_read_is_one_line(tmp_path, kind):
    path = tmp_path / "incidentdesk.toml"
    if kind == "directory":
        path.mkdir()
    elif kind == "not toml":
        _write(path, "[general\nx = 1\n")
    elif kind == "not utf-8":
        path.write_bytes(b"[general]\ntheme = \"\xff\"\n")
    else:
        _write(path, "[general]\n", 0o000)
        if os.access(path, os.R_OK):
            pytest.skip("running as root: every file is readable")
    done = _run(_env(tmp_path, path), "list")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith(f"{path}: ")


def test_the_receiver_names_an_unset_token_variable_and_exits_2(tmp_path, good):
    env = _env(tmp_path, good)
    env.pop("GRAFANA_TOKEN_FOR_TEST")
    done = _run(env, "--db", f"sqlite:///{tmp_path / 'x.db'}", "receive", "--port", "0")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == (f"{good}: [ingest.integrations.graf] token_env names GRAFANA_TOKEN_FOR_TEST, which is not "
                           "set (or empty) in this environment: set it for the receiver, or use token_file\n")
