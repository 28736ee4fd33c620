"""The stakeholder-update cadence, the countdown to the next update, and the rendered update (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from incidentdesk.config import parse_config
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.major_cadence import (
    MajorSettings, UpdateState, next_due, rescheduled, settings_from_config, update_countdown, update_overdue,
)
from incidentdesk.domain.stakeholder import from_fields, make_update, prefill, render

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_default_cadence_sev1_30_sev2_60_others_the_slowest():
    s = MajorSettings()
    assert [s.cadence_for(x) for x in ("SEV1", "SEV2", "SEV3", "SEV4", None, "bogus")] == [
        timedelta(minutes=m) for m in (30, 60, 60, 60, 60, 60)]
    assert next_due(s, "SEV1", None, T0) == T0 + timedelta(minutes=30)
    assert next_due(s, "SEV1", T0 + timedelta(minutes=10), T0) == T0 + timedelta(minutes=40)
    assert next_due(s, "SEV1", None, None) is None


def test_configured_cadence_and_its_errors():
    s = settings_from_config({"cadence": {"sev1": 15, "SEV3": 120}, "due_soon_minutes": 3})
    assert (s.cadence_for("SEV1"), s.cadence_for("SEV2"), s.cadence_for("SEV3"), s.cadence_for("SEV4")) == (
        timedelta(minutes=15), timedelta(minutes=60), timedelta(minutes=120), timedelta(minutes=120))
    assert s.due_soon == timedelta(minutes=3)
    for bad, words in (({"cadance": {}}, "unknown setting cadance under [major]"),
                       ({"cadence": {"SEV9": 5}}, "unknown severity 'SEV9'"),
                       ({"cadence": {"SEV1": 0}}, "cadence.SEV1 = 0 under [major]"),
                       ({"cadence": {"SEV1": "soon"}}, "cadence.SEV1 = 'soon'"),
                       ({"cadence": 30}, "must be a table of minutes"),
                       ({"due_soon_minutes": float("nan")}, "due_soon_minutes = nan")):
        with pytest.raises(ValidationError, match=words.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
            settings_from_config(bad)
    with pytest.raises(ValidationError, match="\\[major\\] cadence.SEV1 = -5"):   # read with the file, not at first use
        parse_config({"major": {"cadence": {"SEV1": -5}}})
    assert parse_config({"major": {"cadence": {"SEV2": 45}}}).major.cadence_for("SEV2") == timedelta(minutes=45)


def test_rescheduled_is_sooner_never_later():
    s = MajorSettings()
    promised = T0 + timedelta(minutes=50)
    assert rescheduled(s, "SEV1", None, T0, promised) == T0 + timedelta(minutes=30)
    assert rescheduled(s, "SEV2", None, T0, T0 + timedelta(minutes=30)) == T0 + timedelta(minutes=30)
    assert rescheduled(s, "SEV1", None, T0, None) == T0 + timedelta(minutes=30)


def test_countdown_on_time_due_soon_overdue():
    due = T0 + timedelta(minutes=30)
    on_time = update_countdown(T0, due)
    assert (on_time.state, on_time.text, on_time.words()) == (UpdateState.ON_TIME, "30m00s", "next update due in 30m00s")
    soon = update_countdown(due - timedelta(minutes=5), due)       # the threshold itself is "due soon"
    assert (soon.state, soon.text) == (UpdateState.DUE_SOON, "!5m00s")
    assert update_countdown(due - timedelta(minutes=5, seconds=1), due).state is UpdateState.ON_TIME
    assert update_countdown(due - timedelta(minutes=9), due, timedelta(minutes=10)).state is UpdateState.DUE_SOON
    at_due = update_countdown(due, due)
    assert (at_due.state, at_due.text) == (UpdateState.OVERDUE, "+0s")
    late = update_countdown(due + timedelta(minutes=12, seconds=3), due)
    assert (late.state, late.text, late.words()) == (UpdateState.OVERDUE, "+12m03s", "update overdue by 12m03s")
    assert update_countdown(T0, None) is None


def test_update_overdue_for_open_majors_only():
    due = T0 + timedelta(minutes=30)
    row = SimpleNamespace(is_major=True, is_open=True, next_update_due=due)
    assert (update_overdue(row, due - timedelta(seconds=1)), update_overdue(row, due)) == (False, True)
    assert not update_overdue(SimpleNamespace(is_major=True, is_open=False, next_update_due=due), due)
    assert not update_overdue(SimpleNamespace(is_major=False, is_open=True, next_update_due=due), due)
    assert not update_overdue(SimpleNamespace(is_major=True, is_open=True, next_update_due=None), due)


def test_render_reads_well_and_round_trips():
    update = make_update(impacted="Checkout (EU)", who="EU card payments", status="failing over\n to standby",
                         workaround="", follow="", next_update_at=T0 + timedelta(minutes=30), now=T0)
    text = render(update, key="INC-000042", title="Payments\x1b[2J down", severity="SEV1", number=3, posted_at=T0,
                  posted_by="mgr", zone=ZoneInfo("Europe/London"),
                  extra=[("Vendor", "Stripe ticket 123 (investigating)")])
    assert text.splitlines() == [
        "**INC-000042 — Payments[2J down** · SEV1 major incident · update 3",
        "Posted 2026-11-23 09:00 GMT by mgr",
        "",
        "**Impacted:** Checkout (EU)",
        "**Who is impacted:** EU card payments",
        "**Current status:** failing over to standby",
        "**Workaround:** none yet",
        "**Vendor:** Stripe ticket 123 (investigating)",
        "**Next update:** by 2026-11-23 09:30 GMT",
    ]
    assert from_fields(update.to_fields()) == update
    assert from_fields({"note": "x"}) is None and from_fields(None) is None


def test_make_update_refuses_missing_facts_and_past_times():
    with pytest.raises(ValidationError, match="who is impacted is required"):
        make_update(impacted="x", who=" ", status="y", next_update_at=T0 + timedelta(minutes=1), now=T0)
    with pytest.raises(ValidationError, match="has passed already"):
        make_update(impacted="x", who="w", status="y", next_update_at=T0, now=T0)
    with pytest.raises(ValidationError, match="needs a time zone"):
        make_update(impacted="x", who="w", status="y", next_update_at=datetime(2026, 11, 23, 10, 0))


def test_prefill_prefers_the_previous_update():
    incident = SimpleNamespace(last_update=None, affected_service="Checkout", impacted="EU shoppers")
    assert prefill(incident) == {"impacted": "Checkout", "who": "EU shoppers", "status": "", "workaround": "",
                                 "follow": ""}
    update = make_update(impacted="Pay", who="all", status="s", workaround="w", follow="#f",
                         next_update_at=T0 + timedelta(minutes=5))
    incident.last_update = update.to_fields()
    assert prefill(incident) == {"impacted": "Pay", "who": "all", "status": "s", "workaround": "w", "follow": "#f"}
