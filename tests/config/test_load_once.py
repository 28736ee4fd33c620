"""The config is read and validated once per command, before it runs — not again by the runtime, the
console, the receiver's settings or the audit files."""

from __future__ import annotations

import pytest

from incidentdesk.cli import main
from incidentdesk.config import load as config_load


@pytest.fixture
def reads(tmp_path, monkeypatch):
    config = tmp_path / "incidentdesk.toml"
    config.write_text('[general]\nreopen_window_hours = 24\n[ingest.integrations.p]\nformat = "grafana"\n'
                      'token_env = "T_FOR_TEST"\n')
    config.chmod(0o600)
    monkeypatch.setenv("INCIDENTDESK_CONFIG", str(config))
    monkeypatch.delenv("INCIDENTDESK_DATABASE_URL", raising=False)
    calls = []
    real = config_load.read_toml
    monkeypatch.setattr(config_load, "read_toml", lambda path: calls.append(path) or real(path))
    return calls, f"sqlite:///{tmp_path / 'x.db'}"


@pytest.mark.parametrize("argv", [["paths"], ["list"], ["new", "--title", "t", "--impact", "low", "--urgency", "low"],
                                  ["config", "show"], ["sla", "sweep"], ["db", "current"]], ids=" ".join)
def test_each_command_reads_the_config_once(reads, argv, capsys):
    calls, url = reads
    assert main(["--db", url, *argv]) == 0, capsys.readouterr().err
    assert len(calls) == 1


def test_config_check_reads_only_the_file_it_checks(reads, tmp_path, capsys):
    calls, url = reads
    other = tmp_path / "other.toml"
    other.write_text("[console]\nsla_sweep_seconds = 0\n")
    assert main(["config", "check", str(other)]) == 0
    assert calls == [other]
