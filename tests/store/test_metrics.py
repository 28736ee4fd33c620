"""The metrics against small fixtures worked out by hand, on SQLite and PostgreSQL (the same numbers).

Every expected figure is written out with its arithmetic. Durations are whole seconds;
percentiles are linear interpolation: position = p * (n - 1) over the sorted values (0-based).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incidentdesk.domain.enums import Role
from incidentdesk.domain.metrics import Period, parse_period, percentile
from incidentdesk.services import assignment
from incidentdesk.services import incidents as svc
from incidentdesk.store.metrics import report, trends
from tests.support.metrics import DAY, S, T, put

NOV = Period(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def november(db):
    """Five counted incidents created in November, one resolved in it but created before, and three
    that every figure but "logged" must ignore (a request, a cancelled one, a duplicate)."""
    put(db, 1, created=T, priority=1, ack=600, resolved=36000, resolution_code="permanent_fix", csat=2,
        source="alert", escalated=True, affected_service="Email",
        response_sla_state="met", resolution_sla_state="breached")
    put(db, 2, created=T + DAY, ack=300, resolved=3600, resolution_code="workaround", first_contact_resolution=True,
        csat=5, affected_service="Email", ci="mx-1", response_sla_state="met", resolution_sla_state="met")
    put(db, 3, created=T + 2 * DAY, ack=900, resolved=7200, resolution_code="workaround", sla_paused_seconds=1800.0,
        reopen_count=1, csat=4, affected_service="Email",
        response_sla_state="met", resolution_sla_state="met")
    put(db, 4, created=T + 3 * DAY, ack=1200, resolved=10800, resolution_code="permanent_fix",
        first_contact_resolution=True, affected_service="VPN", ci="mx-1", started_at=T + 3 * DAY - 3600 * S,
        response_sla_state="breached", resolution_sla_state="met", replaced_breached="resolution")
    put(db, 5, created=T + 4 * DAY)                                  # open: the backlog
    put(db, 9, created=datetime(2026, 10, 20, tzinfo=UTC), priority=4, ack=60, resolved=14 * 86400,
        resolution_code="permanent_fix", csat=3, response_sla_state="met", resolution_sla_state="met")
    # excluded: each would move several figures if it were counted
    put(db, 6, created=T, type="request", ack=1, resolved=60, resolution_code="permanent_fix", csat=1,
        affected_service="Email", response_sla_state="breached")
    put(db, 7, created=T, status="cancelled", ack=1, escalated=True, affected_service="Email")
    put(db, 8, created=T, ack=1, resolved=60, resolution_code="duplicate", first_contact_resolution=True, csat=1)


def _row(rep, key=None, priority=None):
    [row] = [r for r in rep.rows if r.key == key and r.priority == priority]
    return row


def test_whole_period_by_hand(db, november):
    rep = report(db, NOV, now=NOW)
    assert rep.logged == [("incident", "alert", 1), ("incident", "manual", 6), ("request", "manual", 1)]
    all_ = _row(rep)
    # created in Nov: 1..5 (9 is October's; 6, 7, 8 excluded); resolved in Nov: 1, 2, 3, 4 and 9
    assert (all_.counts["created"], all_.counts["resolved"], all_.counts["open"]) == (5, 5, 1)
    mtta = all_.stats["mtta"]   # 300, 600, 900, 1200: mean 750; p50 at 1.5 -> 600+.5*300; p90 at 2.7 -> 900+.7*300
    assert (mtta.n, mtta.mean, mtta.p50, mtta.p90) == (4, 750.0, 750.0, 1110.0)
    gross = all_.stats["mttr_gross"]  # 3600, 7200, 10800, 36000, 1209600 (nine's 14 days)
    # mean 1267200/5 = 253440 (one long incident drags it); p50 10800; p90 at 3.6 -> 36000 + .6*1173600
    assert (gross.n, gross.mean, gross.p50, gross.p90) == (5, 253440.0, 10800.0, 740160.0)
    net = all_.stats["mttr_net"]   # three's 7200 - 1800 on hold = 5400; mean 1265400/5
    assert (net.mean, net.p50, net.p90) == (253080.0, 10800.0, 740160.0)
    restore = all_.stats["restore"]  # workarounds 3600, 5400 (net): p90 at .9 -> 3600+.9*1800
    assert (restore.n, restore.mean, restore.p50, restore.p90) == (2, 4500.0, 4500.0, 5220.0)
    resolve = all_.stats["resolve"]  # permanent fixes 10800, 36000, 1209600: mean 1256400/3; p90 at 1.8
    assert (resolve.n, resolve.mean, resolve.p50, resolve.p90) == (3, 418800.0, 36000.0, 974880.0)
    assert all_.fcr_rate == 40.0          # 2 and 4 of 5 resolved (8's flag is a duplicate's)
    assert all_.reopen_rate == 20.0       # 3 of 5
    assert all_.escalation_rate == 20.0   # 1 of 5 created (7's escalation is a cancelled one's)
    assert all_.response_met == 75.0      # met 1, 2, 3; breached 4; 5 still running
    assert all_.resolution_met == 50.0    # met 2, 3; breached 1 and 4 (a replaced target breached)
    assert (all_.csat_avg, all_.counts["csat_n"]) == (3.5, 4)   # (2+5+4+3)/4, resolved in Nov
    age = all_.stats["age"]   # 5 created Nov 6 00:00, now Dec 1 00:00: 25 days
    assert (age.n, age.p50) == (1, 25 * 86400.0)


def test_by_priority_rows(db, november):
    rep = report(db, NOV, now=NOW)
    assert [(r.key, r.priority) for r in rep.rows] == [(None, None), (None, 1), (None, 3), (None, 4)]
    p3 = _row(rep, priority=3)
    gross = p3.stats["mttr_gross"]   # 3600, 7200, 10800: p90 at 1.8 -> 7200 + .8*3600
    assert (p3.counts["created"], gross.n, gross.mean, gross.p50, gross.p90) == (4, 3, 7200.0, 7200.0, 10080.0)
    p1 = _row(rep, priority=1)
    assert (p1.stats["mttr_gross"].mean, p1.stats["mttr_gross"].p90, p1.escalation_rate) == (36000.0, 36000.0, 100.0)
    p4 = _row(rep, priority=4)   # created in October: resolved here, no MTTA, no rates over "created"
    assert (p4.counts["created"], p4.counts["resolved"], p4.escalation_rate, p4.stats["mtta"].n) == (0, 1, None, 0)


def test_breakdown_and_mtbf(db, november):
    rep = report(db, NOV, "service", now=NOW)
    email = _row(rep, key="Email")
    assert (email.counts["created"], email.counts["resolved"]) == (3, 3)   # 1, 2, 3 (6 and 7 excluded)
    assert _row(rep, key="Email", priority=3).stats["mttr_net"].mean == 4500.0   # (3600 + 5400) / 2
    assert _row(rep, key="(none)").counts["created"] == 1                    # 5 has no service
    assert _row(rep, priority=3).counts["created"] == 4                      # per priority is always there
    # Email starts T, T+1d, T+2d: (2d)/(3-1) = 1 day. VPN has one incident: no MTBF.
    assert rep.mtbf["service"] == [("Email", 3, 86400.0)]
    # mx-1: 2 started T+1d, 4 started T+3d-1h: (2d - 1h)/1 = 169200
    assert rep.mtbf["ci"] == [("mx-1", 2, 169200.0)]


def test_weekly_trends(db, november):
    tr = trends(db, NOV)
    assert tr.volume == {1: {"2026-11-02": 1}, 3: {"2026-11-02": 4}}   # 1..5 created the week of Mon 2 Nov
    # resolved that week: 1 (P1, 36000), 2-4 (P3: 3600, 5400, 10800 -> 6600), 9 (P4, Nov 3)
    assert tr.mttr == {1: {"2026-11-02": 36000.0}, 3: {"2026-11-02": 6600.0}, 4: {"2026-11-02": 1209600.0}}
    assert (tr.response_met, tr.resolution_met) == ({"2026-11-02": 75.0}, {"2026-11-02": 50.0})


def test_empty_period_gives_zeros_not_errors(db):
    rep = report(db, NOV, "group", now=NOW)
    [row] = rep.rows
    assert (row.counts["created"], row.fcr_rate, row.stats["mttr_net"].mean, rep.logged) == (0, None, None, [])


def test_on_hold_on_a_business_calendar_and_reopen_through_the_services(db, make_ctx, clock):
    """The on-hold time the metrics subtract is the SLA clock's working time, not wall-clock time."""
    ctx = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",))
    start = clock.now   # Monday 23 Nov 09:00 UTC
    p3 = svc.log_incident(ctx, svc.Intake(title="Printer", impact="medium", urgency="medium", group="Ops"))
    p2 = svc.log_incident(ctx, svc.Intake(title="Mail", impact="high", urgency="medium", group="Ops"))
    assignment.escalate(ctx, p2, kind="hierarchical", summary="to the manager")
    clock.advance(minutes=30)
    svc.acknowledge(ctx, p3)
    clock.advance(hours=1, minutes=30)     # 11:00
    svc.resolve(ctx, p2, code="workaround", notes="restarted")
    clock.advance(hours=3)                 # 14:00
    svc.reopen(ctx, p2, reason="back again")
    clock.advance(hours=1)                 # 15:00
    svc.resolve(ctx, p2, code="permanent_fix", notes="fixed")
    clock.advance(hours=1)                 # 16:00
    svc.hold(ctx, p3, reason="waiting for vendor")
    clock.advance(hours=18)                # Tuesday 10:00
    svc.resume(ctx, p3)
    clock.advance(hours=2)                 # Tuesday 12:00
    svc.resolve(ctx, p3, code="permanent_fix", notes="toner")
    rep = report(db, parse_period("2026-11-23", "2026-11-24", clock.now), now=clock.now)
    p3_row, p2_row = _row(rep, priority=3), _row(rep, priority=2)
    # P3 (Mon-Fri 09-17): 27 h gross = 97200; on hold Mon 16-17 and Tue 09-10 = 2 working hours
    # (not the 18 wall-clock hours), so net = 97200 - 7200 = 90000
    assert (p3_row.stats["mttr_gross"].mean, p3_row.stats["mttr_net"].mean) == (97200.0, 90000.0)
    assert p3_row.stats["mtta"].mean == 1800.0
    # P2 (24x7): created 09:00, last resolved 15:00 = 21600 gross; the 3 h spent resolved before
    # the reopen count as paused: net 10800, and it counts as a permanent fix, reopened, escalated
    assert (p2_row.stats["mttr_gross"].mean, p2_row.stats["mttr_net"].mean) == (21600.0, 10800.0)
    assert (p2_row.stats["resolve"].mean, p2_row.reopen_rate, p2_row.escalation_rate) == (10800.0, 100.0, 100.0)
    assert start.weekday() == 0


@pytest.mark.parametrize("values", [[5], [1, 2], [10, 20, 30, 40], [3, 1, 4, 1, 5, 9, 2, 6]])
def test_reference_percentile_matches_the_sql(db, values):
    """The SQL's interpolation equals the definition's reference function on any small set."""
    for n, v in enumerate(values, start=20):
        put(db, n, created=T, resolved=v * 60, resolution_code="permanent_fix")
    stat = report(db, NOV, now=NOW).rows[0].stats["mttr_gross"]
    ordered = sorted(float(v * 60) for v in values)
    assert (stat.p50, stat.p90) == (round(percentile(ordered, 0.5), 3), round(percentile(ordered, 0.9), 3))


def test_an_incident_linked_as_a_duplicate_is_excluded_whatever_it_was_resolved_with(db, make_ctx, clock):
    """Linked as a duplicate (services/links.py) but resolved on its own as a permanent fix: still excluded."""
    from incidentdesk.services import links

    ctx = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",))
    original = svc.log_incident(ctx, svc.Intake(title="Mail down", impact="high", urgency="medium", group="Ops"))
    repeat = svc.log_incident(ctx, svc.Intake(title="Mail down again", impact="high", urgency="medium", group="Ops"))
    links.duplicate(ctx, repeat, of=original)
    clock.advance(hours=1)
    svc.resolve(ctx, repeat, code="permanent_fix", notes="same as the original")
    clock.advance(hours=1)
    svc.resolve(ctx, original, code="permanent_fix", notes="fixed")
    rep = report(db, parse_period("2026-11-23", "2026-11-24", clock.now), now=clock.now)
    p2 = _row(rep, priority=2)
    # only the original counts: created 09:00, resolved 11:00 = 7200 s; the duplicate's 3600 s is not in it
    assert (p2.stats["mttr_gross"].n, p2.stats["mttr_gross"].mean) == (1, 7200.0)
