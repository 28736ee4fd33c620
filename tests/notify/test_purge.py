"""Sent notifications are purged after [notify] keep_sent_days; pending, sending and failed ones never are."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from incidentdesk.domain.enums import Role
from incidentdesk.services import outbox
from incidentdesk.store.models import OutboxMessage
from tests.support.notify import new_incident, notify_config


def _states(db) -> list[tuple[int, str]]:
    with db.read() as s:
        return [(r.id, r.state) for r in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def _set(db, row_id: int, **values) -> None:
    with db.write() as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))


def test_only_sent_rows_older_than_the_limit_go(db, make_ctx, clock):
    config = notify_config(rules=[{"on": ["created"], "to": "ops"}])
    ctx = make_ctx("ann", Role.TRIAGE_CAPTAIN, config_override=config)
    for n in range(5):
        new_incident(ctx, title=f"outage {n}")
    ids = [row_id for row_id, _ in _states(db)]
    now = clock()
    _set(db, ids[0], state="sent", sent_at=now - timedelta(days=31))   # old and sent: purged
    _set(db, ids[1], state="sent", sent_at=now - timedelta(days=29))   # sent, not old enough: kept
    _set(db, ids[2], state="failed")                                    # failed: kept for a person to retry
    _set(db, ids[3], state="sending")                                   # in flight: kept
    assert outbox.purge_sent(db, now, 30) == 1
    assert _states(db) == [(ids[1], "sent"), (ids[2], "failed"), (ids[3], "sending"), (ids[4], "pending")]
    assert outbox.purge_sent(db, now, 0) == 0  # 0 keeps everything
    assert len(_states(db)) == 4


def test_purge_in_batches_takes_them_all(db, make_ctx, clock):
    config = notify_config(rules=[{"on": ["created"], "to": "ops"}])
    ctx = make_ctx("ann", Role.TRIAGE_CAPTAIN, config_override=config)
    for n in range(7):
        new_incident(ctx, title=f"outage {n}")
    with db.write() as s:
        s.execute(update(OutboxMessage).values(state="sent", sent_at=clock() - timedelta(days=90)))
    from incidentdesk.store import outbox as outbox_store

    assert outbox_store.purge_sent(db, clock() - timedelta(days=30), batch=3) == 7
    assert _states(db) == []


def test_cli_purge_and_bad_value(staffed):
    staffed.set_config('[notify]\nkeep_sent_days = 0\n')
    code, out, _ = staffed("notify", "purge")
    assert code == 0 and "keep_sent_days = 0 keeps" in out
    code, out, _ = staffed("notify", "purge", "--older-than", "7", "--json")
    assert code == 0 and json.loads(out) == {"purged": 0, "older_than_days": 7.0}
    code, _, err = staffed("notify", "purge", "--older-than", "-1", ok=False)
    assert code == 1 and "--older-than must be 0 days or more" in err
    staffed.set_config('[notify]\nkeep_sent_days = -3\n')
    code, _, err = staffed("notify", "purge", ok=False)
    assert code == 2 and "keep_sent_days" in err


def test_the_delivery_loop_purges_when_it_starts(db, make_ctx, clock):
    import threading

    from incidentdesk.notify import delivery
    from tests.support.notify import wait_for

    config = notify_config(rules=[{"on": ["created"], "to": "ops"}], keep_sent_days=1)
    ctx = make_ctx("ann", Role.TRIAGE_CAPTAIN, config_override=config)
    new_incident(ctx)
    [(row_id, _)] = _states(db)
    _set(db, row_id, state="sent", sent_at=clock() - timedelta(days=400))
    stop = threading.Event()
    loop = threading.Thread(target=delivery.run_loop, kwargs={"db": db, "settings": config.notify, "stop": stop,
                                                              "interval": 0.05})
    loop.start()
    try:
        assert wait_for(lambda: _states(db) == [])
    finally:
        stop.set()
        loop.join(timeout=10)
