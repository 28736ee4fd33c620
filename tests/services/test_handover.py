"""The shift handover on SQLite and PostgreSQL: the draft's lists, publish and acknowledge rules, read back."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from incidentdesk.domain.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from incidentdesk.domain.handover import NOTE_LIMIT
from incidentdesk.services import handover as svc
from incidentdesk.services import incidents as inc
from incidentdesk.services import sla
from incidentdesk.services.assignment import escalate
from incidentdesk.services.major import declare_major
from incidentdesk.services.vendor import set_vendor
from incidentdesk.store import handover as store
from incidentdesk.store.handover_models import Handover
from incidentdesk.store.models import ChangeLog, Incident


def _log(ctx, title, impact="low", urgency="low", group="Service Desk"):
    return inc.log_incident(ctx, inc.Intake(title=title, impact=impact, urgency=urgency, group=group))


def _keys(content, section):
    return [i.key for i in content.items(section)]


def _set_states(db, key, **columns):
    """Put an SLA state on an incident as the sweeper would have recorded it (a state hard to reach by time alone)."""
    with db.write() as s:
        s.execute(update(Incident).where(Incident.key == key).values(**columns))


@pytest.fixture
def desk(team, clock):
    """One incident for each section, and some that belong in none."""
    k = {}
    k["major"] = _log(team.ann, "Checkout down", "high", "high")
    declare_major(team.cap, k["major"], reason="EU checkout down", commander="mgr")
    inc.take(team.ann, k["major"])
    k["taken"] = _log(team.ann, "Printer jams")
    inc.take(team.ann, k["taken"])
    k["risky"] = _log(team.ann, "Slow laptop")
    inc.take(team.ann, k["risky"])
    k["functional"] = _log(team.ann, "DB replica lag", "medium", "medium")
    inc.take(team.ann, k["functional"])
    escalate(team.ann, k["functional"], kind="functional", to_group="Platform SRE", summary="replica lag, tried restart")
    k["landed"] = _log(team.ann, "Disk full", "medium", "medium")
    escalate(team.ann, k["landed"], kind="functional", to_group="Platform SRE", summary="disk full on db-3")
    inc.take(team.bob, k["landed"])                               # picked up: no longer in flight
    k["hierarchical"] = _log(team.ann, "Payroll export fails")
    inc.take(team.ann, k["hierarchical"])
    escalate(team.cap, k["hierarchical"], kind="hierarchical", summary="payroll deadline today", reason="impact")
    k["vendor"] = _log(team.ann, "Mail relay rejects | *all*")
    set_vendor(team.ann, k["vendor"], vendor="Contoso", vendor_ticket="CS-1", vendor_status="investigating")
    clock.advance(minutes=3)
    inc.hold(team.ann, k["vendor"], reason="waiting for vendor: patch pending")
    k["held_at"] = clock.now
    clock.advance(minutes=1)
    k["user_hold"] = _log(team.ann, "Laptop battery")
    inc.take(team.ann, k["user_hold"])
    inc.hold(team.ann, k["user_hold"], reason="waiting for user")
    k["resolved"] = _log(team.ann, "Password reset late")
    inc.resolve(team.ann, k["resolved"], code="workaround", notes="resent")
    clock.advance(hours=2)
    sla.sweep(team.cap)                                            # the major's P1 response target breaches
    _set_states(team.db, k["risky"], resolution_sla_state="at_risk")
    return k


def test_the_draft_lists_each_section(team, clock, desk):
    content, previous = store.draft(team.db, clock.now)
    assert previous is None and content.since is None
    majors = content.items("majors")
    assert _keys(content, "majors") == [desk["major"]]
    assert majors[0].detail == "commander mgr" and majors[0].priority == 1 and majors[0].title == "Checkout down"
    with team.db.read() as s:
        due = s.scalar(select(Incident.next_update_due).where(Incident.key == desk["major"]))
    assert majors[0].at == due
    breached = {i.key: i for i in content.items("breached")}
    assert desk["major"] in breached and "response" in breached[desk["major"]].detail
    assert desk["risky"] not in breached
    at_risk = {i.key: i for i in content.items("at_risk")}
    assert set(at_risk) == {desk["risky"]} and at_risk[desk["risky"]].detail == "resolution at risk"
    unassigned = _keys(content, "unassigned")
    assert desk["vendor"] in unassigned and desk["functional"] in unassigned
    assert not {desk["taken"], desk["major"], desk["landed"], desk["resolved"]} & set(unassigned)
    escalations = {i.key: i.detail for i in content.items("escalations")}
    assert escalations == {desk["functional"]: "functional to Platform SRE (tier 2), not picked up",
                           desk["hierarchical"]: "hierarchical to ines"}
    vendors = content.items("vendors")
    assert [i.key for i in vendors] == [desk["vendor"]]
    assert vendors[0].detail == "Vendor: Contoso ticket CS-1 — status: investigating"
    assert vendors[0].at == desk["held_at"]                       # on hold since the hold, not the last change
    # no handover yet: "new" is the last 12 hours, resolved ones too
    assert set(_keys(content, "new")) == {v for k, v in desk.items() if k != "held_at"}


def test_new_counts_from_the_last_published_handover(team, clock, desk):
    first = svc.publish(team.cap, note="night shift")
    clock.advance(minutes=5)
    later = _log(team.ann, "VPN flaps")
    content, previous = store.draft(team.db, clock.now)
    assert previous.id == int(first) and content.since == previous.published_at
    assert _keys(content, "new") == [later]


def test_publish_snapshots_the_queue_and_reads_back_as_it_was(team, clock, desk):
    number = int(svc.publish(team.cap, note="  watch the payroll export\n# not a heading  \n"))
    inc.take(team.ann, desk["vendor"])                                   # the queue moves on
    h = store.get(team.db, number)
    assert h.published_by == "cap" and h.published_at == clock.now and not h.acknowledged
    assert h.note == "watch the payroll export\n# not a heading"
    assert desk["vendor"] in _keys(h.content, "unassigned")           # what was handed over, not today's queue
    assert desk["vendor"] not in _keys(store.draft(team.db, clock.now)[0], "unassigned")
    assert store.list_handovers(team.db)[0].id == number
    with team.db.read() as s:
        kinds = s.scalars(select(ChangeLog.kind).where(ChangeLog.incident_id == svc.FEED_ID)).all()
    assert kinds == ["handover_published"]


def test_who_may_publish_and_acknowledge(team, clock):
    with pytest.raises(PermissionDenied, match=r"^ann \(responder\) may not publish a shift handover: it needs the "
                                               r"triage captain role"):
        svc.publish(team.ann, note="hi")
    with pytest.raises(NotFound, match="no handover has been published yet"):
        svc.acknowledge(team.mgr)
    number = svc.publish(team.cap, note="over to you")
    with pytest.raises(PermissionDenied, match=rf"^cap published handover {number} and may not acknowledge it: "
                                               "the incoming captain acknowledges$"):
        svc.acknowledge(team.cap)
    with pytest.raises(PermissionDenied, match="ann .responder. may not acknowledge"):
        svc.acknowledge(team.ann)
    clock.advance(minutes=7)
    assert svc.acknowledge(team.mgr, id=int(number)) == number
    h = store.get(team.db, int(number))
    assert (h.acknowledged_by, h.acknowledged_at, h.version) == ("mgr", clock.now, 2)
    with pytest.raises(InvalidTransition, match=rf"^handover {number} was already acknowledged by mgr at "):
        svc.acknowledge(team.admin)
    assert store.get(team.db, int(number)).acknowledged_by == "mgr"


def test_only_the_latest_handover_is_acknowledged(team, clock):
    first = svc.publish(team.cap, note="one")
    clock.advance(minutes=1)
    second = svc.publish(team.cap, note="two")
    with pytest.raises(InvalidTransition, match=rf"handover {first} was superseded by handover {second}"):
        svc.acknowledge(team.mgr, id=int(first))
    with pytest.raises(NotFound, match="no handover 999"):
        svc.acknowledge(team.mgr, id=999)
    assert svc.acknowledge(team.mgr) == second


def test_two_acknowledgements_at_once_one_wins(team, clock, make_ctx):
    from incidentdesk.domain.enums import Role

    other = make_ctx("dan", Role.TRIAGE_CAPTAIN)
    number = svc.publish(team.cap, note="race")
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def ack(ctx):
        start.wait()
        try:
            outcomes[ctx.actor.login] = svc.acknowledge(ctx)
        except InvalidTransition as exc:
            outcomes[ctx.actor.login] = exc

    threads = [threading.Thread(target=ack, args=(c,)) for c in (team.mgr, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [login for login, result in outcomes.items() if result == number]
    losers = [result for result in outcomes.values() if isinstance(result, InvalidTransition)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert f"already acknowledged by {winners[0]}" in str(losers[0])
    h = store.get(team.db, int(number))
    assert h.acknowledged_by == winners[0] and h.version == 2


def test_a_note_too_long_writes_nothing(team):
    with pytest.raises(ValidationError, match=f"keep it under {NOTE_LIMIT}"):
        svc.publish(team.cap, note="x" * (NOTE_LIMIT + 1))
    with team.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Handover)) == 0
        assert s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.incident_id == svc.FEED_ID)) == 0


def test_the_flag_read_and_ack_window(team, clock):
    from incidentdesk.config import parse_config
    from incidentdesk.domain.handover import ack_overdue

    assert store.latest_state(team.db) is None
    number = int(svc.publish(team.cap))
    window = parse_config({"handover": {"ack_within_minutes": 10}}).schema.handover.ack_within
    assert window == timedelta(minutes=10)
    h = store.latest(team.db)
    assert store.latest_state(team.db) == (number, h.published_at, "cap", None)
    assert not ack_overdue(h, clock.now + timedelta(minutes=10), window)
    assert ack_overdue(h, clock.now + timedelta(minutes=10, seconds=1), window)


def test_a_breach_between_two_sweeps_is_handed_over(team, clock):
    key = _log(team.ann, "Checkout down", "high", "high")
    late = _log(team.ann, "Acknowledged late", "high", "high")
    clock.advance(hours=2)
    sla.sweep(team.cap)                  # both responses breach and are recorded
    inc.acknowledge(team.ann, late)      # its late response is history now; its resolution still runs
    fresh = _log(team.ann, "Search down", "high", "high")
    clock.advance(hours=2)               # no sweep since: the draft derives the breach as the queue does
    content, _ = store.draft(team.db, clock.now)
    breached = {i.key: i.detail for i in content.items("breached")}
    assert breached[key].startswith("response") and breached[fresh].startswith("response")
    assert late not in breached or "response" not in breached[late]
    with team.db.read() as s:
        state = s.scalar(select(Incident.response_sla_state).where(Incident.key == fresh))
    assert state != "breached"           # not recorded yet: derived
