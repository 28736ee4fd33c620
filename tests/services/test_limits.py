"""Lengths are domain rules: the same over-long value gives the same one-line refusal on both backends.

Before, PostgreSQL refused such a value at the database (a DataError: a traceback on the CLI,
SQL in a toast) while SQLite stored it. Values exactly at the limit are stored on both, so the
limits are the columns' and no stricter.
"""

from __future__ import annotations

import pytest

from incidentdesk.cli import main as cli_main
from incidentdesk.config import Config
from incidentdesk.domain import limits
from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import ValidationError
from incidentdesk.services import directory
from incidentdesk.services import incidents as svc
from incidentdesk.services.context import resolve_actor
from incidentdesk.store import queries
from incidentdesk.store.models import (
    Category, Escalation, Group, Incident, PirFollowUp, PirReview, Service, TimelineEvent, User,
)

COLUMNS = {
    "title": Incident.title, "affected_service": Incident.affected_service, "category": Incident.category,
    "ci": Incident.ci, "hold_reason": Incident.hold_reason, "login": User.login, "assignee": Incident.assignee,
    "commander": Incident.commander, "to_person": Escalation.to_person, "acting_as": TimelineEvent.actor,
    "name": User.name, "group": Group.name, "manager": Group.manager, "service": Service.name,
    "default_group": Category.default_group, "owner_group": Service.owner_group,
    "vendor": Incident.vendor, "vendor_ticket": Incident.vendor_ticket, "vendor_url": Incident.vendor_url,
    "vendor_status": Incident.vendor_status, "pir_duration": PirReview.impact_duration,
    "pir_action": PirFollowUp.action, "pir_owner": PirFollowUp.owner,
}


def test_every_limit_is_its_column_length():
    assert set(COLUMNS) == set(limits.LIMITS)
    for name, column in COLUMNS.items():
        assert limits.LIMITS[name][1] == column.type.length, name


def _intake(**values) -> svc.Intake:
    return svc.Intake(**{"title": "t", "impact": "low", "urgency": "low", **values})


@pytest.mark.parametrize("field,value", [
    ("title", {"title": "x" * 501}), ("affected_service", {"affected_service": "s" * 201}),
    ("category", {"category": "c" * 301}), ("ci", {"ci": "h" * 201}), ("assignee", {"assignee": "a" * 65}),
])
def test_intake_fields(db, make_ctx, field, value):
    ctx = make_ctx("ann", Role.RESPONDER)
    with pytest.raises(ValidationError) as info:
        svc.log_incident(ctx, _intake(**value))
    most = limits.LIMITS[field][1]
    assert info.value.field == field
    assert str(info.value).endswith(f"characters long; the limit is {most} — shorten it and try again")
    assert queries.count_incidents(db) == 0


def test_values_at_the_limit_are_stored(db, make_ctx):
    ctx = make_ctx("ann", Role.RESPONDER)
    admin = make_ctx("adm", Role.ADMIN)
    key = svc.log_incident(ctx, _intake(title="t" * 500, affected_service="s" * 200, category="c" * 300, ci="h" * 200))
    svc.hold(ctx, key, reason="r" * 300)
    directory.add_group(admin, "g" * 100, manager="m" * 64)
    directory.add_user(admin, "l" * 64, name="n" * 200, groups=["g" * 100])
    d = queries.incident_detail(db, key)
    assert (len(d.title), len(d.affected_service), len(d.category), len(d.ci), len(d.hold_reason)) == (
        500, 200, 300, 200, 300)
    assert [p.login for p in queries.list_people(db) if p.login.startswith("l")] == ["l" * 64]


def test_hold_reason(db, make_ctx):
    ctx = make_ctx("ann", Role.RESPONDER)
    key = svc.log_incident(ctx, _intake())
    with pytest.raises(ValidationError, match="the hold reason is 301 characters long; the limit is 300") as info:
        svc.hold(ctx, key, reason="r" * 301)
    assert info.value.field == "reason"  # the parameter (and the dialog's input) it is about
    assert queries.incident_detail(db, key).status == "new"


@pytest.mark.parametrize("call,message", [
    (lambda a: directory.add_group(a, "G" * 101), "the group name is 101 characters long; the limit is 100"),
    (lambda a: directory.add_group(a, "G", manager="m" * 65), "the manager login is 65 characters long; the limit is 64"),
    (lambda a: directory.add_user(a, "l" * 65), "the login is 65 characters long; the limit is 64"),
    (lambda a: directory.add_user(a, "ann", name="n" * 201), "the display name is 201 characters long; the limit is 200"),
    (lambda a: directory.add_service(a, "S" * 201), "the service name is 201 characters long; the limit is 200"),
    (lambda a: directory.add_category(a, "A/" + "B" * 299), "the category is 301 characters long; the limit is 300"),
])
def test_directory_names(db, make_ctx, call, message):
    admin = make_ctx("adm", Role.ADMIN)
    before = (len(queries.list_people(db)), len(queries.list_groups(db)), len(queries.list_categories(db)))
    with pytest.raises(ValidationError, match=message):
        call(admin)
    assert (len(queries.list_people(db)), len(queries.list_groups(db)), len(queries.list_categories(db))) == before


def test_acting_as_login(db):
    with pytest.raises(ValidationError, match="the --as login is 65 characters long; the limit is 64"):
        resolve_actor(db, Config(allow_acting_as=True), "x" * 65)


def test_escalation_to_person(db, make_ctx):
    ctx = make_ctx("ann", Role.RESPONDER, groups=("Service Desk",))
    key = svc.log_incident(ctx, _intake(group="Service Desk"))
    with pytest.raises(ValidationError, match="the person escalated to is 65 characters long"):
        svc.escalate(ctx, key, kind="hierarchical", summary="s", to_person="p" * 65)


def test_an_alert_is_cut_to_fit_never_refused(db, make_ctx):
    ctx = make_ctx("monitoring-runner", Role.RESPONDER)
    with db.write() as s:
        inc = svc.create_incident(s, ctx, _intake(title="T" * 600, affected_service="s" * 250, category="c" * 400,
                                                  ci="h" * 300, source="alert"))
        key = inc.key
    d = queries.incident_detail(db, key)
    assert (len(d.title), len(d.affected_service), len(d.category), len(d.ci)) == (500, 200, 300, 200)
    assert d.affected_service.endswith("…") and d.affected_service.startswith("s" * 199)


def test_cli_gives_the_same_line_on_both_backends(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INCIDENTDESK_CONFIG", str(tmp_path / "none.toml"))
    args = ["--db", db.url]
    assert cli_main(args + ["new", "--title", "t", "--impact", "low", "--urgency", "low"]) == 0
    key = capsys.readouterr().out.strip()
    lines = {}
    for name, argv in (("service", ["new", "--title", "t", "--impact", "low", "--urgency", "low", "--service", "s" * 201]),
                       ("hold", ["hold", key, "--reason", "r" * 301]),
                       ("group", ["groups", "add", "G" * 101]),
                       ("as", ["--as", "x" * 65, "list"])):
        assert cli_main(args + argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        lines[name] = err.strip()
    assert lines == {
        # the option that sets the field is named, as the console shows the message under its field
        "service": "incidentdesk: the affected service is 201 characters long; the limit is 200 — shorten it and try "
                   "again (--service NAME)",
        "hold": "incidentdesk: the hold reason is 301 characters long; the limit is 300 — shorten it and try again "
                "(--reason)",
        "group": "incidentdesk: the group name is 101 characters long; the limit is 100 — shorten it and try again",
        "as": "incidentdesk: the --as login is 65 characters long; the limit is 64 — shorten it and try again",
    }
