"""The timeline's hash chain: each event seals its own fields and its predecessor's hash.

Any edited, inserted or deleted event breaks the chain; the incident row keeps the last
hash so that removing the newest event is caught too.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64


# Built once: json.dumps with options builds a new encoder per call, a third of the cost
# of hashing one event. sort_keys orders every level, so field order never matters.
_ENCODER = json.JSONEncoder(sort_keys=True, default=str, separators=(",", ":"))
# The last datetime rendered, by identity (datetimes are immutable): a bulk writer seals many
# events with the same `at` object, and isoformat() is the dearest step after the JSON.
_LAST_INSTANT: tuple[object, str] = (None, "")


def _canonical(value):
    global _LAST_INSTANT
    if isinstance(value, datetime):
        last = _LAST_INSTANT
        if last[0] is value:
            return last[1]
        text = value.isoformat(timespec="microseconds")
        _LAST_INSTANT = (value, text)
        return text
    return value


def event_hash(prev_hash: str, fields: Mapping[str, object]) -> str:
    body = _ENCODER.encode({k: _canonical(v) for k, v in fields.items()})
    return hashlib.sha256((prev_hash + "|" + body).encode("utf-8")).hexdigest()


def jsonable(values: Mapping[str, object] | None) -> dict | None:
    """An event's before/after as stored (JSON): datetimes become ISO strings.

    The hash is computed on this form, so that the row read back seals to the same hash.
    """
    if values is None:
        return None
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def sealed_fields(*, seq: int, at: datetime, actor: str, real_actor: str, kind: str,
                  before: Mapping[str, object] | None, after: Mapping[str, object] | None,
                  text: str) -> dict:
    """The fields an event's hash covers (everything but ids and the hashes themselves).

    The one definition shared by the stored row (TimelineEvent.sealed_fields), the single
    append (services.timeline) and the sweeper's bulk append, so they cannot drift apart.
    """
    return {"seq": seq, "at": at, "actor": actor, "real_actor": real_actor, "kind": kind,
            "before": before, "after": after, "text": text}


def chained_event(prev_hash: str | None, *, seq: int, at: datetime, actor: str, real_actor: str, kind: str,
                  text: str = "", before: Mapping[str, object] | None = None,
                  after: Mapping[str, object] | None = None) -> dict:
    """The column values of a new timeline event following `prev_hash`, with its hash sealed."""
    prev = prev_hash or GENESIS
    sealed = sealed_fields(seq=seq, at=at, actor=actor, real_actor=real_actor, kind=str(kind),
                           before=jsonable(before), after=jsonable(after), text=text or "")
    return {**sealed, "prev_hash": prev, "hash": event_hash(prev, sealed)}


@dataclass(frozen=True)
class ChainProblem:
    incident_key: str
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event #{self.seq}" if self.seq is not None else "timeline"
        return f"{self.incident_key} {where}: {self.problem}"


def verify_chain(incident_key: str, events: Iterable[tuple[int, str, str, Mapping[str, object]]],
                 last_hash: str | None, event_count: int | None) -> list[ChainProblem]:
    """Check one incident's events, given as (seq, prev_hash, hash, sealed fields) in seq order."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    expected_seq = 1
    seen = 0
    for seq, prev_hash, stored_hash, fields in events:
        seen += 1
        if seq != expected_seq:
            problems.append(ChainProblem(incident_key, seq, f"sequence jumps from {expected_seq - 1} to {seq} (event deleted?)"))
        if prev_hash != expected_prev:
            problems.append(ChainProblem(incident_key, seq, "does not follow its predecessor (event deleted or inserted?)"))
        if event_hash(prev_hash, fields) != stored_hash:
            problems.append(ChainProblem(incident_key, seq, "content does not match its hash (event edited)"))
        expected_prev = stored_hash
        expected_seq = seq + 1
    if event_count is not None and seen != event_count:
        problems.append(ChainProblem(incident_key, None, f"has {seen} events but the incident recorded {event_count} (event deleted?)"))
    if last_hash is not None and seen and expected_prev != last_hash:
        problems.append(ChainProblem(incident_key, None, "newest event is not the one the incident recorded (event deleted?)"))
    return problems
