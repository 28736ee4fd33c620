"""`incidentdesk notify`, `notify list`, `notify retry`, `notify channels`, and bad [notify] tables."""

from __future__ import annotations

import json


CONFIG = """[general]
allow_acting_as = true
[notify]
max_attempts = 2
backoff_base_seconds = 0.01
timeout_seconds = 1
[[notify.channel]]
name = "ops"
url_env = "TEST_OPS_URL"
[[notify.rule]]
on = ["created", "comment"]
to = "ops"
"""


def test_deliver_list_retry_and_channels(staffed, webhook, monkeypatch):
    monkeypatch.setenv("TEST_OPS_URL", webhook.url)
    staffed.set_config(CONFIG)
    _, out, _ = staffed("new", "--title", "Checkout down", "--impact", "high", "--urgency", "high")
    key = out.strip()
    webhook.default = 500
    code, out, _ = staffed("notify")
    assert code == 0 and "0 sent, 1 to retry, 0 parked as failed" in out and "hook-s3cret-token" not in out
    import time
    import tomllib

    # the retry is due after the backoff: after one failure at most 1.25 x the configured base (jitter)
    time.sleep(2 * tomllib.loads(CONFIG)["notify"]["backoff_base_seconds"])  # hygiene: the backoff read from CONFIG
    code, out, _ = staffed("notify", "--json")
    assert json.loads(out)["failed"][0][0] == 1
    code, out, _ = staffed("notify", "list", "--state", "failed")
    assert code == 0 and f"failed    2 {key}" in out and "not delivered" in out and "hook-s3cret-token" not in out
    code, _, err = staffed("--as", "ann", "notify", "retry", "1", ok=False)
    assert code == 1 and "needs the triage captain role" in err
    code, out, _ = staffed("--as", "cap", "notify", "retry", "1", "--json")
    assert code == 0 and json.loads(out)["state"] == "pending"
    webhook.default = 200
    code, out, _ = staffed("notify")
    assert "1 sent" in out and len(webhook.delivered) == 1
    code, out, _ = staffed("notify", "list", "--json")
    assert [row["state"] for row in json.loads(out)] == ["sent"]
    code, _, err = staffed("notify", "retry", "1", ok=False)
    assert code == 1 and "is sent, not failed" in err
    code, _, err = staffed("notify", "list", "--state", "lost", ok=False)
    assert code == 1 and "unknown state 'lost'" in err
    code, out, _ = staffed("notify", "channels")
    assert out.strip() == "ops (json)"
    monkeypatch.setenv("TEST_OPS_URL", "\x1b]0;pwned\x07\x1b[31mjson://x/y")  # hostile: printed, never acted on
    code, out, _ = staffed("notify", "channels")
    assert "\x1b" not in out and "\x07" not in out and out.startswith("ops (")
    monkeypatch.delenv("TEST_OPS_URL")
    code, out, _ = staffed("notify", "channels")
    assert "ops (not usable" in out and "TEST_OPS_URL" in out


def test_bad_notify_table_is_one_line(cli):
    cli.set_config('[notify]\n[[notify.channel]]\nname = "ops"\nurl_env = "X"\n[[notify.rule]]\non = "escalatd"\nto = "ops"\n')
    code, _, err = cli("notify", "list", ok=False)
    assert code == 2 and "did you mean 'escalated'?" in err and len(err.strip().splitlines()) == 1
