"""Plain sqlite3 writes (store/plainwrite) and their side effects: the same use cases run through the
ORM on one copy of a desk and through plain sqlite3 on another store the same rows in every table —
replaced SLA targets, escalations, incidents resolved with their parent, outbox rows of the
notification rules — and refuse the same things (a major's missing review, a request's approval)
with the same words. A lost race is refused alike; a use case that meets something only SQLAlchemy
does is rolled back whole and written once, through the ORM."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from incidentdesk.config import Config
from incidentdesk.domain.errors import EditConflict
from incidentdesk.services import links
from incidentdesk.services.catalog import BY_NAME
from incidentdesk.services.catalog.spec import invoke
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.store.plainwrite import PlainDatabase, PlainSession, PlainUnsupported
from tests.support.clock import Clock
from tests.support.desk import build, ctx_for, open_db
from tests.support.requests import add_requests
from tests.support.twins import assert_same, checkpointed_copy, dump, make_twins, site_config

@pytest.fixture(scope="module")
def linked_desk(tmp_path_factory) -> tuple[Path, dict]:
    """The console tests' desk with its on-call rotations (an override, a swap) and escalations on the
    VPN outage, declared major, resolved and its review half written; the Exchange incident a child of the Wi-Fi one and the printer a duplicate
    of it; two service requests (one waiting for approval, one with a step to do)."""
    path = tmp_path_factory.mktemp("effects") / "desk.db"
    db = open_db(path)
    clock = Clock()
    keys = build(db, clock, long_timeline=True, review=True, oncall=True)
    keys.update(add_requests(db, clock))
    ana = ctx_for(db, "ana", clock)
    links.link_parent(ana, keys["mail"], parent=keys["wifi"])
    links.duplicate(ana, keys["printer"], of=keys["wifi"])
    template = path.with_name("template.db")
    checkpointed_copy(db, template)
    return template, keys


# (use case, who, incident by name, values): what a shift does to the desk, with the refusals too.
SHIFT = [
    ("reprioritise", "tess", "mail", {"impact": "low", "urgency": "low", "reason": "fewer users than thought"}),
    ("reprioritise", "tess", "mail", {"impact": "medium", "urgency": "high", "reason": "back as it was"}),
    ("hold", "ana", "wifi", {"reason": "waiting for user"}),
    ("resume", "ana", "wifi", {"comment": "user is back"}),
    ("reprioritise", "tess", "wifi", {"impact": "high", "urgency": "high", "reason": "whole floor now"}),
    ("reprioritise", "tess", "wifi", {"impact": "medium", "urgency": "medium", "reason": "a workaround helps"}),
    ("escalate", "ana", "wifi", {"kind": "functional", "to_group": "Platform SRE", "summary": "AP firmware?"}),
    ("escalate", "tess", "wifi", {"kind": "hierarchical", "summary": "Floor 2 unusable", "reason": "impact"}),
    ("take", "tess", "wifi", {}),
    ("assign", "tess", "held", {"user": "nobody-known"}),      # no such person
    ("assign", "tess", "held", {"group": "Network Operations"}),
    ("assign", "tess", "held", {"user": "chen", "comment": "battery vendor contact"}),
    ("declare_major", "ines", "held", {"commander": "tess", "comms_lead": "ana", "reason": "battery fire risk"}),
    ("major_roles", "tess", "held", {"deputy": "ines"}),
    ("post_update", "ana", "held", {"impacted": "floor 3", "who": "12 people", "status": "evacuated"}),
    ("post_update", "tess", "held", {"impacted": "floor 3", "who": "12 people", "status": "back in",
                                     "next_update": "2030-01-01 09:00"}),
    ("hand_command", "tess", "held", {"commander": "ines", "reason": "end of shift"}),
    ("stand_down_major", "ines", "held", {"reason": "contained"}),
    ("post_update", "ines", "vpn", {"impacted": "remote staff", "who": "900", "status": "resolved"}),
    ("resolve", "tess", "wifi", {"code": "permanent_fix", "notes": "AP firmware rolled back"}),
    ("reopen", "tess", "wifi", {"reason": "slow again"}),
    ("resolve", "tess", "wifi", {"code": "workaround", "notes": "moved users to floor 3"}),
    ("close", "tess", "wifi", {"confirmed": True, "csat": 4, "comment": "thanks"}),
    ("close", "tess", "vpn", {"confirmed": True}),               # a major without its complete review
    ("resolve", "ana", "access", {"code": "permanent_fix", "notes": "granted"}),   # waits for approval
    ("resolve", "ana", "reset", {"code": "permanent_fix", "notes": "sent"}),       # its step not done
    ("reopen", "ana", "resolved", {"reason": "mails late again"}),
    ("resolve", "ana", "resolved", {"code": "no_fault_found", "notes": "relay fine"}),
    ("close", "ana", "resolved", {"csat": 2}),
]


@pytest.mark.parametrize("config", [Config(), site_config()], ids=["defaults", "site"])
def test_a_shift_of_changes_stores_what_the_orm_stores(tmp_path, linked_desk, config):
    template, keys = linked_desk
    twins = make_twins(tmp_path, template, config)
    twins.clock.advance(hours=3)  # after the desk was built: the Exchange incident's response target has passed
    outcomes = []
    for name, who, which, raw in SHIFT:
        orm, plain = twins.run(name, who, raw, key=keys[which])
        assert orm == plain, (name, which, raw)
        outcomes.append(orm[0])
        twins.clock.advance(minutes=11)
    before, after = dump(template), dump(twins.plain_path)
    assert_same(twins)
    refused = [step[:3] for step, outcome in zip(SHIFT, outcomes, strict=True) if outcome != "ok"]
    assert refused == [("assign", "tess", "held"), ("close", "tess", "vpn"), ("resolve", "ana", "access"),
                       ("resolve", "ana", "reset")]
    # The side effects are there (in both files, since they are equal), not only equally absent:
    assert len(after["sla_target_history"]) > len(before["sla_target_history"])
    assert len(after["escalations"]) == len(before["escalations"]) + 2
    conn = sqlite3.connect(twins.plain_path)
    folded = conn.execute("SELECT key, status, resolution_code FROM incidents WHERE parent_id = "
                          "(SELECT id FROM incidents WHERE key = ?) ORDER BY id", (keys["wifi"],)).fetchall()
    outbox = conn.execute("SELECT channel, recipient, idempotency_key FROM outbox").fetchall()
    held = conn.execute("SELECT recipient FROM outbox WHERE event_kind = 'held' AND channel = 'mail'").fetchall()
    conn.close()
    assert [(k, s) for k, s, _ in folded] == [(keys["mail"], "resolved"), (keys["printer"], "resolved")]
    assert {code for _, _, code in folded} == {"permanent_fix", "duplicate"}
    if config.notify.active:
        assert len(outbox) > len(SHIFT) and {("mail", "sre@example.com"), ("mail", "marco@example.com")} <= \
            {(c, r) for c, r, _ in outbox}
        assert len({key for _, _, key in outbox}) == len(outbox)
        assert held == [("tess@example.com",)]  # only the on-call rule names a hold: tess is on call then
    else:
        assert outbox == []


def test_the_folded_incidents_get_their_own_resolved_events(tmp_path, linked_desk):
    template, keys = linked_desk
    twins = make_twins(tmp_path, template, site_config())
    orm, plain = twins.run("resolve", "ana", {"code": "workaround", "notes": "rebooted the APs"}, key=keys["wifi"])
    assert orm == plain and orm[0] == "ok"
    assert_same(twins)
    conn = sqlite3.connect(twins.plain_path)
    rows = conn.execute("SELECT i.key, e.text FROM timeline_events e JOIN incidents i ON i.id = e.incident_id "
                        "WHERE e.kind = 'resolved' AND i.key IN (?, ?, ?) ORDER BY e.id",
                        (keys["wifi"], keys["mail"], keys["printer"])).fetchall()
    changes = conn.execute("SELECT count(*) FROM change_log WHERE kind = 'resolved'").fetchone()[0]
    conn.close()
    assert [k for k, _ in rows] == [keys["wifi"], keys["mail"], keys["printer"]]
    assert all(keys["wifi"] in text for _, text in rows[1:])
    assert changes >= 3


def test_a_stale_version_is_refused_alike(tmp_path, linked_desk):
    template, keys = linked_desk
    twins = make_twins(tmp_path, template, site_config())
    orm, plain = twins.run("comment", "ana", {"text": "moves the version on"}, key=keys["held"])
    assert orm == plain
    stale = orm[2] - 1
    for name, raw in (("assign", {"user": "ana"}), ("resolve", {"code": "workaround", "notes": "x"}),
                      ("reprioritise", {"impact": "high", "reason": "x"})):
        orm, plain = twins.run(name, "tess", raw, key=keys["held"], expected_version=stale)
        assert orm == plain and orm[0] == "EditConflict" and "was changed by ana" in orm[1], name
    assert_same(twins)


def test_racing_writers_on_the_plain_path_change_it_once(tmp_path, linked_desk):
    """Six processes' worth of `take --version N` at once: BEGIN IMMEDIATE orders them, one wins, the
    others are told who changed it; one event, one version step."""
    template, keys = linked_desk
    path = tmp_path / "race.db"
    path.write_bytes(template.read_bytes())
    path.chmod(0o600)
    orm = open_db(path)
    actors = [load_actor(orm, who) for who in ("tess", "ines", "tess", "ines", "tess", "ines")]
    orm.dispose()
    version = sqlite3.connect(path).execute("SELECT version FROM incidents WHERE key = ?", (keys["held"],)).fetchone()[0]
    results, start = [], threading.Barrier(len(actors))

    def take(actor):
        ctx = ServiceContext(PlainDatabase(path, f"sqlite:///{path}"), Config(), actor, Clock())
        start.wait()
        try:
            results.append(invoke(BY_NAME["take"], ctx, {}, key=keys["held"], expected_version=version).result)
        except EditConflict as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=take, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conn = sqlite3.connect(path)
    assigned, now = conn.execute("SELECT (SELECT count(*) FROM timeline_events e WHERE e.incident_id = i.id AND "
                                 "e.kind = 'assigned'), version FROM incidents i WHERE key = ?",
                                 (keys["held"],)).fetchone()
    conn.close()
    assert results.count(version + 1) == 1 and now == version + 1 and assigned == 1
    assert all(isinstance(r, str) and "nothing was saved" in r for r in results if r != version + 1)


def test_a_use_case_meeting_an_orm_only_step_writes_nothing_then_once(tmp_path, linked_desk, monkeypatch):
    """None of the plain use cases meets a step only SQLAlchemy takes today; one that does (made so
    here: the outbox rows, the last thing a comment writes, after its change-log row) is rolled back
    whole, and the CLI's fallback (cli/usecases.run) then writes it once, through the ORM."""
    template, keys = linked_desk
    path = tmp_path / "plain.db"
    path.write_bytes(template.read_bytes())
    path.chmod(0o600)
    config = site_config()

    def orm_only(session, table, rows):
        raise PlainUnsupported(f"{table} rows")

    monkeypatch.setattr(PlainSession, "insert_rows", orm_only)
    before = dump(path)
    orm = open_db(path)
    actor = load_actor(orm, "ana")
    orm.dispose()
    plain = ServiceContext(PlainDatabase(path, f"sqlite:///{path}"), config, actor, Clock())
    with pytest.raises(PlainUnsupported):
        invoke(BY_NAME["comment"], plain, {"text": "page the on-call"}, key=keys["wifi"])
    assert dump(path) == before

    from incidentdesk.cli.usecases import run
    from incidentdesk.runtime import Runtime

    runtime = Runtime(config, opener=lambda: (orm, ServiceContext(orm, config, actor, Clock())), actor=actor,
                      sqlite_path=path)
    tried = []
    plain_context = runtime.plain_context
    runtime.plain_context = lambda: tried.append(1) or plain_context()

    class Args:
        key, expected_version, json, text = keys["wifi"], None, False, "page the on-call"

    import incidentdesk.cli.common as common

    monkeypatch.setattr(common, "runtime", lambda args: runtime)
    assert run(BY_NAME["comment"], Args()) == 0
    after = dump(path)
    orm.dispose()
    assert tried == [1]
    added = {t: len(after[t]) - len(before[t]) for t in after if len(after[t]) != len(before[t])}
    assert added == {"timeline_events": 1, "change_log": 1, "outbox": 2}, added  # ops, and the on-call by mail


def test_a_database_locked_too_long_is_one_clear_refusal_and_nothing_written(tmp_path, linked_desk, monkeypatch):
    """Another writer holds the file (a long migration, a stuck process) past the busy timeout: the
    plain `resolve` says so in one line, and nothing of it — the folded incidents included — is written."""
    from incidentdesk.domain.errors import StorageUnavailable
    from incidentdesk.store import plainwrite

    template, keys = linked_desk
    path = tmp_path / "locked.db"
    path.write_bytes(template.read_bytes())
    path.chmod(0o600)
    orm = open_db(path)
    actor = load_actor(orm, "ana")
    orm.dispose()
    before = dump(path)
    monkeypatch.setattr(plainwrite, "BUSY_TIMEOUT_MS", 50)  # the real one is 10 s
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        ctx = ServiceContext(PlainDatabase(path, f"sqlite:///{path}"), site_config(), actor, Clock())
        with pytest.raises(StorageUnavailable) as refused:
            invoke(BY_NAME["resolve"], ctx, {"code": "workaround", "notes": "rebooted"}, key=keys["wifi"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "\n" not in str(refused.value) and "nothing was saved" in str(refused.value)
    assert dump(path) == before
