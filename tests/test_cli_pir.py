"""Vendor incidents and post-incident reviews from the shell, through the real `incidentdesk` process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from incidentdesk.services.context import os_login

ME = os_login()


@pytest.fixture
def run(tmp_path):
    """The real process on a SQLite file (the services' tests run every rule on PostgreSQL too)."""
    url = f"sqlite:///{tmp_path / 'p.db'}"
    config = tmp_path / "incidentdesk.toml"
    config.write_text("[general]\ntime_zone = \"UTC\"\n")
    env = {**os.environ, "INCIDENTDESK_CONFIG": str(config)}
    env.pop("INCIDENTDESK_DATABASE_URL", None)

    def run(*args, ok=True):
        done = subprocess.run([sys.executable, "-m", "incidentdesk", "--db", url, *args], env=env,
                              capture_output=True, text=True, timeout=60)
        if ok:
            assert done.returncode == 0, (args, done.stderr)
        else:
            assert done.returncode == 1 and done.stdout == "", (args, done.stdout)
            assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
        return done

    run.config = config
    run("users", "add", ME, "--role", "admin")
    run("users", "add", "bob", "--role", "responder")
    return run


def test_vendor_from_the_shell(run):
    key = run("new", "--title", "Mail relay down", "--impact", "high", "--urgency", "medium", "--vendor", "Acme Cloud",
              "--vendor-ticket", "CS-1").stdout.strip()
    bad = run("vendor", key, "--vendor-url", "javascript:alert(1)", ok=False)
    assert "is not an http:// or https:// address" in bad.stderr and "(--vendor-url)" in bad.stderr
    shown = json.loads(run("vendor", key, "--vendor-status", "investigating", "--vendor-url",
                           "https://status.acme.example/CS-1", "--json").stdout)
    assert (shown["vendor"], shown["vendor_status"], shown["vendor_url"]) == (
        "Acme Cloud", "investigating", "https://status.acme.example/CS-1")
    run("hold", key, "--reason", "waiting for vendor")
    other = run("new", "--title", "printer", "--impact", "low", "--urgency", "low").stdout.strip()
    waiting = json.loads(run("list", "--waiting-vendor", "--json").stdout)
    assert [r["key"] for r in waiting] == [key] and waiting[0]["vendor_ticket"] == "CS-1"
    everyone = {r["key"]: r for r in json.loads(run("list", "--json").stdout)}
    assert everyone[other]["vendor"] is None
    out = run("show", key).stdout
    assert "Vendor: Acme Cloud ticket CS-1 — status: investigating — https://status.acme.example/CS-1" in out
    assert "waiting for vendor — Acme Cloud ticket CS-1" in out   # the hold's event names the ticket
    run("vendor-clear", key)
    assert json.loads(run("show", key, "--json").stdout)["vendor"] is None


def test_review_from_the_shell(run):
    key = run("new", "--title", "Pay | API `down`", "--impact", "high", "--urgency", "high").stdout.strip()
    run("major", key, "--reason", "checkout down", "--commander", ME)
    run("assign", key, "--user", "bob")
    run("resolve", key, "--code", "permanent_fix", "--notes", "rolled back")
    refused = run("close", key, ok=False)
    assert f"cannot close {key}: it is a major incident and has no post-incident review yet" in refused.stderr
    run("pir-edit", key, "--summary", "A release broke checkout.", "--users", "all EU shoppers")
    refused = run("close", key, ok=False)
    assert "it needs at least one contributing cause" in refused.stderr
    review = json.loads(run("pir-edit", key, "--cause", "no canary", "--cause", "alert to the wrong team",
                            "--version", "1", "--json").stdout)
    assert review["version"] == 2 and review["complete"] is True
    stale = run("pir-edit", key, "--summary", "other words", "--version", "1", ok=False)
    assert re.search(rf"the review of {key} was changed by {re.escape(ME)} at .* reload", stale.stderr)
    run("pir-follow-up", key, "Add a canary", "--owner", "bob", "--due", "2026-12-15")
    assert "unknown person 'zed'" in run("pir-follow-up", key, "x", "--owner", "zed", ok=False).stderr
    assert "not a date" in run("pir-follow-up", key, "x", "--owner", "bob", "--due", "soon", ok=False).stderr
    seq = next(e["seq"] for e in json.loads(run("pir", key, "--json").stdout)["timeline"] if e["kind"] == "major_declared")
    run("pir-highlight", key, str(seq), "--note", "declared at once")
    run("pir-done", key, "1")
    run("close", key, "--confirmed")
    md = run("pir", key).stdout
    assert md.startswith(f"# Post-incident review: {key} — Pay \\| API \\`down\\`\n")
    assert "- [x] Add a canary — owner **bob**, due 2026-12-15" in md
    assert "★ major declared" in md and "**note:** declared at once" in md
    assert "1. no canary\n2. alert to the wrong team" in md
    data = json.loads(run("pir", key, "--json").stdout)
    assert data["status"] == "closed" and data["follow_ups"][0]["done"] is True
    assert "no incident INC-000099" in run("pir", "INC-000099", ok=False).stderr


def test_pir_can_be_not_required(run):
    run.config.write_text("[general]\ntime_zone = \"UTC\"\n[pir]\nrequired = false\n")
    key = run("new", "--title", "t", "--impact", "high", "--urgency", "high").stdout.strip()
    run("major", key, "--reason", "r", "--commander", ME)
    run("assign", key, "--user", "bob")
    run("resolve", key, "--code", "permanent_fix", "--notes", "n")
    run("close", key)
    run.config.write_text("[pir]\nrequired = 1\n")
    bad = subprocess.run([sys.executable, "-m", "incidentdesk", "list"], env={**os.environ, "INCIDENTDESK_CONFIG":
                         str(run.config)}, capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "pir" in bad.stderr and "required" in bad.stderr and "Traceback" not in bad.stderr
