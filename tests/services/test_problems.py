"""Problems, known errors and incident links on SQLite and PostgreSQL: every rule of services/problems.py
and services/links.py, through the services (the CLI and console call the same ones)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from incidentdesk.domain.errors import EditConflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from incidentdesk.services import incidents as svc
from incidentdesk.services import links, pir, problems
from incidentdesk.store import queries
from incidentdesk.store.models import Incident
from incidentdesk.store.problem_models import Problem
from incidentdesk.store.problems import known_errors_for, list_problems, load_problem


def _log(ctx, title, ci=None, category=None, **extra) -> str:
    return svc.log_incident(ctx, svc.Intake(title=title, impact="medium", urgency="medium", ci=ci, category=category,
                                            group="Service Desk", **extra))


def _events(db, key, kind):
    return [e for e in queries.incident_detail(db, key).timeline if e.kind == kind]


def test_problem_from_several_incidents_links_each_with_an_event(team):
    a, b = _log(team.ann, "Mail bounces", ci="mx1"), _log(team.ann, "Mail slow", ci="mx1")
    key = problems.create_problem(team.ann, incidents=[a, b, a], statement="mx1 drops connections")
    assert key == "PRB-000001"
    p = load_problem(team.db, key)
    assert (p.title, p.status, p.statement, p.created_by) == ("Mail bounces", "open", "mx1 drops connections", "ann")
    assert [i.key for i in p.incidents] == [a, b] and p.linked_count == 2 and p.open_count == 2
    for k in (a, b):
        [event] = _events(team.db, k, "problem")
        assert event.text == f"linked to {key}: Mail bounces" and event.actor == "ann"
    assert [x.key for x in list_problems(team.db)] == [key]


def test_unknown_incident_refuses_the_whole_problem(team):
    a = _log(team.ann, "Mail bounces")
    with pytest.raises(NotFound, match="no incident INC-000099"):
        problems.create_problem(team.ann, incidents=[a, "INC-000099"])
    with pytest.raises(ValidationError, match="needs a title"):
        problems.create_problem(team.ann, incidents=[])
    with team.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Problem)) == 0
    assert _events(team.db, a, "problem") == []


def test_problem_from_one_incident_and_link_unlink(team):
    a, b = _log(team.ann, "VPN drops"), _log(team.ann, "VPN slow")
    version = queries.incident_detail(team.db, a).version
    key = problems.problem_from_incident(team.ann, a, title="", statement="", expected_version=version)
    assert load_problem(team.db, key).title == "VPN drops"
    with pytest.raises(EditConflict):
        problems.problem_from_incident(team.ann, a, expected_version=version)
    problems.link_incidents(team.ann, problem=key, incidents=[b])
    with pytest.raises(ValidationError, match="linked already"):
        problems.link_incidents(team.ann, problem=key, incidents=[b])
    problems.unlink_incidents(team.ann, problem=key, incidents=[b])
    assert [i.key for i in load_problem(team.db, key).incidents] == [a]
    assert [e.text for e in _events(team.db, b, "problem")][0] == f"unlinked from {key}"
    with pytest.raises(ValidationError, match=f"{b} is not linked to {key}"):
        problems.unlink_incidents(team.ann, problem=key, incidents=[b])


def test_conflicting_edit_is_refused_and_nothing_is_written(team):
    key = problems.create_problem(team.ann, title="Printers offline")
    v = load_problem(team.db, key).version
    problems.edit_problem(team.bob, problem=key, root_cause="driver update", version=v)
    with pytest.raises(EditConflict, match=rf"{key} was changed by bob .* \(now version {v + 1}\); nothing was saved"):
        problems.edit_problem(team.ann, problem=key, workaround="use the old driver", version=v)
    p = load_problem(team.db, key)
    assert (p.root_cause, p.workaround, p.version) == ("driver update", "", v + 1)
    with pytest.raises(ValidationError, match="already says this"):
        problems.edit_problem(team.ann, problem=key, root_cause="driver update")


def test_known_error_needs_a_workaround_and_steps_follow_the_lifecycle(team):
    key = problems.create_problem(team.ann, title="Printers offline")
    with pytest.raises(ValidationError, match="has no workaround yet"):
        problems.mark_known_error(team.ann, problem=key)
    assert load_problem(team.db, key).status == "open"
    problems.mark_known_error(team.ann, problem=key, workaround="power-cycle the print server")
    assert load_problem(team.db, key).status == "known_error"
    with pytest.raises(InvalidTransition, match="cannot mark a known error .*: it is known error"):
        problems.mark_known_error(team.ann, problem=key)
    with pytest.raises(InvalidTransition, match="cannot close .*: it is known error; from here you can resolve"):
        problems.close_problem(team.ann, problem=key)
    problems.resolve_problem(team.cap, problem=key, notes="driver pinned")
    problems.close_problem(team.ann, problem=key)
    with pytest.raises(InvalidTransition, match="cannot edit .*: it is closed"):
        problems.edit_problem(team.ann, problem=key, root_cause="x")
    assert list_problems(team.db) == [] and [p.key for p in list_problems(team.db, include_closed=True)] == [key]


def test_known_error_workaround_shows_on_linked_and_matching_incidents(team):
    linked = _log(team.ann, "Outlook crashes", ci="laptop-img-7", category="Email/Outlook")
    same_ci = _log(team.ann, "Outlook hangs", ci="laptop-img-7", category="Email/Other")
    same_cat_no_ci = _log(team.ann, "Outlook slow", category="Email/Outlook")
    same_cat_other_ci = _log(team.ann, "Outlook on another image", ci="laptop-img-9", category="Email/Outlook")
    unrelated = _log(team.ann, "Printer jam", ci="prn-1", category="Print")
    key = problems.create_problem(team.ann, incidents=[linked])
    assert known_errors_for(team.db, linked) == []    # not a known error yet: nothing shown
    problems.mark_known_error(team.ann, problem=key, workaround="safe mode: outlook.exe /safe")
    shown = {k: [(e.key, e.linked, e.workaround) for e in known_errors_for(team.db, k)]
             for k in (linked, same_ci, same_cat_no_ci, same_cat_other_ci, unrelated)}
    assert shown[linked] == [(key, True, "safe mode: outlook.exe /safe")]
    assert shown[same_ci] == [(key, False, "safe mode: outlook.exe /safe")]
    assert shown[same_cat_no_ci] == [(key, False, "safe mode: outlook.exe /safe")]
    assert shown[same_cat_other_ci] == [] and shown[unrelated] == []
    newly = _log(team.ann, "Outlook again", ci="laptop-img-7")   # a new incident matches at once
    assert [e.key for e in known_errors_for(team.db, newly)] == [key]


def test_resolving_a_problem_resolves_its_open_incidents_in_one_transaction(team, clock):
    a, b, done = _log(team.ann, "SSO fails"), _log(team.bob, "SSO slow"), _log(team.ann, "SSO once")
    svc.resolve(team.ann, done, code="workaround", notes="cleared cookies")
    key = problems.create_problem(team.ann, incidents=[a, b, done])
    with pytest.raises(PermissionDenied, match="may not resolve a problem"):
        problems.resolve_problem(team.ann, problem=key, notes="cert renewed")
    with pytest.raises(ValidationError, match="resolution notes are required"):
        problems.resolve_problem(team.cap, problem=key, notes="  ")
    clock.advance(minutes=30)
    problems.resolve_problem(team.cap, problem=key, notes="cert renewed")
    for k in (a, b):
        d = queries.incident_detail(team.db, k)
        assert (d.status, d.resolution_code, d.resolution_notes) == ("resolved", "permanent_fix",
                                                                     f"resolved with problem {key}: cert renewed")
        [event] = _events(team.db, k, "resolved")
        assert event.actor == "cap"
    d = queries.incident_detail(team.db, done)
    assert (d.resolution_code, d.resolution_notes) == ("workaround", "cleared cookies")   # left as it was
    assert len(_events(team.db, done, "resolved")) == 1
    p = load_problem(team.db, key)
    assert p.status == "resolved" and p.open_count == 0 and p.resolved_at == clock.now


def test_resolving_a_problem_rolls_back_whole_when_one_incident_cannot_be(team, monkeypatch):
    a, b = _log(team.ann, "Wifi drops"), _log(team.ann, "Wifi slow")
    key = problems.create_problem(team.ann, incidents=[a, b])
    real = problems.apply_resolve

    def failing(s, ctx, inc, now, **kw):
        if inc.key == b:
            raise ValidationError("boom")
        real(s, ctx, inc, now, **kw)

    monkeypatch.setattr(problems, "apply_resolve", failing)
    with pytest.raises(ValidationError, match="boom"):
        problems.resolve_problem(team.cap, problem=key, notes="AP firmware")
    assert queries.incident_detail(team.db, a).status == "new" and load_problem(team.db, key).status == "open"


def test_resolving_a_parent_resolves_its_children_and_duplicates(team):
    parent, child, dup, other = (_log(team.ann, t) for t in ("Site down", "Site down for me", "site down!!", "Other"))
    links.link_parent(team.ann, child, parent=parent)
    links.duplicate(team.ann, dup, of=parent)
    svc.resolve(team.ann, other, code="permanent_fix", notes="x")   # not linked: untouched by what follows
    [event] = _events(team.db, child, "linked")
    assert event.text == f"child of {parent}: Site down"
    svc.resolve(team.cap, parent, code="permanent_fix", notes="LB restarted")
    c, d = queries.incident_detail(team.db, child), queries.incident_detail(team.db, dup)
    assert (c.status, c.resolution_code, c.resolution_notes) == (
        "resolved", "permanent_fix", f"resolved with {parent} (child of it): LB restarted")
    assert (d.status, d.resolution_code, d.resolution_notes) == (
        "resolved", "duplicate", f"resolved with {parent} (duplicate of it): LB restarted")
    assert len(_events(team.db, child, "resolved")) == 1 and len(_events(team.db, dup, "resolved")) == 1


def test_links_refuse_loops_and_chains(team):
    a, b, c = _log(team.ann, "A"), _log(team.ann, "B"), _log(team.ann, "C")
    with pytest.raises(ValidationError, match=f"{a} cannot be a child of itself"):
        links.link_parent(team.ann, a, parent=a)
    links.link_parent(team.ann, b, parent=a)
    with pytest.raises(ValidationError, match=f"{b} is itself folded under {a}: link {c} to {a} instead"):
        links.duplicate(team.ann, c, of=b)
    with pytest.raises(ValidationError, match=f"{a} has 1 incident.s. folded under it"):
        links.link_parent(team.ann, a, parent=c)
    with pytest.raises(NotFound):
        links.link_parent(team.ann, c, parent="INC-000777")
    links.unlink_incident(team.ann, b)
    with team.db.read() as s:
        assert s.get(Incident, int(b[4:])).parent_id is None
    with pytest.raises(ValidationError, match="nothing to unlink"):
        links.unlink_incident(team.ann, b)
    svc.resolve(team.ann, a, code="permanent_fix", notes="fixed")
    assert queries.incident_detail(team.db, b).status == "new"   # unlinked: not resolved with it
    with pytest.raises(InvalidTransition, match="cannot link to a parent"):
        links.link_parent(team.ann, a, parent=c)   # a resolved incident is not folded


def test_pir_follow_up_becomes_a_problem(team):
    key = _log(team.ann, "Checkout down")
    pir.add_follow_up(team.mgr, key, action="Add a canary for payments", owner="bob", due="2026-08-01")
    prb = problems.pir_follow_up_problem(team.ann, key, number=1)
    p = load_problem(team.db, prb)
    assert (p.title, p.owner, p.from_follow_up, [i.key for i in p.incidents]) == (
        "Add a canary for payments", "bob", f"{key}#1", [key])
    with pytest.raises(ValidationError, match=f"follow-up 1 of {key} is {prb} already"):
        problems.pir_follow_up_problem(team.ann, key, number=1)
    with pytest.raises(ValidationError, match="has no follow-up 2"):
        problems.pir_follow_up_problem(team.ann, key, number=2)


def test_resolving_a_problem_notifies_each_incident_where_rules_exist(db, make_ctx, team):
    from incidentdesk.store.models import OutboxMessage
    from tests.support.notify import notify_config

    config = notify_config(rules=[{"on": ["resolved"], "to": "ops"}])
    cap = make_ctx("cap", "triage_captain", config_override=config)
    a, b = _log(cap, "Disk full on db1"), _log(cap, "Disk full on db2")
    parent_child = _log(cap, "db2 replica lag")
    links.link_parent(cap, parent_child, parent=b)
    key = problems.create_problem(cap, incidents=[a, b])
    problems.resolve_problem(cap, problem=key, notes="log rotation fixed")
    with db.read() as s:
        rows = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    resolved = {r.incident_id for r in rows if r.event_kind == "resolved"}
    assert len(resolved) == 3   # both linked incidents, and the child resolved with its parent
    assert all(r.channel == "ops" for r in rows)
