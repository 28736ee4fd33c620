"""Stakeholder updates on SQLite and PostgreSQL: posting records the rendered update and resets the cadence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import EditConflict, InvalidTransition, PermissionDenied, ValidationError
from incidentdesk.domain.stakeholder import prefill
from incidentdesk.services.pir import edit_review
from incidentdesk.services.vendor import set_vendor
from incidentdesk.services import incidents as svc
from incidentdesk.services.major import declare_major, stand_down_major
from incidentdesk.services.stakeholder import post_update
from incidentdesk.store import queries
from incidentdesk.store.models import TimelineEvent

FIELDS = dict(impacted="Checkout (EU)", who="all EU card payments", status="Failing over to the standby gateway")


@pytest.fixture
def major(team, make_ctx, clock):
    team.cora = make_ctx("cora", Role.RESPONDER)
    team.dan = make_ctx("dan", Role.RESPONDER)
    key = svc.log_incident(team.ann, svc.Intake(title="Payments down", impact="high", urgency="high",
                                                group="Service Desk", affected_service="Checkout",
                                                impacted="EU shoppers"))
    svc.take(team.ann, key)
    declare_major(team.cap, key, reason="checkout down", commander="mgr", comms_lead="cora", deputy="dan")
    team.key, team.declared = key, clock.now
    return team


def _events(db, kind="stakeholder_update"):
    with db.read() as s:
        return list(s.scalars(select(TimelineEvent).where(TimelineEvent.kind == kind).order_by(TimelineEvent.seq)))


def test_post_update_records_the_rendered_update_and_resets_the_cadence(major, clock):
    assert queries.incident_detail(major.db, major.key).next_update_due == major.declared + timedelta(minutes=30)
    clock.advance(minutes=25)
    v = post_update(major.cora, major.key, **FIELDS, follow="#inc-checkout")
    d = queries.incident_detail(major.db, major.key)
    assert v == d.version
    assert (d.last_update_at, d.next_update_due) == (clock.now, clock.now + timedelta(minutes=30))
    ev = d.timeline[0]
    assert (ev.kind, ev.actor, ev.at) == ("stakeholder_update", "cora", clock.now)
    assert ev.text.splitlines() == [
        "**INC-000001 — Payments down** · SEV1 major incident · update 1",
        "Posted 2026-11-23 09:25 UTC by cora",
        "",
        "**Impacted:** Checkout (EU)",
        "**Who is impacted:** all EU card payments",
        "**Current status:** Failing over to the standby gateway",
        "**Workaround:** none yet",
        "**Next update:** by 2026-11-23 09:55 UTC",
        "**Follow:** #inc-checkout",
    ]
    assert ev.after == {"impacted": FIELDS["impacted"], "who": FIELDS["who"], "current_status": FIELDS["status"],
                        "workaround": "", "follow": "#inc-checkout", "number": 1,
                        "next_update_at": (clock.now + timedelta(minutes=30)).isoformat()}
    assert ev.before == {"next_update_due": (major.declared + timedelta(minutes=30)).isoformat(),
                         "last_update_at": None}
    assert d.last_update == ev.after
    # the incident's own status is untouched, and the audit's replay of the timeline agrees with the row
    assert d.status == "new"
    assert list(queries.verify_audit(major.db)) == []


def test_the_next_update_time_given_sets_the_cadence(major, clock):
    promised = clock.now + timedelta(minutes=12)
    post_update(major.mgr, major.key, **FIELDS, next_update=promised, workaround="pay by PayPal")
    d = queries.incident_detail(major.db, major.key)
    assert d.next_update_due == promised
    assert "**Workaround:** pay by PayPal" in d.timeline[0].text
    assert "**Next update:** by 2026-11-23 09:12 UTC" in d.timeline[0].text
    clock.advance(minutes=5)
    post_update(major.dan, major.key, **FIELDS)   # the deputy may post; numbered in order
    assert [e.after["number"] for e in _events(major.db)] == [1, 2]
    assert "update 2" in queries.incident_detail(major.db, major.key).timeline[0].text


def test_updates_show_in_the_site_time_zone(major, make_ctx, clock):
    from incidentdesk.config import Config

    berlin = make_ctx("eve", Role.INCIDENT_MANAGER, config_override=Config(time_zone="Europe/Berlin"))
    post_update(berlin, major.key, **FIELDS)
    text = queries.incident_detail(major.db, major.key).timeline[0].text
    assert "Posted 2026-11-23 10:00 CET by eve" in text and "by 2026-11-23 10:30 CET" in text


def test_bad_updates_are_refused_and_write_nothing(major, clock):
    with major.db.read() as s:
        before = s.scalar(select(func.count()).select_from(TimelineEvent))
    for missing in ("impacted", "who", "status"):
        with pytest.raises(ValidationError, match="is required") as err:
            post_update(major.mgr, major.key, **{**FIELDS, missing: "  \x07 "})
        assert err.value.field == missing
    with pytest.raises(ValidationError, match="has passed already") as err:
        post_update(major.mgr, major.key, **FIELDS, next_update=clock.now - timedelta(minutes=1))
    assert err.value.field == "next_update"
    with pytest.raises(ValidationError, match="keep it under"):
        post_update(major.mgr, major.key, **{**FIELDS, "status": "x" * 5000})
    with pytest.raises(PermissionDenied, match="or to be its commander, deputy or communications lead"):
        post_update(major.ann, major.key, **FIELDS)
    with pytest.raises(PermissionDenied):
        post_update(major.cap, major.key, **FIELDS)
    with major.db.read() as s:
        assert s.scalar(select(func.count()).select_from(TimelineEvent)) == before
    d = queries.incident_detail(major.db, major.key)
    assert d.last_update_at is None and d.next_update_due == major.declared + timedelta(minutes=30)


def test_untrusted_text_is_cleaned(major):
    post_update(major.mgr, major.key, impacted="[bold]Checkout[/bold]\x1b[31m", who="EU\u202euser", status="ok\r\nnow")
    d = queries.incident_detail(major.db, major.key)
    assert d.last_update["impacted"] == "[bold]Checkout[/bold][31m"
    assert "\u202e" not in d.timeline[0].text and "\x1b" not in d.timeline[0].text


def test_updates_need_a_major_incident_not_closed(major):
    svc.resolve(major.ann, major.key, code="workaround", notes="standby gateway")
    post_update(major.mgr, major.key, **{**FIELDS, "status": "Resolved: payments flow again"})
    edit_review(major.mgr, major.key, summary="payments down 40 min", causes=["expired certificate"])
    svc.close(major.mgr, major.key)
    with pytest.raises(InvalidTransition, match="cannot post a stakeholder update INC-000001: it is closed"):
        post_update(major.mgr, major.key, **FIELDS)
    plain = svc.log_incident(major.ann, svc.Intake(title="printer", impact="low", urgency="low"))
    with pytest.raises(InvalidTransition, match="is not a major incident"):
        post_update(major.mgr, plain, **FIELDS)


def test_stood_down_incident_takes_no_updates(major):
    stand_down_major(major.mgr, major.key, reason="contained")
    with pytest.raises(InvalidTransition, match="is not a major incident"):
        post_update(major.mgr, major.key, **FIELDS)


def test_update_edit_conflict(major):
    v = queries.incident_detail(major.db, major.key).version
    svc.comment(major.ann, major.key, "still failing")
    with pytest.raises(EditConflict):
        post_update(major.mgr, major.key, **FIELDS, expected_version=v)
    assert _events(major.db) == []


def test_prefill_from_the_incident_then_the_previous_update(major):
    d = queries.incident_detail(major.db, major.key)
    assert prefill(d) == {"impacted": "Checkout", "who": "EU shoppers", "status": "", "workaround": "", "follow": ""}
    post_update(major.mgr, major.key, **FIELDS, workaround="PayPal", follow="#inc")
    d = queries.incident_detail(major.db, major.key)
    assert prefill(d) == {**FIELDS, "workaround": "PayPal", "follow": "#inc"}


def test_cli_update_through_the_real_process(tmp_path):
    """`incidentdesk update KEY ...` in a real process, against a real SQLite file."""
    from incidentdesk.services.context import os_login

    me = os_login()
    env = {**os.environ, "INCIDENTDESK_CONFIG": str(tmp_path / "incidentdesk.toml")}
    (tmp_path / "incidentdesk.toml").write_text("[general]\nallow_acting_as = true\n[major]\ncadence = { SEV1 = 20 }\n")
    env.pop("INCIDENTDESK_DATABASE_URL", None)
    url = f"sqlite:///{tmp_path / 'p.db'}"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "incidentdesk", "--db", url, *args], env=env,
                              capture_output=True, text=True, timeout=60)

    assert run("users", "add", me, "--role", "admin").returncode == 0
    assert run("users", "add", "bob", "--role", "responder").returncode == 0
    key = run("new", "--title", "Checkout down", "--impact", "high", "--urgency", "high").stdout.strip()
    assert run("major", key, "--reason", "all EU", "--commander", me).returncode == 0
    missing = run("update", key, "--impacted", "Checkout", "--who", "EU")
    assert missing.returncode == 2 and "--status" in missing.stderr and "Traceback" not in missing.stderr
    bad = run("update", key, "--impacted", "Checkout", "--who", "EU", "--status", "x", "--next", "tomorrow")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "(--next" in bad.stderr, bad.stderr
    done = run("update", key, "--impacted", "Checkout", "--who", "all EU customers", "--status", "failing over",
               "--workaround", "pay later", "--follow", "#inc-checkout")
    assert done.returncode == 0 and done.stdout.strip() == f"{key}: stakeholder update posted", done.stderr
    shown = json.loads(run("show", key, "--json").stdout)
    ev = shown["timeline"][0]
    assert ev["kind"] == "stakeholder_update" and "**Current status:** failing over" in ev["text"]
    assert ev["after"]["workaround"] == "pay later" and ev["after"]["follow"] == "#inc-checkout"
    assert shown["last_update"]["who"] == "all EU customers"
    from datetime import datetime

    last, due = (datetime.fromisoformat(shown[k]) for k in ("last_update_at", "next_update_due"))
    assert due - last == timedelta(minutes=20)   # the configured SEV1 cadence
    text = run("show", key).stdout
    assert "stakeholder update: next update due in" in text
    denied = run("--as", "bob", "update", key, "--impacted", "a", "--who", "b", "--status", "c")
    assert denied.returncode == 1 and denied.stderr.count("\n") == 1, denied.stderr
    assert "bob (responder) may not post a stakeholder update" in denied.stderr


def test_an_update_names_the_vendor_the_incident_waits_on(major):
    """Stakeholders hear where the supplier stands: the vendor, its ticket, status and link, from the incident."""
    post_update(major.mgr, major.key, **FIELDS)
    assert "Vendor" not in _events(major.db)[-1].text  # none recorded: no line
    set_vendor(major.ann, major.key, vendor="Acme Pay", vendor_ticket="CS-9", vendor_status="investigating",
               vendor_url="https://status.acme.example/CS-9")
    post_update(major.mgr, major.key, **FIELDS)
    text = _events(major.db)[-1].text
    assert "Acme Pay ticket CS-9" in text and "status: investigating" in text and "https://status.acme.example/CS-9" in text
