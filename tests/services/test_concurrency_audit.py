"""Two people at once on the same incident, and tampering with the audit trail — on both backends."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import text

from incidentdesk.cli import main as cli_main
from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import EditConflict
from incidentdesk.services import incidents as svc
from incidentdesk.store import queries
from incidentdesk.store.engine import open_database


def _race(calls):
    """Run the calls in threads released together by a barrier; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # collected and asserted on by the caller
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.fixture
def two_consoles(db, make_ctx):
    """Two people, each with their own Database (engine, pool, connections) on the same database."""
    ann = make_ctx("ann", Role.TRIAGE_CAPTAIN, groups=("Service Desk",))
    bob = make_ctx("bob", Role.TRIAGE_CAPTAIN, groups=("Service Desk",))
    other = open_database(db.url)
    yield ann, replace(bob, db=other)
    other.dispose()


def test_same_version_edit_exactly_one_wins(two_consoles, db):
    ann, bob = two_consoles
    for round_ in range(4):
        key = svc.log_incident(ann, svc.Intake(title=f"race {round_}", impact="high", urgency="high"))
        version = queries.incident_detail(db, key).version
        results = _race([
            lambda: svc.hold(ann, key, reason="ann holds", expected_version=version),
            lambda: svc.reprioritise(bob, key, impact="low", reason="bob lowers", expected_version=version),
        ])
        wins = [r for r in results if isinstance(r, int)]
        conflicts = [r for r in results if isinstance(r, EditConflict)]
        assert len(wins) == 1 and len(conflicts) == 1, results
        winner = "ann" if isinstance(results[0], int) else "bob"
        assert str(conflicts[0]).startswith(f"{key} was changed by {winner} at ")
        d = queries.incident_detail(db, key)
        assert d.version == version + 1 == wins[0]
        assert len(d.timeline) == 2 and d.timeline[0].actor == winner
    assert list(queries.verify_audit(db)) == []


def test_concurrent_logging_gives_distinct_keys(two_consoles, db):
    ann, bob = two_consoles
    for _ in range(3):
        results = _race([
            lambda: svc.log_incident(ann, svc.Intake(title="from ann", impact="low", urgency="low")),
            lambda: svc.log_incident(bob, svc.Intake(title="from bob", impact="low", urgency="low")),
        ])
        assert all(isinstance(r, str) for r in results), results
        assert len(set(results)) == 2
    assert queries.count_incidents(db) == 6
    assert list(queries.verify_audit(db)) == []


def _incident_with_events(make_ctx, n_comments=3) -> tuple[str, int]:
    ctx = make_ctx("ann", Role.RESPONDER)
    key = svc.log_incident(ctx, svc.Intake(title="audited", impact="low", urgency="low"))
    for i in range(n_comments):
        svc.comment(ctx, key, f"note {i}")
    svc.log_incident(ctx, svc.Intake(title="untouched neighbour", impact="low", urgency="low"))
    return key, int(key.split("-")[1])


def _raw(db, sql, **params):
    with db.engine.begin() as conn:
        return conn.execute(text(sql), params).rowcount


def test_edited_event_is_reported(db, make_ctx):
    key, inc_id = _incident_with_events(make_ctx)
    assert list(queries.verify_audit(db)) == []
    assert _raw(db, "UPDATE timeline_events SET text = 'nothing to see' WHERE incident_id = :i AND seq = 2", i=inc_id) == 1
    problems = list(queries.verify_audit(db))
    assert [(p.incident_key, p.seq) for p in problems] == [(key, 2)]
    assert "edited" in problems[0].problem


def test_edited_actor_is_reported(db, make_ctx):
    key, inc_id = _incident_with_events(make_ctx)
    _raw(db, "UPDATE timeline_events SET actor = 'mallory' WHERE incident_id = :i AND seq = 1", i=inc_id)
    assert [(p.incident_key, p.seq) for p in queries.verify_audit(db)] == [(key, 1)]


def test_deleted_newest_event_is_reported(db, make_ctx):
    key, inc_id = _incident_with_events(make_ctx)
    _raw(db, "DELETE FROM timeline_events WHERE incident_id = :i AND seq = 4", i=inc_id)
    problems = list(queries.verify_audit(db))
    assert problems and {p.incident_key for p in problems} == {key}
    assert any("deleted" in p.problem for p in problems)


def test_deleted_middle_event_is_reported(db, make_ctx):
    key, inc_id = _incident_with_events(make_ctx)
    _raw(db, "DELETE FROM timeline_events WHERE incident_id = :i AND seq = 2", i=inc_id)
    problems = list(queries.verify_audit(db))
    assert {p.incident_key for p in problems} == {key}
    assert any(p.seq == 3 and "sequence jumps" in p.problem for p in problems)


def test_deleted_newest_event_with_incident_row_patched_is_reported(db, make_ctx):
    """A careful forger also fixes event_count; the stored last hash still gives them away."""
    key, inc_id = _incident_with_events(make_ctx)
    _raw(db, "DELETE FROM timeline_events WHERE incident_id = :i AND seq = 4", i=inc_id)
    _raw(db, "UPDATE incidents SET event_count = 3 WHERE id = :i", i=inc_id)
    problems = list(queries.verify_audit(db))
    assert [p.incident_key for p in problems] == [key] and "newest event" in problems[0].problem


def test_audit_verify_command_exits_1(db, make_ctx, capsys):
    key, inc_id = _incident_with_events(make_ctx)
    assert cli_main(["--db", db.url, "audit", "verify"]) == 0
    assert "timelines of 2 incidents are intact" in capsys.readouterr().out
    _raw(db, "UPDATE timeline_events SET text = 'x' WHERE incident_id = :i AND seq = 3", i=inc_id)
    assert cli_main(["--db", db.url, "audit", "verify"]) == 1
    captured = capsys.readouterr()
    assert f"{key} event #3: content does not match its hash" in captured.out
    assert "1 problem(s)" in captured.err
