"""Alerts into incidents: one transaction per batch, its receipt, and who may write when.

A batch (one webhook, one Events API v2 event, one file) is applied whole or not at all
(services/alert_batch.py says what it does), and its receipt is written in the same transaction:
the sender gets its 2xx only after the commit.

Retries and repeats look the same — byte for byte — and must not be treated the same. A sender
*retries* a delivery whose answer it did not hear, within seconds; it *repeats* one to say the
alert still fires (Alertmanager's repeat_interval, a PagerDuty client re-triggering). So a
stored receipt is honoured only within a short window (retry_window_seconds, default 30 s) and
only while the delivery could change nothing: then it is answered from the receipt, not counted
again, and still moves last-seen. Later, or when it contradicts the current state (a trigger
after a resolve), the same bytes are applied as new: counted, reopening or raising an incident.

Concurrency: on SQLite writers queue on the write lock (and, within one receiver process, on a
lock of ours so they do not spin in SQLite's busy handler); on PostgreSQL each batch first takes
transaction-scoped advisory locks on its incident keys and fingerprints, in sorted order, so two
batches about the same alerts apply one after the other and never both create the incident.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from incidentdesk.domain import routing
from incidentdesk.domain.alerts import AlertBatch
from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import StorageUnavailable
from incidentdesk.domain.roles import Actor
from incidentdesk.services.alert_batch import BatchApplier
from incidentdesk.services.context import ServiceContext
from incidentdesk.store.models import AlertReceipt

MONITORING_LOGIN = "monitoring"


@dataclass(frozen=True)
class AlertPolicy:
    """How alerts become incidents; built from `[ingest]` in incidentdesk.toml (see ingest/settings.py)."""

    rules: tuple[routing.Route, ...] = ()
    severity_table: dict = field(default_factory=lambda: dict(routing.DEFAULT_SEVERITY_TABLE))
    mapping: routing.LabelMapping = routing.LabelMapping()
    default_group: str | None = None
    auto_resolve: bool = True  # False: only note in the timeline that every alert resolved
    raise_priority: bool = True  # False: a more severe alert joining is only noted in the timeline
    burst_gap: timedelta = timedelta(minutes=5)  # repeats closer than this are one burst: one timeline line
    receipt_window: timedelta = timedelta(seconds=30)  # how long a delivery sent again is taken for a retry


def monitoring_actor(real_login: str, login: str = MONITORING_LOGIN) -> Actor:
    """Alert-made changes are by "monitoring"; the real actor is the OS login running the receiver."""
    return Actor(login=login, role=Role.RESPONDER, real_login=real_login, known=False)


_sqlite_locks: dict[str, threading.Lock] = {}
_sqlite_locks_guard = threading.Lock()
_batches_applied = 0
PRUNE_EVERY = 500


def _process_lock(ctx: ServiceContext) -> threading.Lock | None:
    if ctx.db.backend != "sqlite":
        return None
    with _sqlite_locks_guard:
        return _sqlite_locks.setdefault(ctx.db.url, threading.Lock())


def apply_batch(ctx: ServiceContext, batch: AlertBatch, policy: AlertPolicy, *, digest: str | None = None) -> dict:
    """Apply one batch in one transaction; returns the outcome (also stored as the receipt's answer).

    The outcome has `replayed: true` when this digest was already applied within the receipt window
    and applying it again could change nothing (see the module docstring).
    """
    lock = _process_lock(ctx)
    attempts = 3
    for attempt in range(attempts):
        try:
            if lock is None:
                return _apply_once(ctx, batch, policy, digest)
            with lock:
                return _apply_once(ctx, batch, policy, digest)
        except IntegrityError:
            # Two receivers (or a non-locking writer) raced on the same receipt or key: the loser
            # retries and then finds the winner's work.
            if attempt == attempts - 1:
                raise StorageUnavailable("the alert could not be stored (conflicting writers); retry") from None
        except StorageUnavailable as exc:
            if "deadlock" not in str(exc) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _apply_once(ctx: ServiceContext, batch: AlertBatch, policy: AlertPolicy, digest: str | None) -> dict:
    global _batches_applied
    with ctx.db.write() as s:
        now = ctx.now()
        if s.get_bind().dialect.name == "postgresql":
            _advisory_locks(s, batch, digest)
        applier = BatchApplier(ctx, s, policy, now, batch)
        applier.load()
        if digest is not None:
            receipt = s.scalar(select(AlertReceipt).where(AlertReceipt.digest == digest))
            if receipt is not None:
                if receipt.received_at >= now - policy.receipt_window and applier.is_retry():
                    applier.touch_last_seen()
                    return {**receipt.response, "replayed": True}
                s.delete(receipt)  # expired, or the same bytes now mean something new
                s.flush()
        outcome = applier.run()
        if digest is not None:
            s.add(AlertReceipt(digest=digest, source=batch.source, received_at=now, response=outcome))
            _batches_applied += 1
            if _batches_applied % PRUNE_EVERY == 0:
                s.execute(delete(AlertReceipt).where(AlertReceipt.received_at < now - policy.receipt_window))
        return {**outcome, "replayed": False}


def _advisory_locks(s: Session, batch: AlertBatch, digest: str | None) -> None:
    keys = {f"c:{a.correlation_key}" for a in batch.alerts} | {f"f:{batch.source}:{a.fingerprint}" for a in batch.alerts}
    if digest:
        keys.add(f"r:{digest}")
    ids = sorted({zlib.crc32(k.encode("utf-8")) for k in keys})
    s.execute(text("SELECT pg_advisory_xact_lock(2026, k) FROM unnest(CAST(:ids AS integer[])) AS k ORDER BY k"),
              {"ids": [i - 2**31 for i in ids]})
