"""A stakeholder update: the fields a good one always has, and the text people read in chat or mail.

What is impacted, who is impacted, the current status, the workaround (if any), when the next
update comes and where to follow. The rendered update is plain text that is also Markdown (bold
labels, one field a line), so it reads the same pasted into Slack, Teams, a mail or a wiki. The
timeline keeps the rendered text as the event's text and the fields in its `after` (to_fields;
the status as `current_status`, since an event's `status` is the incident's own),
so the next update is pre-filled from the previous one (prefill) and the log can be re-read.

`extra` lines (label, value) go after the standard fields: vendor tickets, for example, are
added there by the vendor feature, without changing the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.text import strip_control

FIELDS = ("impacted", "who", "status", "workaround", "next_update_at", "follow")
LABELS = {"impacted": "Impacted", "who": "Who is impacted", "status": "Current status",
          "workaround": "Workaround", "next_update_at": "Next update", "follow": "Follow"}
MAX_FIELD = 2000


@dataclass(frozen=True)
class StakeholderUpdate:
    impacted: str
    who: str
    status: str
    next_update_at: datetime
    workaround: str = ""
    follow: str = ""

    def to_fields(self) -> dict:
        """The update as the timeline event's `after` keeps it (JSON-safe).

        The status is `current_status`: an event's `status` is the incident's own (the audit replays it).
        """
        return {"impacted": self.impacted, "who": self.who, "current_status": self.status, "workaround": self.workaround,
                "next_update_at": self.next_update_at.astimezone(UTC).isoformat(), "follow": self.follow}


def _clean(value: str | None, name: str, *, required: bool = False) -> str:
    text = strip_control(value or "").strip()
    if required and not text:
        raise ValidationError(f"{LABELS[name].lower()} is required in a stakeholder update", field=name)
    if len(text) > MAX_FIELD:
        raise ValidationError(f"{LABELS[name].lower()} is {len(text)} characters; keep it under {MAX_FIELD}",
                              field=name)
    return text


def make_update(*, impacted: str | None, who: str | None, status: str | None, next_update_at: datetime,
                workaround: str | None = "", follow: str | None = "", now: datetime | None = None
                ) -> StakeholderUpdate:
    """A checked update: the three facts required, text cleaned, the next update in the future."""
    if next_update_at.tzinfo is None:
        raise ValidationError("the next update time needs a time zone", field="next_update")
    if now is not None and next_update_at <= now:
        raise ValidationError("the next update time has passed already: give a time after now (or leave it "
                              "empty for the cadence)", field="next_update")
    return StakeholderUpdate(impacted=_clean(impacted, "impacted", required=True), who=_clean(who, "who", required=True),
                             status=_clean(status, "status", required=True), next_update_at=next_update_at,
                             workaround=_clean(workaround, "workaround"), follow=_clean(follow, "follow"))


def _when(moment: datetime, zone: tzinfo | None) -> str:
    local = moment.astimezone(zone or UTC)
    name = local.tzname() or "UTC"
    return f"{local:%Y-%m-%d %H:%M} {name}"


def render(update: StakeholderUpdate, *, key: str, title: str, severity: str, number: int,
           posted_at: datetime, posted_by: str, zone: tzinfo | None = None,
           extra: Sequence[tuple[str, str]] = ()) -> str:
    """The update as people read it (plain text that is also Markdown)."""
    def line(label: str, value: str) -> str:
        return f"**{label}:** {' '.join(value.split()) if value else '—'}"

    lines = [
        f"**{key} — {' '.join(strip_control(title).split())}** · {severity} major incident · update {number}",
        f"Posted {_when(posted_at, zone)} by {posted_by}",
        "",
        line(LABELS["impacted"], update.impacted),
        line(LABELS["who"], update.who),
        line(LABELS["status"], update.status),
        line(LABELS["workaround"], update.workaround or "none yet"),
        *(line(label, strip_control(value)) for label, value in extra),
        line(LABELS["next_update_at"], f"by {_when(update.next_update_at, zone)}"),
    ]
    if update.follow:
        lines.append(line(LABELS["follow"], update.follow))
    return "\n".join(lines)


def from_fields(fields: dict | None) -> StakeholderUpdate | None:
    """An update back from a timeline event's `after` (None if it is not one)."""
    if not fields or "current_status" not in fields:
        return None
    try:
        due = datetime.fromisoformat(fields["next_update_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return StakeholderUpdate(impacted=fields.get("impacted", ""), who=fields.get("who", ""),
                             status=fields.get("current_status", ""), next_update_at=due,
                             workaround=fields.get("workaround", ""), follow=fields.get("follow", ""))


def prefill(incident) -> dict[str, str]:
    """The composer's first values: the previous update's, else what the incident's intake says.

    `incident` is anything with `last_update` (the previous update's fields, or None),
    `affected_service`, `impacted` (the intake's "who / how many"); the time of the next update
    is left empty (it then follows the cadence).
    """
    last = from_fields(getattr(incident, "last_update", None))
    if last is not None:
        return {"impacted": last.impacted, "who": last.who, "status": last.status, "workaround": last.workaround,
                "follow": last.follow}
    service = getattr(incident, "affected_service", None) or ""
    return {"impacted": service, "who": getattr(incident, "impacted", "") or "", "status": "", "workaround": "",
            "follow": ""}
