"""Per-target SLA states, the next change instant, and the console countdown (pure, injected time)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from incidentdesk.domain.sla import settings_from_config
from incidentdesk.domain.sla_state import SlaFacts, SlaState, assess, countdown, format_duration

SETTINGS = settings_from_config({})
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)   # a Monday
M = timedelta(minutes=1)


def facts(priority=1, **kw) -> SlaFacts:
    base = SlaFacts(created_at=T0, priority=priority, type="incident", category=None, is_open=True,
                    acknowledged_at=None, resolved_at=None, paused_at=None, paused_seconds=0.0,
                    response_state="on_track", resolution_state="on_track")
    return replace(base, **kw)


def test_p1_on_track_then_at_risk_then_breached():
    a = assess(SETTINGS, facts(), T0 + 5 * M)
    assert a.transitions == ()
    assert a.clocks["response"].due_at == T0 + 15 * M
    assert a.next_check_at == T0 + timedelta(minutes=11, seconds=15)   # 75% of 15 min
    a = assess(SETTINGS, facts(), T0 + 12 * M)
    assert [(t.which, t.before, t.after) for t in a.transitions] == [("response", "on_track", "at_risk")]
    assert a.next_check_at == T0 + 15 * M
    # Already at risk and now past due: one step to breached, recorded at the due instant.
    a = assess(SETTINGS, facts(response_state="at_risk"), T0 + 20 * M)
    (t,) = a.transitions
    assert (t.after, t.at, t.event) == (SlaState.BREACHED, T0 + 15 * M, "response_breached")
    assert a.next_check_at == T0 + 3 * 60 * M   # resolution at risk at 75% of 4 h


def test_a_late_sweep_catches_up_at_risk_then_breached_each_at_its_instant():
    # Nobody swept for 30 minutes: what is recorded must not depend on that, so the at-risk
    # change (and its rules) is not skipped; it comes first, at its own instant.
    a = assess(SETTINGS, facts(), T0 + 30 * M)
    assert [(t.before, t.after, t.at) for t in a.transitions] == [
        ("on_track", "at_risk", T0 + timedelta(minutes=11, seconds=15)), ("at_risk", "breached", T0 + 15 * M)]
    assert [t.event for t in a.transitions] == ["response_at_risk", "response_breached"]
    assert a.check_at == T0 + timedelta(minutes=11, seconds=15)   # left to the sweeper: check at once
    # With at_risk_share = 1 there is no at-risk instant before the due one: just the breach.
    whole = settings_from_config({"at_risk_share": 1.0})
    assert [t.event for t in assess(whole, facts(), T0 + 30 * M).transitions] == ["response_breached"]


def test_acknowledged_incident_runs_only_the_resolution_clock():
    a = assess(SETTINGS, facts(acknowledged_at=T0 + M, response_state="met"), T0 + 20 * M)
    assert set(a.clocks) == {"resolution"} and a.transitions == ()


def test_paused_clock_stands_still_and_asks_for_no_check():
    a = assess(SETTINGS, facts(priority=2, acknowledged_at=T0 + M, response_state="met", paused_at=T0 + 60 * M),
               T0 + timedelta(days=3))
    assert a.transitions == () and a.next_check_at is None
    # Paused after the at-risk instant but before the sweep saw it: the change is still recorded.
    a = assess(SETTINGS, facts(priority=2, acknowledged_at=T0 + M, response_state="met",
                               paused_at=T0 + 7 * 60 * M), T0 + timedelta(days=3))
    assert [t.after for t in a.transitions] == ["at_risk"] and a.next_check_at is None


def test_paused_time_moves_the_deadline_on_the_calendar():
    # P3: 24 business hours on Mon-Fri 09-17; 2 working hours paused push Wed 17:00 to Thu 11:00.
    a = assess(SETTINGS, facts(priority=3, acknowledged_at=T0, response_state="met", paused_seconds=7200.0), T0)
    assert a.clocks["resolution"].due_at == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


def test_reprioritisation_is_a_recomputation_from_the_start():
    # The same incident assessed as P3 then as P1 an hour in: P1's 15 minutes are long gone.
    at = T0 + 60 * M
    assert assess(SETTINGS, facts(priority=3), at).transitions == ()
    assert [t.event for t in assess(SETTINGS, facts(priority=1), at).transitions] == ["response_at_risk",
                                                                                     "response_breached"]
    # Counted from a later start (a reprioritisation "from the change"), the same P1 is on track.
    assert assess(SETTINGS, facts(priority=1, started_at=at - 5 * M), at).transitions == ()


def test_closed_incident_needs_nothing():
    a = assess(SETTINGS, facts(is_open=False), T0 + timedelta(days=9))
    assert a.clocks == {} and a.next_check_at is None and a.transitions == ()


def test_countdown_from_memory():
    due_r, due_x = T0 + 15 * M, T0 + 240 * M
    kw = dict(acknowledged_at=None, resolved_at=None, response_due_at=due_r, resolution_due_at=due_x)
    c = countdown(T0 + 5 * M, **kw, next_sla_check_at=T0 + 11 * M)
    assert (c.which, c.state, c.seconds, c.text) == ("response", SlaState.ON_TRACK, 600.0, "10m00s")
    # Between sweeps the state is brought forward locally.
    assert countdown(T0 + 12 * M, **kw, next_sla_check_at=T0 + 11 * M).state is SlaState.AT_RISK
    c = countdown(T0 + 17 * M, **kw, response_state="at_risk")
    assert (c.state, c.seconds, c.text) == (SlaState.BREACHED, -120.0, "-2m00s")
    # Paused: frozen at the pause.
    kw_ack = dict(kw, acknowledged_at=T0 + M)
    c = countdown(T0 + timedelta(days=2), **kw_ack, response_state="met", paused_at=T0 + 60 * M)
    assert (c.which, c.paused, c.seconds, c.text) == ("resolution", True, 180 * 60.0, "paused 3h00m")
    # Resolved: the verdict, not a clock.
    c = countdown(T0 + timedelta(days=2), **dict(kw_ack, resolved_at=T0 + 100 * M), response_state="met")
    assert (c.running, c.state, c.text) == (False, SlaState.MET, "met")
    c = countdown(T0 + timedelta(days=2), **dict(kw_ack, resolved_at=T0 + 300 * M), response_state="met")
    assert c.state is SlaState.BREACHED


def test_format_duration():
    assert [format_duration(s) for s in (5, 65, 3700, 90000, -61)] == ["5s", "1m05s", "1h01m", "1d01h", "-1m01s"]
