"""Tokens from the environment or from a file only its owner may read, through the schema: a real receiver
takes the token it read, and an unsafe, empty or missing source is one line naming the integration."""

from __future__ import annotations

import os

import pytest

from incidentdesk.config import ConfigError, parse_config
from incidentdesk.ingest.settings import settings_from_config

from tests.ingest.conftest import AM_TOKEN
from tests.ingest.payloads import am_alert, am_payload


def _file(tmp_path, text: str, mode: int = 0o600):
    path = tmp_path / "am.token"
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_a_token_file_opens_the_endpoint_and_nothing_else_does(start_receiver, tmp_path):
    path = _file(tmp_path, "from-a-file-7f3a\n")
    rx = start_receiver({"integrations": {"prom": {"format": "alertmanager", "token_file": str(path)}}})
    assert rx.am(am_payload([am_alert("fp1")]), token=AM_TOKEN).status_code == 401
    assert rx.am(am_payload([am_alert("fp1")]), token="from-a-file-7f3a").status_code == 200


def test_token_env_wins_and_is_read_when_the_receiver_starts(monkeypatch):
    monkeypatch.setenv("AM_TOKEN_FOR_TEST", " from-env ")
    conf = parse_config({"ingest": {"integrations": {"prom": {"format": "alertmanager", "token": "literal",
                                                              "token_env": "AM_TOKEN_FOR_TEST"}}}}, "site.toml")
    assert settings_from_config(conf).integrations[0].token == "from-env"
    monkeypatch.delenv("AM_TOKEN_FOR_TEST")
    parse_config({"ingest": {"integrations": {"prom": {"format": "alertmanager", "token_env": "AM_TOKEN_FOR_TEST"}}}})
    with pytest.raises(ConfigError, match=r"^site.toml: \[ingest.integrations.prom\] token_env names AM_TOKEN_FOR_TEST, "
                                          "which is not set"):
        settings_from_config(conf)


@pytest.mark.parametrize("mode,text,message", [
    (0o640, "tok", "it is readable by the group (mode 0640); it must be private to its owner: run `chmod 600"),
    (0o604, "tok", "it is readable by others (mode 0604)"),
    (0o600, "  \n", "is empty: put the token in it"),
    (None, "", "cannot read it"),
])
def test_an_unsafe_empty_or_missing_token_file_is_one_line(tmp_path, mode, text, message):
    path = _file(tmp_path, text, mode) if mode is not None else tmp_path / "missing.token"
    conf = parse_config({"ingest": {"integrations": {"prom": {"format": "alertmanager", "token_file": str(path)}}}},
                        "site.toml")
    with pytest.raises(ConfigError) as info:
        settings_from_config(conf)
    assert len(info.value.lines) == 1 and info.value.lines[0].startswith("site.toml: [ingest.integrations.prom] ")
    assert message in info.value.lines[0]
