"""`audit verify` against someone who can write the database: every tamper case, on both backends.

Each case changes the database behind the services' back (raw SQL or a bare ORM session, as a
hostile user with the file or a database login would) and names what verify must report. Cases
marked `signed` cannot be seen from inside the database — a history rewritten with recomputed
hashes, whole records cut from the end — so for those the test also shows verify without a
checkpoint misses them, and verify against the checkpoint written before the tampering finds them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from incidentdesk.config import Config, parse_config
from incidentdesk.domain.audit import GENESIS, event_hash
from incidentdesk.domain.enums import Role
from incidentdesk.services import audit
from incidentdesk.services import directory
from incidentdesk.services import incidents as svc
from incidentdesk.store import queries
from incidentdesk.store.models import DirectoryEvent, TimelineEvent


@dataclass
class Desk:
    db: object
    config: Config
    tmp: Path


@pytest.fixture
def desk(db, make_ctx, tmp_path, monkeypatch):
    """Three incidents with a few events each (the newest event of #2 a comment), people and groups."""
    monkeypatch.delenv(audit.ENV_KEY, raising=False)
    ann = make_ctx("ann", Role.RESPONDER, groups=("Service Desk",))
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, groups=("Service Desk",))
    make_ctx("bob", Role.RESPONDER, groups=("Platform SRE",))
    k1 = svc.log_incident(ann, svc.Intake(title="VPN drops", impact="low", urgency="medium", group="Service Desk"))
    svc.acknowledge(ann, k1)
    svc.comment(ann, k1, "looking")
    k2 = svc.log_incident(ann, svc.Intake(title="Mail slow", impact="low", urgency="low", group="Service Desk"))
    svc.acknowledge(ann, k2)
    svc.reprioritise(cap, k2, impact="high", reason="more users")  # P4 -> P3
    svc.comment(ann, k2, "collected logs")
    k3 = svc.log_incident(cap, svc.Intake(title="Printer", impact="low", urgency="low", group="Service Desk"))
    svc.assign(cap, k3, user="ann")
    config = parse_config({"audit": {"key_file": str(tmp_path / "keys" / "audit.key"),
                                     "checkpoint_file": str(tmp_path / "checkpoints.jsonl")}})
    assert (k1, k2, k3) == ("INC-000001", "INC-000002", "INC-000003")
    assert list(queries.verify_audit(db)) == []
    return Desk(db, config, tmp_path)


def _sql(db, statement: str, **params) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _edit_event(db, incident: int, seq: int, **values) -> None:
    """Change stored fields of one event, leaving its hash as it was."""
    with Session(db.engine) as s, s.begin():
        event = s.scalar(select(TimelineEvent).where(TimelineEvent.incident_id == incident, TimelineEvent.seq == seq))
        for name, value in values.items():
            setattr(event, name, value)


def _reseal(db, incident: int, *, edits: dict[int, dict] | None = None, drop_newest: bool = False,
            update_row: bool = True) -> None:
    """Rewrite an incident's timeline and recompute every hash (and the row's head), as a careful forger would."""
    with Session(db.engine) as s, s.begin():
        events = list(s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == incident)
                                .order_by(TimelineEvent.seq)))
        if drop_newest:
            s.delete(events.pop())
        prev = GENESIS
        for event in events:
            for name, value in (edits or {}).get(event.seq, {}).items():
                setattr(event, name, value)
            event.prev_hash = prev
            event.hash = prev = event_hash(prev, event.sealed_fields())
        if update_row:
            s.execute(text("UPDATE incidents SET event_count = :n, last_event_hash = :h WHERE id = :i"),
                      {"n": len(events), "h": prev, "i": incident})


def _reseal_trail(db, *, edit_seq: int, **values) -> None:
    with Session(db.engine) as s, s.begin():
        prev = GENESIS
        for record in s.scalars(select(DirectoryEvent).order_by(DirectoryEvent.seq)):
            if record.seq == edit_seq:
                for name, value in values.items():
                    setattr(record, name, value)
            record.prev_hash = prev
            record.hash = prev = event_hash(prev, record.sealed_fields())


def _forge_tail(db, incident: int, *, patch_row: bool) -> None:
    """Append a well-formed event (right seq, right predecessor, right hash)."""
    with Session(db.engine) as s, s.begin():
        last = s.scalar(select(TimelineEvent).where(TimelineEvent.incident_id == incident)
                        .order_by(TimelineEvent.seq.desc()).limit(1))
        forged = TimelineEvent(incident_id=incident, seq=last.seq + 1, at=last.at, actor="mallory", real_actor="mallory",
                               kind="comment", before=None, after=None, text="all fine", prev_hash=last.hash, hash="")
        forged.hash = event_hash(last.hash, forged.sealed_fields())
        s.add(forged)
        if patch_row:
            s.execute(text("UPDATE incidents SET event_count = :n, last_event_hash = :h WHERE id = :i"),
                      {"n": forged.seq, "h": forged.hash, "i": incident})


def _move_event(db) -> None:
    """Event #3 of INC-000001 becomes event #4 of INC-000003 (a different story, with a stored hash)."""
    _sql(db, "UPDATE timeline_events SET incident_id = 3, seq = 3 WHERE incident_id = 1 AND seq = 3")


def _trail_drop_newest(db) -> None:
    with Session(db.engine) as s, s.begin():
        newest = s.scalar(select(DirectoryEvent).order_by(DirectoryEvent.seq.desc()).limit(1))
        s.delete(newest)


# (name, tampering, what verify reports (substring), which incident/where, signed). The tampering is
# raw SQL (one statement, or a tuple run in turn, each in its own transaction) or a function of the db.
CASES = [
    ("event text edited", "UPDATE timeline_events SET text = 'nothing' WHERE incident_id = 2 AND seq = 4",
     "content does not match its hash", "INC-000002", False),
    ("event actor edited", "UPDATE timeline_events SET actor = 'cap' WHERE incident_id = 1 AND seq = 1",
     "content does not match its hash", "INC-000001", False),
    ("event real actor edited", "UPDATE timeline_events SET real_actor = 'adm' WHERE incident_id = 1 AND seq = 2",
     "content does not match its hash", "INC-000001", False),
    ("event kind edited", "UPDATE timeline_events SET kind = 'comment' WHERE incident_id = 2 AND seq = 3",
     "content does not match its hash", "INC-000002", False),
    ("event before/after edited", lambda db: _edit_event(db, 2, 3, after={"priority": "P4", "impact": "low"}),
     "content does not match its hash", "INC-000002", False),
    ("event time edited", lambda db: _edit_event(
         db, 1, 2, at=queries.incident_detail(db, "INC-000001").created_at - timedelta(hours=1)),
     "content does not match its hash", "INC-000001", False),
    ("newest event deleted", "DELETE FROM timeline_events WHERE incident_id = 2 AND seq = 4",
     "newest event is not the one the incident recorded", "INC-000002", False),
    ("middle event deleted", "DELETE FROM timeline_events WHERE incident_id = 2 AND seq = 2",
     "sequence jumps from 1 to 3", "INC-000002", False),
    ("first event deleted", "DELETE FROM timeline_events WHERE incident_id = 1 AND seq = 1",
     "does not start with its creation", "INC-000001", False),
    ("newest event deleted, count patched", (
        "DELETE FROM timeline_events WHERE incident_id = 2 AND seq = 4",
        "UPDATE incidents SET event_count = 3 WHERE id = 2"),
     "newest event is not the one the incident recorded", "INC-000002", False),
    ("forged event appended", lambda db: _forge_tail(db, 1, patch_row=False),
     "has 4 events but the incident recorded 3", "INC-000001", False),
    ("events reordered", (
        "UPDATE timeline_events SET seq = 99 WHERE incident_id = 2 AND seq = 2",
        "UPDATE timeline_events SET seq = 2 WHERE incident_id = 2 AND seq = 3",
        "UPDATE timeline_events SET seq = 3 WHERE incident_id = 2 AND seq = 99"),
     "does not follow its predecessor", "INC-000002", False),
    ("event moved to another incident", _move_event, "does not follow its predecessor", "INC-000003", False),
    ("row priority edited without an event", "UPDATE incidents SET priority = 1 WHERE id = 2",
     "priority is 'P1' but its timeline says 'P3'", "INC-000002", False),
    ("row status edited without an event", "UPDATE incidents SET status = 'closed', is_open = false WHERE id = 1",
     "status is 'closed' but its timeline says 'acknowledged'", "INC-000001", False),
    ("row assignee edited without an event", "UPDATE incidents SET assignee = 'bob' WHERE id = 3",
     "assignee is 'bob' but its timeline says 'ann'", "INC-000003", False),
    ("row group edited without an event",
     "UPDATE incidents SET group_id = (SELECT id FROM groups WHERE name = 'Platform SRE') WHERE id = 1",
     "group is 'Platform SRE' but its timeline says 'Service Desk'", "INC-000001", False),
    ("row title edited without an event", "UPDATE incidents SET title = 'Nothing here' WHERE id = 3",
     "title is 'Nothing here' but its timeline says 'Printer'", "INC-000003", False),
    ("row declared major without an event", "UPDATE incidents SET is_major = true WHERE id = 1",
     "is_major is True but its timeline says False", "INC-000001", False),
    ("row key edited", "UPDATE incidents SET key = 'REQ-000002' WHERE id = 2",
     "key does not fit its number 2", "REQ-000002", False),
    ("all events deleted, counters zeroed", (
        "DELETE FROM timeline_events WHERE incident_id = 1",
        "UPDATE incidents SET event_count = 0, last_event_hash = NULL WHERE id = 1"),
     "has no events at all", "INC-000001", False),
    ("incident deleted", "DELETE FROM incidents WHERE id = 2",
     "missing from the number series", "INC/REQ-000002", False),
    ("person's role raised in the database", "UPDATE users SET role = 'admin' WHERE login = 'ann'",
     "user 'ann' is {'name': 'ann', 'role': 'admin'", "directory trail", False),
    ("person added in the database",
     "INSERT INTO users (login, name, role, created_at) SELECT 'eve', 'eve', 'admin', created_at FROM users "
     "WHERE login = 'ann'",
     "user 'eve' is not in the trail", "directory trail", False),
    ("group membership removed in the database",
     "DELETE FROM group_members WHERE user_id = (SELECT id FROM users WHERE login = 'bob')",
     "user 'bob' is {'name': 'bob', 'role': 'responder', 'groups': []}", "directory trail", False),
    ("directory trail record edited", "UPDATE directory_events SET actor = 'ann' WHERE seq = 2",
     "content does not match its hash", "directory trail", False),
    ("directory trail record deleted", "DELETE FROM directory_events WHERE seq = 2",
     "sequence jumps from 1 to 3", "directory trail", False),
    # Only a checkpoint kept outside the database sees these:
    ("newest event deleted, row made consistent", lambda db: _reseal(db, 2, drop_newest=True),
     "has 3 events but the checkpoint of", "INC-000002", True),
    ("newest incident deleted", "DELETE FROM incidents WHERE id = 3",
     "existed at the checkpoint of", "INC/REQ-000003", True),
    ("history rewritten, hashes recomputed", lambda db: _reseal(db, 1, edits={3: {"text": "never looked"}}),
     "history differs from the checkpoint of", "INC-000001", True),
    ("directory trail rewritten, hashes recomputed", lambda db: _reseal_trail(db, edit_seq=1, actor="mallory"),
     "differs from the checkpoint of", "directory trail", True),
    ("directory trail's newest record deleted", _trail_drop_newest, "records but the checkpoint of", "directory trail",
     True),
]


@pytest.mark.parametrize("name,tamper,reported,where,signed", CASES, ids=[c[0] for c in CASES])
def test_tampering_is_reported(desk, name, tamper, reported, where, signed):
    if signed:
        audit.write_checkpoint(desk.db, desk.config)
        assert audit.verify(desk.db, desk.config).problems == []
    if callable(tamper):
        tamper(desk.db)
    else:
        for statement in (tamper,) if isinstance(tamper, str) else tamper:
            _sql(desk.db, statement)
    if signed:
        unsigned = [str(p) for p in queries.verify_audit(desk.db) if reported in p.problem]
        assert unsigned == [], "found without the checkpoint: this case belongs with the unsigned ones"
        problems = audit.verify(desk.db, desk.config).problems
    else:
        problems = list(queries.verify_audit(desk.db))
    assert any(reported in p.problem and p.incident_key == where for p in problems), [str(p) for p in problems]


def test_untouched_incidents_are_not_reported(desk):
    _sql(desk.db, "UPDATE incidents SET priority = 1 WHERE id = 2")
    assert {p.incident_key for p in queries.verify_audit(desk.db)} == {"INC-000002"}


def test_checkpoint_signature_and_key(desk):
    body, files = audit.write_checkpoint(desk.db, desk.config)
    assert (body["incidents"]["count"], body["incidents"]["max_number"]) == (3, 3)
    assert oct(files.key_file.stat().st_mode & 0o777) == "0o600"
    lines = files.checkpoint_file.read_text().splitlines()
    entry = json.loads(lines[-1])
    entry["body"]["incidents"]["max_number"] = 2  # forge: "there were only two"
    files.checkpoint_file.write_text("\n".join(lines[:-1] + [json.dumps(entry)]) + "\n")
    problems = audit.verify(desk.db, desk.config).problems
    assert [p.problem for p in problems] == [
        f"the latest checkpoint in {files.checkpoint_file} does not match its signature (edited, or signed with another key)"]
    files.key_file.chmod(0o644)
    with pytest.raises(Exception, match="refusing to use the audit key .* readable by the group and readable by others"):
        audit.write_checkpoint(desk.db, desk.config)


def test_checkpoint_is_refused_over_a_damaged_trail(desk):
    _sql(desk.db, "UPDATE incidents SET priority = 1 WHERE id = 2")
    with pytest.raises(Exception, match="audit verify finds 1 problem"):
        audit.write_checkpoint(desk.db, desk.config)
    assert not (desk.tmp / "checkpoints.jsonl").exists()


def test_checkpoint_follows_later_work(desk, make_ctx):
    """Work after a checkpoint is not a finding; the next checkpoint covers it."""
    audit.write_checkpoint(desk.db, desk.config)
    ann = make_ctx("ann", Role.RESPONDER, groups=("Service Desk",))
    svc.comment(ann, "INC-000001", "more")
    svc.log_incident(ann, svc.Intake(title="new one", impact="low", urgency="low"))
    directory.add_group(make_ctx("adm", Role.ADMIN), "Network Operations", tier=2)
    verdict = audit.verify(desk.db, desk.config)
    assert verdict.problems == [] and verdict.checkpoint_at is not None
    body, _ = audit.write_checkpoint(desk.db, desk.config)
    assert body["incidents"]["max_number"] == 4


def test_no_key_means_the_checkpoint_is_not_checked(desk):
    _, files = audit.write_checkpoint(desk.db, desk.config)
    files.key_file.unlink()
    verdict = audit.verify(desk.db, desk.config)
    assert verdict.problems == [] and verdict.checkpoint_at is None
    assert any("was not checked: no audit key" in n for n in verdict.notes)


def test_many_incidents_share_digests(desk, monkeypatch):
    """Beyond MAX_DIGESTS incidents a digest covers a run of numbers; a rewrite still shows, by range."""
    from incidentdesk.domain import checkpoint

    monkeypatch.setattr(checkpoint, "MAX_DIGESTS", 2)
    audit.write_checkpoint(desk.db, desk.config)
    _reseal(desk.db, 2, edits={4: {"text": "rewritten"}})
    problems = audit.verify(desk.db, desk.config).problems
    assert [(p.incident_key, "history differs" in p.problem) for p in problems] == [("INC/REQ-000001..INC/REQ-000002", True)]


def test_gaps_recorded_at_the_upgrade_are_excused(desk):
    """A number already missing when the trail began (the 0004 baseline records it) is not a deleted incident."""
    from incidentdesk.domain.audit import NUMBERS_SUBJECT, chained_directory_record
    from incidentdesk.store.audit import directory_head

    _sql(desk.db, "DELETE FROM incidents WHERE id = 2")
    assert any("missing" in p.problem for p in queries.verify_audit(desk.db))
    with Session(desk.db.engine) as s, s.begin():
        seq, prev = directory_head(s)
        s.add(DirectoryEvent(**chained_directory_record(
            prev, seq=seq + 1, at=queries.incident_detail(desk.db, "INC-000001").created_at, actor="schema-upgrade",
            real_actor="schema-upgrade", kind="baseline", subject_type=NUMBERS_SUBJECT, subject="missing",
            after={"missing": [2]})))
    assert list(queries.verify_audit(desk.db)) == []


def test_verify_command_with_checkpoint(desk, capsys, tmp_path):
    config_file = tmp_path / "incidentdesk.toml"
    config_file.write_text(f'[audit]\nkey_file = "{tmp_path / "k" / "audit.key"}"\n'
                           f'checkpoint_file = "{tmp_path / "cp.jsonl"}"\n')
    from incidentdesk.cli import main

    base = ["--db", desk.db.url, "--config", str(config_file), "audit"]
    assert main(base + ["verify"]) == 0
    assert "no checkpoint file at" in capsys.readouterr().err
    assert main(base + ["checkpoint"]) == 0
    out = capsys.readouterr().out
    assert "3 incidents up to number 3" in out and str(tmp_path / "cp.jsonl") in out
    assert main(base + ["verify"]) == 0
    assert "checked against the checkpoint of" in capsys.readouterr().out
    _reseal(desk.db, 1, edits={2: {"text": "forged ack"}})
    assert main(base + ["verify"]) == 1
    captured = capsys.readouterr()
    assert "INC-000001 timeline: history differs from the checkpoint of" in captured.out
    assert "1 problem(s) found" in captured.err


def test_concurrent_writers_cause_no_findings(desk, make_ctx):
    """verify reads one snapshot: incidents changing while it walks are not reported as damaged."""
    import threading

    ann = make_ctx("ann", Role.RESPONDER, groups=("Service Desk",))
    stop = threading.Event()
    errors: list[Exception] = []

    def write() -> None:
        try:
            while not stop.is_set():
                svc.comment(ann, "INC-000001", "tick")
                svc.log_incident(ann, svc.Intake(title="burst", impact="low", urgency="low"))
        except Exception as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        for _ in range(15):
            assert list(queries.verify_audit(desk.db, batch=2)) == []
    finally:
        stop.set()
        thread.join(30)
    assert errors == []


def test_checkpoint_to_syslog(desk, monkeypatch):
    import hashlib
    import syslog

    sent: list[tuple[int, str]] = []
    monkeypatch.setattr(syslog, "syslog", lambda priority, message: sent.append((priority, message)))
    body, files = audit.write_checkpoint(desk.db, desk.config, to_syslog=True)
    [(priority, message)] = sent
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    entry = json.loads(files.checkpoint_file.read_text().splitlines()[-1])
    assert priority == syslog.LOG_NOTICE
    assert f"body sha256 {digest}" in message and f"signature {entry['signature']}" in message
    assert "3 incidents up to number 3" in message
