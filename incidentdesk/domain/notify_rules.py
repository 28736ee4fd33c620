"""Which notifications a timeline event causes: the `[notify]` settings, rule matching, rendering.

Pure (no I/O): services/outbox.py asks `destinations()` for every event appended, inside the
transaction of the change, and writes one outbox row per answer. Matching is a dict lookup by
event name first, so an event no rule names costs nothing more (the benchmark checks it).

A channel is named here, never located: its URL (which holds secrets) is read by the delivery
worker from an environment variable or an owner-only file (notify/channels.py), so neither the
config nor an outbox row nor any screen ever holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.notify_names import EVENT_NAMES, LOOKED_UP, PEOPLE

STATES = ("pending", "sending", "sent", "failed")

_TOP_KEYS = {"channel", "rule", "addresses", "max_attempts", "backoff_base_seconds", "backoff_max_seconds",
             "timeout_seconds", "lease_seconds", "poll_seconds", "workers", "keep_sent_days"}
_CHANNEL_KEYS = {"name", "url_env", "url_file"}
_RULE_KEYS = {"on", "priority", "group", "to", "via"}


@dataclass(frozen=True)
class Channel:
    name: str
    url_env: str | None = None
    url_file: str | None = None


@dataclass(frozen=True)
class Rule:
    on: frozenset[str]
    to: tuple[str, ...]                        # channel names, or PEOPLE entries
    priorities: frozenset[int] | None = None   # None: any priority
    groups: frozenset[str] | None = None       # None: any group
    via: str | None = None                     # the (e-mail) channel people's addresses are reached through


@dataclass(frozen=True)
class NotifySettings:
    channels: dict[str, Channel] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    addresses: dict[str, str] = field(default_factory=dict)  # login or group name -> address
    max_attempts: int = 5
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    timeout_seconds: float = 10.0
    lease_seconds: float = 60.0
    poll_seconds: float = 2.0
    workers: int = 1
    keep_sent_days: float = 30.0  # sent rows older than this are deleted (0: kept forever)
    by_event: dict[str, tuple[Rule, ...]] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class Fact:
    """What a rule looks at in one event (gathered by services/outbox.py)."""

    event: str                   # one of EVENT_NAMES
    key: str
    title: str
    priority: int
    group: str | None
    assignee: str | None
    reporter: str | None
    commander: str | None
    actor: str
    text: str
    oncall: str | None = None    # filled in only when a rule names it (LOOKED_UP)
    manager: str | None = None


def wanted_people(settings: NotifySettings, event: str) -> set[str]:
    """Which LOOKED_UP people a rule for `event` names (so nothing is read when none does)."""
    return {t for rule in settings.by_event.get(event, ()) for t in rule.to if t in LOOKED_UP}


@dataclass(frozen=True)
class Destination:
    channel: str
    recipient: str | None = None   # an address (e-mail) for people; None: the channel's own target


def _fail(message: str, field_: str = "notify") -> ValidationError:
    return ValidationError(f"[notify] {message}; fix incidentdesk.toml and retry", field=field_)


def _nearest(name: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_keys(table: dict, allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise _fail(f"{where + ' ' if where else ''}has an unknown setting {key!r}{_nearest(str(key), allowed)}")


def _names(value, where: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple) or not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise _fail(f"{where} must be a name or a list of names")
    return tuple(v.strip() for v in values)


def _number(table: dict, key: str, default: float, low: float, high: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _fail(f"{key} must be a number from {low:g} to {high:g}, not {value!r}", key)
    return float(value)


def parse_notify(table: dict | None) -> NotifySettings:
    """The `[notify]` table, checked: unknown settings, events and channels are errors naming the nearest."""
    table = table or {}
    if not isinstance(table, dict):
        raise _fail("must be a table")
    _unknown_keys(table, _TOP_KEYS, "")
    channels: dict[str, Channel] = {}
    for raw in _list_of_tables(table.get("channel", []), "[[notify.channel]]"):
        _unknown_keys(raw, _CHANNEL_KEYS, "[[notify.channel]]")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _fail("every [[notify.channel]] needs a name")
        if name in channels:
            raise _fail(f"channel {name!r} is declared twice")
        env, path = raw.get("url_env"), raw.get("url_file")
        if (env is None) == (path is None):
            raise _fail(f"channel {name!r} needs exactly one of url_env (an environment variable's name) or "
                        "url_file (a file only its owner can read)")
        if not isinstance(env or path, str) or not (env or path).strip():
            raise _fail(f"channel {name!r}: url_env / url_file must be a non-empty string")
        channels[name] = Channel(name, env, path)
    rules = []
    for raw in _list_of_tables(table.get("rule", []), "[[notify.rule]]"):
        rules.append(_rule(raw, channels))
    addresses = table.get("addresses", {})
    if not isinstance(addresses, dict) or not all(isinstance(v, str) and v.strip() for v in addresses.values()):
        raise _fail("[notify.addresses] must map logins and group names to addresses (text)")
    max_attempts = _number(table, "max_attempts", 5, 1, 100)
    if max_attempts != int(max_attempts):
        raise _fail("max_attempts must be a whole number", "max_attempts")
    by_event: dict[str, list[Rule]] = {}
    for rule in rules:
        for name in rule.on:
            by_event.setdefault(name, []).append(rule)
    base = _number(table, "backoff_base_seconds", 30, 0.001, 86400)
    timeout = _number(table, "timeout_seconds", 10, 0.1, 600)
    lease = _number(table, "lease_seconds", max(60.0, 2 * timeout), 1, 86400)
    if lease <= timeout:
        raise _fail(f"lease_seconds ({lease:g}) must be longer than timeout_seconds ({timeout:g}): a worker "
                    "must finish a send before its claim runs out", "lease_seconds")
    return NotifySettings(
        channels=channels, rules=tuple(rules), addresses={str(k): v.strip() for k, v in addresses.items()},
        max_attempts=int(max_attempts), backoff_base_seconds=base,
        backoff_max_seconds=_number(table, "backoff_max_seconds", max(3600.0, base), base, 7 * 86400),
        timeout_seconds=timeout, lease_seconds=lease,
        poll_seconds=_number(table, "poll_seconds", 2, 0.05, 3600),
        workers=int(_number(table, "workers", 1, 1, 32)),
        keep_sent_days=_number(table, "keep_sent_days", 30, 0, 3650),
        by_event={name: tuple(found) for name, found in by_event.items()})


def _list_of_tables(value, where: str) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _fail(f"{where} must be an array of tables ({where} blocks)")
    return value


def _rule(raw: dict, channels: dict[str, Channel]) -> Rule:
    _unknown_keys(raw, _RULE_KEYS, "[[notify.rule]]")
    if "on" not in raw or "to" not in raw:
        raise _fail("every [[notify.rule]] needs `on` (event names) and `to` (channel names)")
    on = _names(raw["on"], "a rule's `on`")
    for name in on:
        if name not in EVENT_NAMES:
            raise _fail(f"a rule names the unknown event {name!r}{_nearest(name, EVENT_NAMES)}; events are: "
                        + ", ".join(EVENT_NAMES), "on")
    to = _names(raw["to"], "a rule's `to`")
    via = raw.get("via")
    for name in to:
        if name not in channels and name not in PEOPLE:
            raise _fail(f"a rule sends to {name!r}, which is no [[notify.channel]] name nor one of "
                        f"{', '.join(PEOPLE)}{_nearest(name, [*channels, *PEOPLE])}", "to")
        if name in PEOPLE and via is None:
            raise _fail(f"a rule sending to {name!r} needs `via`: the e-mail channel people's addresses "
                        "([notify.addresses]) are reached through", "via")
    if via is not None and via not in channels:
        raise _fail(f"a rule's via {via!r} is no [[notify.channel]] name{_nearest(str(via), channels)}", "via")
    priorities = raw.get("priority")
    if priorities is not None:
        values = [priorities] if isinstance(priorities, int | str) else priorities
        try:
            parsed = frozenset(int(str(p).upper().removeprefix("P")) for p in values)
        except (TypeError, ValueError):
            raise _fail(f"a rule's priority must be numbers 1-4 (or \"P1\"...), not {priorities!r}", "priority") from None
        if not parsed or not parsed <= {1, 2, 3, 4}:
            raise _fail(f"a rule's priority must be 1 to 4, not {priorities!r}", "priority")
        priorities = parsed
    groups = raw.get("group")
    groups = frozenset(_names(groups, "a rule's `group`")) if groups is not None else None
    return Rule(on=frozenset(on), to=to, priorities=priorities, groups=groups, via=via)


def event_name(kind: str, after: dict | None) -> str | None:
    """The notify event a timeline event is: its kind, or for SLA events sla_at_risk / sla_breached."""
    if kind == "sla":
        state = (after or {}).get("state")
        return {"at_risk": "sla_at_risk", "breached": "sla_breached"}.get(state)
    return kind


def destinations(settings: NotifySettings, fact: Fact) -> list[Destination]:
    """Where `fact` goes: one Destination per (channel, recipient), each once, in rule order.

    A person rule (`to = "assignee"`...) with nobody in that place, or nobody with a known
    address, sends nothing (there is no one to tell); the actor is not told of their own change.
    """
    found: list[Destination] = []
    for rule in settings.by_event.get(fact.event, ()):
        if rule.priorities is not None and fact.priority not in rule.priorities:
            continue
        if rule.groups is not None and fact.group not in rule.groups:
            continue
        for target in rule.to:
            if target in PEOPLE:
                who = getattr(fact, target)
                if who is None or (target != "group" and who == fact.actor):
                    continue
                address = settings.addresses.get(who)
                if address is None:
                    continue
                dest = Destination(rule.via, address)
            else:
                dest = Destination(target)
            if dest not in found:
                found.append(dest)
    return found


_HEADLINES = {
    "created": "new P{priority}", "sla_at_risk": "SLA at risk", "sla_breached": "SLA breached",
    "major_declared": "major incident declared", "major_stood_down": "major incident stood down",
    "command_handed": "command handed over", "stakeholder_update": "stakeholder update",
}


def render(fact: Fact) -> tuple[str, str]:
    """Subject and body of a notification (plain text; every channel gets the same words)."""
    headline = _HEADLINES.get(fact.event, fact.event.replace("_", " ")).format(priority=fact.priority)
    subject = f"{fact.key} P{fact.priority} {headline}: {fact.title}"[:300]
    if fact.event == "stakeholder_update":
        return subject, fact.text
    lines = [f"{fact.key} (P{fact.priority}) {fact.title}", f"{headline} by {fact.actor}"]
    if fact.text and fact.text != fact.title:
        lines.append(fact.text)
    lines.append(f"assignee: {fact.assignee or '-'}, group: {fact.group or '-'}"
                 + (f", commander: {fact.commander}" if fact.commander else ""))
    return subject, "\n".join(lines)


def idempotency_key(event_hash: str, dest: Destination) -> str:
    """Stable per message: the event's (unique, chained) hash with where it goes, hashed."""
    import hashlib

    digest = hashlib.sha256(f"{event_hash}\0{dest.channel}\0{dest.recipient or ''}".encode()).hexdigest()
    return f"incidentdesk-{digest[:32]}"


def backoff_seconds(attempts: int, base: float, cap: float, rand=None) -> float:
    """Delay before the next try after `attempts` failed ones: base·2^(n-1), capped, with ±25% jitter
    (so workers that failed together do not all retry in the same instant)."""
    import random

    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return max(0.0, delay * (0.75 + 0.5 * (rand or random).random()))
