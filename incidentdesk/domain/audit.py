"""The audit chains: each record seals its own fields and its predecessor's hash.

Two chains use this: every incident's timeline, and the directory trail (changes to people,
roles, groups, categories and services; one chain for the whole database). Any edited,
inserted or deleted record breaks its chain; the incident row keeps the last hash so that
removing the newest event is caught too. Replaying a chain gives the state it records, which
must equal the rows (see replay_incident / replay_directory): that catches a row edited
without an event. What a chain cannot show on its own — a history rewritten with recomputed
hashes, or whole records removed from its end — is caught against a signed checkpoint kept
outside the database (domain/checkpoint.py).
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


def sealed_directory_fields(*, seq: int, at: datetime, actor: str, real_actor: str, kind: str,
                            subject_type: str, subject: str, before: Mapping[str, object] | None,
                            after: Mapping[str, object] | None) -> dict:
    """The fields a directory-trail record's hash covers (the stored row and the append share this)."""
    return {"seq": seq, "at": at, "actor": actor, "real_actor": real_actor, "kind": kind,
            "subject_type": subject_type, "subject": subject, "before": before, "after": after}


def chained_directory_record(prev_hash: str | None, *, seq: int, at: datetime, actor: str, real_actor: str,
                             kind: str, subject_type: str, subject: str, before: Mapping[str, object] | None = None,
                             after: Mapping[str, object] | None = None) -> dict:
    """The column values of a new directory-trail record following `prev_hash`, with its hash sealed."""
    prev = prev_hash or GENESIS
    sealed = sealed_directory_fields(seq=seq, at=at, actor=actor, real_actor=real_actor, kind=str(kind),
                                     subject_type=subject_type, subject=subject,
                                     before=jsonable(before), after=jsonable(after))
    return {**sealed, "prev_hash": prev, "hash": event_hash(prev, sealed)}


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
    """One finding of `audit verify`: where (an incident key, or "directory trail"), and what."""

    incident_key: str
    seq: int | None
    problem: str
    scope: str = "timeline"  # said when there is no event number; "" for none

    def __str__(self) -> str:
        where = f" event #{self.seq}" if self.seq is not None else (f" {self.scope}" if self.scope else "")
        return f"{self.incident_key}{where}: {self.problem}"


def verify_chain(incident_key: str, events: Iterable[tuple[int, str, str, Mapping[str, object]]],
                 last_hash: str | None, event_count: int | None, *, scope: str = "timeline") -> list[ChainProblem]:
    """Check one chain's records, given as (seq, prev_hash, hash, sealed fields) in seq order.

    `last_hash` and `event_count` are what the owner row recorded (None: nothing recorded).
    """
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
        problems.append(ChainProblem(incident_key, None, f"has {seen} events but the incident recorded {event_count} (event deleted?)", scope))
    if last_hash is not None and seen and expected_prev != last_hash:
        problems.append(ChainProblem(incident_key, None, "newest event is not the one the incident recorded (event deleted?)", scope))
    return problems


# --- replay: the state a chain records, to compare with the row ---------------------------

# The incident fields the timeline records, by the key events use in `after`. `priority` is
# recorded as "P2"; the row's integer is compared in that form.
REPLAYED_FIELDS = ("type", "title", "status", "priority", "impact", "urgency", "severity", "assignee", "group",
                   "is_major", "commander", "reopen_count")


def replay_incident(events: Iterable[Mapping[str, object]]) -> dict:
    """The state an incident's events (sealed fields, in seq order) say it is in now.

    `created` gives the starting point (status new, not major, never reopened, its title as the
    event's text); every later event's `after` carries the fields it changed. Two kinds need
    their meaning: a functional escalation moves the incident to its group and clears the
    assignee (a hierarchical one names a group but moves nothing).
    """
    state: dict = {}
    for fields in events:
        kind = fields.get("kind")
        after = fields.get("after") or {}
        if kind == "created":
            state.update(status="new", is_major=False, commander=None, reopen_count=0, title=fields.get("text"))
        if kind == "escalated":
            if after.get("kind") == "functional":
                state.update(group=after.get("group"), assignee=None)
            continue
        for name in REPLAYED_FIELDS:
            if name in after and name != "title":
                state[name] = after[name]
    return state


def compare_replay(incident_key: str, row: Mapping[str, object], replayed: Mapping[str, object]) -> list[ChainProblem]:
    """The fields where the incident row differs from what its timeline replays to."""
    problems = []
    for name in REPLAYED_FIELDS:
        if name not in replayed:
            continue
        stored, recorded = row.get(name), replayed[name]
        if name == "priority" and isinstance(stored, int):
            stored = f"P{stored}"
        if stored != recorded:
            problems.append(ChainProblem(
                incident_key, None,
                f"{name} is {stored!r} but its timeline says {recorded!r} (the row was changed without an event)", "row"))
    return problems


def replay_directory(records: Iterable[Mapping[str, object]]) -> dict[tuple[str, str], dict | None]:
    """The state the directory trail says each subject — (subject_type, subject) — is in now.

    Every record's `after` is the subject's whole state after the change, so the newest wins; an
    `after` of None means the subject no longer exists under that name.
    A `baseline` record for subject_type "incident_numbers" is not a subject (see missing_numbers).
    """
    state: dict[tuple[str, str], dict | None] = {}
    for fields in records:
        if fields.get("subject_type") == NUMBERS_SUBJECT:
            continue
        subject = (str(fields.get("subject_type")), str(fields.get("subject")))
        if fields.get("after") is None:  # gone under this name (a renamed category: services/categories.py)
            state.pop(subject, None)
        else:
            state[subject] = fields.get("after")
    return state


NUMBERS_SUBJECT = "incident_numbers"


def excused_numbers(records: Iterable[Mapping[str, object]]) -> set[int]:
    """Incident numbers already missing when the trail began (recorded, sealed, by the schema upgrade)."""
    excused: set[int] = set()
    for fields in records:
        if fields.get("subject_type") == NUMBERS_SUBJECT:
            excused.update(int(n) for n in (fields.get("after") or {}).get("missing", ()))
    return excused
