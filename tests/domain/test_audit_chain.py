"""The hash chain as a pure function: edits, deletions and insertions are reported."""

from datetime import UTC, datetime, timedelta

from incidentdesk.domain.audit import GENESIS, event_hash, verify_chain


def _chain(n):
    events, prev = [], GENESIS
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for seq in range(1, n + 1):
        fields = {"seq": seq, "at": t0 + timedelta(minutes=seq), "actor": "ann", "real_actor": "ann",
                  "kind": "comment", "before": None, "after": {"n": seq}, "text": f"note {seq}"}
        h = event_hash(prev, fields)
        events.append((seq, prev, h, fields))
        prev = h
    return events, prev


def test_intact_chain():
    events, last = _chain(4)
    assert verify_chain("INC-000001", events, last, 4) == []


def test_edited_event():
    events, last = _chain(4)
    seq, prev, h, fields = events[1]
    events[1] = (seq, prev, h, {**fields, "text": "rewritten"})
    problems = verify_chain("INC-000001", events, last, 4)
    assert [(p.seq, "edited" in p.problem) for p in problems] == [(2, True)]
    assert str(problems[0]).startswith("INC-000001 event #2:")


def test_deleted_middle_event():
    events, last = _chain(4)
    del events[1]
    problems = verify_chain("INC-000001", events, last, 4)
    assert any(p.seq == 3 and "sequence jumps" in p.problem for p in problems)
    assert any(p.seq is None and "has 3 events" in p.problem for p in problems)


def test_deleted_newest_event():
    events, last = _chain(4)
    events.pop()
    problems = verify_chain("INC-000001", events, last, 4)
    assert problems and all(p.seq is None for p in problems)
    assert any("newest event" in p.problem for p in problems)


def test_inserted_event():
    events, last = _chain(3)
    forged_fields = {**events[1][3], "text": "forged"}
    forged = (2, events[0][2], event_hash(events[0][2], forged_fields), forged_fields)
    events.insert(1, forged)
    problems = verify_chain("INC-000001", events, last, 3)
    assert any(p.seq == 2 and "inserted" in p.problem for p in problems), problems  # the real #2 no longer follows
    assert any(p.seq is None and "has 4 events" in p.problem for p in problems), problems


def test_hash_depends_on_predecessor():
    fields = {"seq": 1, "text": "x"}
    assert event_hash(GENESIS, fields) != event_hash("1" * 64, fields)
