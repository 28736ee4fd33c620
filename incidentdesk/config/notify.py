"""`[notify]`: notification channels (by name), the rules that say what goes where, retries.

A channel's URL holds secrets, so it is never in this file: `url_env` names an environment
variable, `url_file` a file only its owner may read; both are read by the delivery worker when
it sends (notify/channels.py), in its own environment. The meaning of the rules (event names,
channel names, people) is checked by domain/notify_rules.parse_notify, the one parser of this
table, so an unknown event or channel is refused here with the nearest name.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from incidentdesk.config.base import Section, bad, doc, non_empty
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.notify_names import EVENT_NAMES, PEOPLE


class NotifyChannel(Section):
    """`[[notify.channel]]`: a named place to send to (Slack, Teams, e-mail, a JSON webhook...)."""

    name: Annotated[str, doc("what rules and screens call it")]
    url_env: Annotated[str | None, doc("the environment variable holding its apprise URL")] = None
    url_file: Annotated[str | None, doc("a file (mode 0600) holding its apprise URL")] = None

    def __post_init__(self) -> None:
        for key in ("name", "url_env", "url_file"):
            non_empty(self, key)


class NotifyRule(Section):
    """`[[notify.rule]]`: these events (optionally of these priorities / groups) go to these channels."""

    on: Annotated[str | list[str], doc(" | ".join(EVENT_NAMES))]
    to: Annotated[str | list[str], doc("channel names, or " + " | ".join(PEOPLE))]
    priority: Annotated[int | str | list[int | str] | None, doc("only these priorities (1-4 or \"P1\"...)")] = None
    group: Annotated[str | list[str] | None, doc("only incidents of these groups")] = None
    via: Annotated[str | None, doc("the e-mail channel people's addresses are reached through")] = None


class Notify(Section):
    max_attempts: Annotated[int, msgspec.Meta(ge=1, le=100), doc("tries before a notification is parked as failed")] = 5
    backoff_base_seconds: Annotated[float, msgspec.Meta(gt=0), doc(
        "first retry after this; doubling (±25% jitter)")] = 30.0
    backoff_max_seconds: Annotated[float, msgspec.Meta(gt=0), doc("longest wait between tries")] = 3600.0
    timeout_seconds: Annotated[float, msgspec.Meta(ge=0.1, le=600), doc("one send; longer is a failed try")] = 10.0
    lease_seconds: Annotated[Annotated[float, msgspec.Meta(ge=1)] | None, doc(
        "a worker's claim on a notification (default: 60, or twice the timeout)")] = None
    poll_seconds: Annotated[float, msgspec.Meta(ge=0.05, le=3600), doc("an idle worker looks again after")] = 2.0
    workers: Annotated[int, msgspec.Meta(ge=1, le=32), doc("delivery threads in receive and notify --loop")] = 1
    keep_sent_days: Annotated[float, msgspec.Meta(ge=0, le=3650), doc(
        "sent notifications are deleted after this many days (0: kept forever); failed ones stay")] = 30.0
    channel: Annotated[list[NotifyChannel], doc("[[notify.channel]], one per channel")] = []
    rule: Annotated[list[NotifyRule], doc("[[notify.rule]], every matching rule sends")] = []
    addresses: Annotated[dict[str, str], doc("login or group name -> e-mail address")] = {}

    def __post_init__(self) -> None:
        if self.backoff_max_seconds < self.backoff_base_seconds:
            raise bad("backoff_max_seconds", self.backoff_max_seconds, "use at least backoff_base_seconds")
        if _all_defaults(self):  # valid as shipped; the parser is imported only for a site that sets [notify]
            return
        from incidentdesk.domain.notify_rules import parse_notify

        try:
            parse_notify(_table(self))
        except ValidationError as exc:
            raise ValueError(str(exc).removeprefix("[notify] ").removesuffix("; fix incidentdesk.toml and retry")) \
                from None


def _all_defaults(section: Notify) -> bool:
    for f in msgspec.structs.fields(section):
        default = f.default if f.default is not msgspec.NODEFAULT else f.default_factory()
        if getattr(section, f.name) != default:
            return False
    return True


def _table(section: Notify) -> dict:
    """The section as the plain table domain/notify_rules.parse_notify reads (None left out)."""
    table = msgspec.to_builtins(section)

    def drop_none(value):
        if isinstance(value, dict):
            return {k: drop_none(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [drop_none(v) for v in value]
        return value

    return drop_none(table)
