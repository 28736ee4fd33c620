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


def _canonical(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


def event_hash(prev_hash: str, fields: Mapping[str, object]) -> str:
    body = json.dumps({k: _canonical(v) for k, v in sorted(fields.items())}, sort_keys=True, default=str,
                      separators=(",", ":"))
    return hashlib.sha256((prev_hash + "|" + body).encode("utf-8")).hexdigest()


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
