"""The delivery worker against a real local webhook and a real SMTP server, on both backends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select

from incidentdesk.domain.enums import Role
from incidentdesk.notify import channels
from incidentdesk.notify.delivery import Deliverer, run_loop, utc_now
from incidentdesk.services import incidents as svc
from incidentdesk.services import outbox
from incidentdesk.store.models import OutboxMessage
from tests.support.notify import new_incident, notify_config, wait_for


def _rows(db):
    with db.read() as s:
        return s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _deliver_until_settled(db, settings, timeout=10.0):
    """Run a worker (real clock) until no row is pending or sending."""
    worker = Deliverer(db, settings)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker.deliver_due()
        if all(r.state in ("sent", "failed") for r in _rows(db)):
            return
        time.sleep(0.02)
    raise AssertionError(f"not settled: {[(r.id, r.state) for r in _rows(db)]}")


@pytest.fixture
def setup(db, make_ctx, webhook, monkeypatch):
    monkeypatch.setenv("TEST_OPS_URL", webhook.url)
    config = notify_config(rules=[{"on": ["created", "comment"], "to": "ops"}])
    ctx = make_ctx("cap", Role.TRIAGE_CAPTAIN, config_override=config)
    ctx.clock = utc_now  # real time: the worker's backoff and leases run on it
    return ctx, config.notify


def test_fails_twice_then_succeeds_three_attempts_one_delivery_same_key(db, setup, webhook):
    ctx, settings = setup
    webhook.script = [500, 503]
    key = new_incident(ctx, title="Checkout [red]down[/]")
    _deliver_until_settled(db, settings)
    (row,) = _rows(db)
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, None)
    assert len(webhook.hits) == 3 and len(webhook.delivered) == 1
    assert webhook.keys() == [row.idempotency_key] * 3
    body = webhook.delivered[0].body
    assert body["idempotency_key"] == row.idempotency_key
    assert body["title"].startswith(f"{key} P1 new P1: Checkout [red]down[/]")
    assert "hook-s3cret-token" not in str(row.last_error)


def test_never_succeeds_parked_failed_after_n_with_last_error_then_retried(db, setup, webhook):
    ctx, settings = setup
    webhook.default = 500
    new_incident(ctx)
    _deliver_until_settled(db, settings)
    (row,) = _rows(db)
    assert (row.state, row.attempts) == ("failed", settings.max_attempts)
    assert len(webhook.hits) == settings.max_attempts
    assert "not delivered" in row.last_error and "500" in row.last_error
    assert "hook-s3cret-token" not in row.last_error and webhook.url not in row.last_error
    webhook.default = 200
    outbox.retry(ctx, message_id=row.id)
    _deliver_until_settled(db, settings)
    (row,) = _rows(db)
    assert row.state == "sent" and len(webhook.delivered) == 1


def test_hang_past_the_timeout_is_an_attempt_and_retried(db, setup, webhook):
    ctx, settings = setup
    webhook.script = ["hang"]
    new_incident(ctx)
    started = time.monotonic()
    report = Deliverer(db, settings).deliver_due()
    assert time.monotonic() - started < settings.timeout_seconds + 2
    assert report.retried and not report.sent
    (row,) = _rows(db)
    assert row.state == "pending" and row.attempts == 1 and row.last_error
    _deliver_until_settled(db, settings)
    assert _rows(db)[0].state == "sent"
    assert webhook.keys()[0] == webhook.keys()[-1]


def test_four_workers_deliver_each_message_once(db, setup, webhook):
    ctx, settings = setup
    keys = [new_incident(ctx, title=f"t{i}") for i in range(6)]
    for key in keys:
        for n in range(3):
            svc.comment(ctx, key, text=f"note {n}")
    total = len(_rows(db))
    assert total == 24
    stop = threading.Event()
    thread = threading.Thread(target=run_loop, kwargs={"db": db, "settings": settings, "workers": 4, "stop": stop,
                                                        "interval": 0.02}, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: all(r.state == "sent" for r in _rows(db)), timeout=20)
    finally:
        stop.set()
        thread.join(5)
    assert len(webhook.hits) == total
    assert sorted(webhook.keys()) == sorted(r.idempotency_key for r in _rows(db))
    assert all(r.attempts == 1 for r in _rows(db))


def test_killed_worker_mid_send_is_sent_again_after_the_lease(db, setup, webhook, tmp_path):
    """A worker process is SIGKILLed while the server holds its request: the row stays `sending`
    until its lease runs out, then a second worker sends it again (same key); it is never lost."""
    ctx, settings = setup
    webhook.script = ["hold"]
    new_incident(ctx)
    config = tmp_path / "incidentdesk.toml"
    config.write_text(
        '[notify]\ntimeout_seconds = 20\nlease_seconds = 21\nbackoff_base_seconds = 0.05\n'
        '[[notify.channel]]\nname = "ops"\nurl_env = "TEST_OPS_URL"\n'
        '[[notify.rule]]\non = ["created"]\nto = "ops"\n')
    env = {**os.environ, "TEST_OPS_URL": webhook.url}
    proc = subprocess.Popen([sys.executable, "-m", "incidentdesk", "--db", db.url, "--config", str(config), "notify"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: len(webhook.hits) == 1, timeout=20), proc.stderr.read1() if proc.poll() else "no hit"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    (row,) = _rows(db)
    assert row.state == "sending" and row.attempts == 1 and webhook.delivered == []
    from datetime import timedelta

    now = row.claimed_until - timedelta(seconds=1)  # still leased: nobody else takes it
    early = Deliverer(db, settings, clock=lambda: now)
    assert early.deliver_due().handled == 0
    later = row.claimed_until + timedelta(seconds=0.1)
    late = Deliverer(db, settings, clock=lambda: later)
    assert late.deliver_due().sent == [row.id]
    (row,) = _rows(db)
    assert row.state == "sent" and row.attempts == 2
    assert len(webhook.delivered) == 1 and webhook.keys() == [row.idempotency_key] * 2


def test_email_through_smtp_with_message_id_from_the_key(db, make_ctx, smtp_server, monkeypatch):
    monkeypatch.setenv("TEST_MAIL_URL", f"mailto://127.0.0.1:{smtp_server.port}?from=desk@example.com&mode=insecure")
    config = notify_config(channels={"mail": "TEST_MAIL_URL"}, addresses={"bob": "bob@example.com"},
                           rules=[{"on": ["assigned"], "to": "assignee", "via": "mail"}])
    make_ctx("bob", Role.RESPONDER, config_override=config)
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, config_override=config)
    key = new_incident(cap)
    svc.assign(cap, key, user="bob")
    report = Deliverer(db, config.notify).deliver_due()
    (row,) = _rows(db)
    assert report.sent == [row.id], report
    (rcpts, message), = smtp_server.messages
    assert rcpts == ["bob@example.com"]
    assert message["Message-ID"] == f"<{row.idempotency_key}@incidentdesk>"
    assert message["X-Idempotency-Key"] == row.idempotency_key
    assert key in str(message["Subject"])


def test_url_file_must_be_private_and_errors_never_show_the_url(tmp_path):
    from incidentdesk.domain.notify_rules import Channel

    path = tmp_path / "hook.url"
    path.write_text("json://127.0.0.1:9/x?token=very-secret-token\n")
    path.chmod(0o644)
    channel = Channel("ops", url_file=str(path))
    with pytest.raises(channels.ChannelError, match="chmod 600"):
        channels.resolve_url(channel)
    path.chmod(0o600)
    assert channels.describe(channel) == "ops (json)"
    with pytest.raises(channels.ChannelError) as caught:
        channels.send(channels.resolve_url(channel), title="t", body="b", idempotency_key="k", timeout=0.5, name="ops")
    assert "very-secret-token" not in str(caught.value) and "ops" in str(caught.value)
    with pytest.raises(channels.ChannelError, match="TEST_UNSET_VAR"):
        channels.resolve_url(Channel("x", url_env="TEST_UNSET_VAR"))
    with pytest.raises(channels.ChannelError, match="not one apprise can use"):
        channels.send("nosuchscheme://secret@host/x", title="t", body="b", idempotency_key="k", name="x")


def test_a_database_that_went_away_is_reported_and_retried_not_a_crash():
    from incidentdesk.domain.errors import StorageUnavailable
    from incidentdesk.store.engine import open_database

    gone = open_database("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")  # nothing listens on port 1
    settings = notify_config(rules=[{"on": ["created"], "to": "ops"}]).notify
    reports = []
    stop = threading.Event()
    thread = threading.Thread(target=run_loop, kwargs={"db": gone, "settings": settings, "stop": stop,
                                                        "interval": 0.05, "report": reports.append}, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: len(reports) >= 2, timeout=30)  # it keeps trying
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(10)
    assert all(isinstance(r, StorageUnavailable) for r in reports)
    assert "unreachable" in str(reports[0]) and "\n" not in str(reports[0])


def test_two_worker_processes_deliver_each_message_once(db, setup, webhook, tmp_path):
    ctx, settings = setup
    for i in range(5):
        key = new_incident(ctx, title=f"p{i}")
        for n in range(3):
            svc.comment(ctx, key, f"note {n}")
    total = len(_rows(db))
    config = tmp_path / "incidentdesk.toml"
    config.write_text('[notify]\npoll_seconds = 0.05\n[[notify.channel]]\nname = "ops"\nurl_env = "TEST_OPS_URL"\n'
                      '[[notify.rule]]\non = ["created"]\nto = "ops"\n')
    env = {**os.environ, "TEST_OPS_URL": webhook.url}
    procs = [subprocess.Popen([sys.executable, "-m", "incidentdesk", "--db", db.url, "--config", str(config), "notify",
                               "--loop", "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(2)]
    try:
        assert wait_for(lambda: all(r.state == "sent" for r in _rows(db)), timeout=60)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert len(webhook.hits) == total == 20
    assert sorted(webhook.keys()) == sorted(r.idempotency_key for r in _rows(db))
    assert all(r.attempts == 1 for r in _rows(db))
