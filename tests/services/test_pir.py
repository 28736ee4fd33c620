"""Post-incident reviews on SQLite and PostgreSQL: required to close a major, versioned edits, follow-ups, highlights."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from incidentdesk.config import Config, ConfigError, parse_config
from incidentdesk.domain.errors import EditConflict, InvalidTransition, ValidationError
from incidentdesk.services import incidents as svc
from incidentdesk.services import pir
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.major import declare_major
from incidentdesk.store import queries
from incidentdesk.store.models import PirReview
from incidentdesk.store.pir import load_review


def _resolved_major(team, clock) -> str:
    key = svc.log_incident(team.ann, svc.Intake(title="Checkout down", impact="high", urgency="high",
                                                group="Service Desk", started_at=clock.now))
    svc.take(team.ann, key)
    declare_major(team.cap, key, reason="EU checkout down", commander="mgr")
    clock.advance(minutes=95)
    svc.resolve(team.ann, key, code="permanent_fix", notes="rolled back the release")
    return key


def test_close_of_a_major_needs_a_complete_review(team, clock):
    key = _resolved_major(team, clock)
    version = queries.incident_detail(team.db, key).version
    with pytest.raises(InvalidTransition, match=rf"cannot close {key}: it is a major incident and has no "
                                                r"post-incident review yet; write the review first — "
                                                rf"`incidentdesk pir-edit {key}"):
        svc.close(team.ann, key, confirmed=True)
    pir.edit_review(team.mgr, key, summary="A bad release took checkout down.")
    with pytest.raises(InvalidTransition, match="incomplete post-incident review .it needs at least one "
                                                "contributing cause"):
        svc.close(team.ann, key, confirmed=True)
    d = queries.incident_detail(team.db, key)
    assert d.status == "resolved"
    pir.edit_review(team.mgr, key, causes=["no canary for the payment path", "  ", "alert routed to the wrong team"])
    svc.close(team.ann, key, confirmed=True)
    d = queries.incident_detail(team.db, key)
    assert d.status == "closed" and d.version > version
    r = load_review(team.db, key)
    assert r.complete and r.causes == ("no canary for the payment path", "alert routed to the wrong team")


def test_not_required_when_turned_off_or_not_major(team, clock):
    key = _resolved_major(team, clock)
    relaxed = ServiceContext(team.db, parse_config({"pir": {"required": False}}), team.ann.actor, team.ann.clock)
    svc.close(relaxed, key, confirmed=True)
    assert queries.incident_detail(team.db, key).status == "closed"
    plain = svc.log_incident(team.ann, svc.Intake(title="printer", impact="low", urgency="low"))
    svc.resolve(team.cap, plain, code="permanent_fix", notes="toner")
    svc.close(team.ann, plain)   # not a major: no review needed
    assert queries.incident_detail(team.db, plain).status == "closed"


def test_bad_pir_config_is_one_line():
    with pytest.raises(ConfigError, match=r"pir.*required"):
        parse_config({"pir": {"required": "yes"}})
    with pytest.raises(ConfigError, match=r"pir.*requierd"):
        parse_config({"pir": {"requierd": True}})
    assert Config().schema.pir.required is True
    assert parse_config({"pir": {"required": False}}).schema.pir.required is False


def test_second_save_from_a_stale_version_is_refused(team, clock):
    key = _resolved_major(team, clock)
    assert load_review(team.db, key).version == 0
    v1 = pir.edit_review(team.mgr, key, summary="first draft", expected_version=0)
    assert load_review(team.db, key).version == v1
    # two consoles read v1; mgr saves first, cap's save is refused and writes nothing
    v2 = pir.save_review(team.mgr, key, fields={"slowed": "paging took 20 min"}, expected_version=v1)
    clock.advance(minutes=1)
    with pytest.raises(EditConflict, match=rf"the review of {key} was changed by mgr at .* nothing was saved — reload"):
        pir.save_review(team.cap, key, fields={"summary": "cap's words"}, causes=["x"], expected_version=v1)
    r = load_review(team.db, key)
    assert (r.version, r.summary, r.slowed, r.causes, r.updated_by) == (v2, "first draft", "paging took 20 min", (), "mgr")
    # the first save of a new review races too: version 0 is taken once
    other = _resolved_major(team, clock)
    pir.edit_review(team.cap, other, summary="cap was first", expected_version=0)
    with pytest.raises(EditConflict, match="changed by cap"):
        pir.edit_review(team.mgr, other, summary="mgr too", expected_version=0)
    with team.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PirReview)) == 2


def test_follow_ups_and_highlights(team, clock):
    key = _resolved_major(team, clock)
    v = pir.add_follow_up(team.mgr, key, action="Add a canary | for payments `now`", owner="bob", due="2026-12-15")
    v = pir.add_follow_up(team.mgr, key, action="Route checkout alerts", owner="ann", expected_version=v)
    with pytest.raises(ValidationError, match="unknown person 'nobody'") as err:
        pir.add_follow_up(team.mgr, key, action="x", owner="nobody")
    assert err.value.field == "owner"
    with pytest.raises(ValidationError, match="not a date: use YYYY-MM-DD"):
        pir.add_follow_up(team.mgr, key, action="x", owner="ann", due="next friday")
    with pytest.raises(ValidationError, match="follow-up action is 501 characters"):
        pir.add_follow_up(team.mgr, key, action="a" * 501, owner="ann")
    v = pir.complete_follow_up(team.bob, key, number="1", expected_version=v)
    with pytest.raises(ValidationError, match="no follow-up 7"):
        pir.complete_follow_up(team.bob, key, number=7)
    with pytest.raises(ValidationError, match="must be a whole number"):
        pir.complete_follow_up(team.bob, key, number="one")
    declared = next(e for e in queries.incident_detail(team.db, key).timeline if e.kind == "major_declared")
    v = pir.mark_highlight(team.mgr, key, seq=declared.seq, note="declared 5 min after the page", expected_version=v)
    with pytest.raises(ValidationError, match="no timeline event 999"):
        pir.mark_highlight(team.mgr, key, seq=999)
    r = load_review(team.db, key)
    assert [(f.number, f.owner, f.due_on, f.done, f.done_by) for f in r.follow_ups] == [
        (1, "bob", date(2026, 12, 15), True, "bob"), (2, "ann", None, False, None)]
    [h] = r.highlights
    assert (h.seq, h.kind, h.note) == (declared.seq, "major_declared", "declared 5 min after the page")
    assert all(e.kind != "pir" for e in r.timeline)   # the review's own events stay out of its timeline
    assert r.duration == "1h 35m"                     # from the incident's start to its resolution
    # every change is on the incident's hash-chained timeline; the audit still verifies
    kinds = [e.kind for e in queries.incident_detail(team.db, key).timeline]
    assert kinds.count("pir") == 4
    assert list(queries.verify_audit(team.db)) == []
    # the console's save: unmark, re-note, undo a follow-up, add one, in one version step
    v2 = pir.save_review(team.mgr, key, highlights={}, done=[2], new_follow_up=("Write a runbook", "cap", ""),
                         expected_version=v)
    r = load_review(team.db, key)
    assert v2 == v + 1 == r.version and r.highlights == ()
    assert [(f.number, f.done) for f in r.follow_ups] == [(1, False), (2, True), (3, False)]
    with pytest.raises(ValidationError, match="already says this"):
        pir.save_review(team.mgr, key, highlights={}, done=[2], expected_version=v2)


def test_untrusted_text_is_cleaned(team, clock):
    key = _resolved_major(team, clock)
    pir.edit_review(team.mgr, key, summary="line one\x1b[31m\nline two\u202e", causes="a\nb\n\n- c")
    r = load_review(team.db, key)
    assert r.summary == "line one[31m\nline two" and r.causes == ("a", "b", "c")


def test_stakeholder_updates_are_read_by_kind_name(team, clock):
    """Events of kind `stakeholder_update` (written by the major-incident module) join the review's timeline."""
    from incidentdesk.services.timeline import append_event
    from incidentdesk.store.models import Incident

    key = _resolved_major(team, clock)
    with team.db.write() as s:
        inc = s.scalar(select(Incident).where(Incident.key == key))
        append_event(s, inc, team.mgr.actor, "stakeholder_update", clock.now, text="EU checkout down; next 10:30")
    pir.edit_review(team.mgr, key, summary="s")
    r = load_review(team.db, key)
    [update] = [e for e in r.timeline if e.stakeholder_update]
    assert update.text == "EU checkout down; next 10:30" and update.actor == "mgr"
    assert [e.seq for e in r.timeline] == sorted(e.seq for e in r.timeline)
