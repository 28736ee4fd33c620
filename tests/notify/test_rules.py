"""[notify] parsing and rule matching (pure), and what the console and CLI import."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from incidentdesk.config import parse_config
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.notify_rules import Destination, Fact, backoff_seconds, destinations, idempotency_key, render

CHANNELS = [{"name": "ops", "url_env": "OPS"}, {"name": "mail", "url_file": "/etc/x"}]


def _settings(rules, **extra):
    return parse_config({"notify": {"channel": CHANNELS, "rule": rules, **extra}}).notify


def _fact(event="created", priority=1, group="Network", **kw):
    base = dict(event=event, key="INC-000001", title="Checkout down", priority=priority, group=group,
                assignee="bob", reporter="ann", commander=None, actor="cap", text="")
    return Fact(**{**base, **kw})


@pytest.mark.parametrize("table, says", [
    ({"rule": [{"on": ["asigned"], "to": "ops"}]}, "unknown event 'asigned' (did you mean 'assigned'?)"),
    ({"rule": [{"on": "created", "to": "opz"}]}, "did you mean 'ops'?"),
    ({"rule": [{"on": "created", "to": "assignee"}]}, "needs `via`"),
    ({"rule": [{"on": "created", "to": "ops", "priority": [5]}]}, "priority must be 1 to 4"),
    ({"rule": [{"on": "created"}]}, "needs to (it is missing)"),
    ({"rule": [{"on": "created", "to": "ops", "when": 1}]}, 'unknown key "when"'),
    ({"max_atempts": 3}, 'unknown key "max_atempts" (did you mean "max_attempts"?)'),
    ({"max_attempts": 0}, "max_attempts"),
    ({"timeout_seconds": 30, "lease_seconds": 10}, "lease_seconds (10) must be longer"),
])
def test_bad_tables_are_one_clear_error(table, says):
    with pytest.raises(ValidationError) as caught:
        parse_config({"notify": {"channel": CHANNELS, **table}})
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_channel_needs_exactly_one_source_and_unique_name():
    for channel in ({"name": "x"}, {"name": "x", "url_env": "A", "url_file": "/b"}):
        with pytest.raises(ValidationError, match="exactly one of url_env"):
            parse_config({"notify": {"channel": [channel]}})
    with pytest.raises(ValidationError, match="declared twice"):
        parse_config({"notify": {"channel": [CHANNELS[0], CHANNELS[0]]}})


def test_matching_by_event_priority_group_and_people():
    settings = _settings([
        {"on": ["created"], "priority": ["P1", 2], "to": "ops"},
        {"on": ["assigned"], "to": ["assignee", "group", "ops"], "via": "mail", "group": ["Network"]},
        {"on": ["resolved"], "to": "reporter", "via": "mail"},
    ], addresses={"bob": "bob@x", "Network": "net@x", "ann": "ann@x"})
    assert destinations(settings, _fact()) == [Destination("ops")]
    assert destinations(settings, _fact(priority=3)) == []
    assert destinations(settings, _fact(event="comment")) == []
    assert destinations(settings, _fact(event="assigned")) == [
        Destination("mail", "bob@x"), Destination("mail", "net@x"), Destination("ops")]
    assert destinations(settings, _fact(event="assigned", group="DBA")) == []
    assert destinations(settings, _fact(event="assigned", actor="bob")) == [  # not told of your own change
        Destination("mail", "net@x"), Destination("ops")]
    assert destinations(settings, _fact(event="resolved", reporter="zoe")) == []  # no address known
    assert destinations(settings, _fact(event="resolved")) == [Destination("mail", "ann@x")]


def test_render_and_keys():
    subject, body = render(_fact(event="stakeholder_update", text="Impact: checkout.\nNext update 10:30"))
    assert subject == "INC-000001 P1 stakeholder update: Checkout down"
    assert body == "Impact: checkout.\nNext update 10:30"
    k1 = idempotency_key("abc", Destination("ops"))
    assert k1 == idempotency_key("abc", Destination("ops")) != idempotency_key("abc", Destination("mail", "a@b"))
    assert k1.startswith("incidentdesk-") and len(k1) <= 64


def test_backoff_doubles_with_jitter_and_a_cap():
    rand = random.Random(1)
    delays = [backoff_seconds(n, 10, 100, rand) for n in range(1, 8)]
    for n, delay in enumerate(delays, start=1):
        expected = min(100, 10 * 2 ** (n - 1))
        assert 0.75 * expected <= delay <= 1.25 * expected
    assert len({round(backoff_seconds(1, 10, 100), 6) for _ in range(20)}) > 1  # jittered


@pytest.mark.parametrize("module", ["incidentdesk.tui.app", "incidentdesk.cli", "incidentdesk.services.outbox",
                                    "incidentdesk.tui.screens.notifications"])
def test_console_and_cli_do_not_import_apprise(module):
    code = f"import sys, {module}; print('apprise' in sys.modules, 'incidentdesk.notify.channels' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
