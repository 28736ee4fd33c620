"""On-call rotations, declared once (services/oncall.py): rotation, members, overrides, swaps.

The command line's `incidentdesk oncall ...`; the console's on-call screen (O:
tui/screens/oncall.py) builds its override, swap and remove dialogs from these same declarations
and runs them through `invoke`, so both refuse the same things with the same words. Reading
(`oncall`, `oncall show`, `oncall ical`) is cli/oncall.py: reading is not a use case.
"""

from __future__ import annotations

from incidentdesk.domain.enums import Role
from incidentdesk.domain.enums import Cadence, Weekday
from incidentdesk.services.catalog.spec import Kind, Param, Subject, UseCase

IN_ONCALL_SCREEN = "offered in the on-call screen (O), which lists the rotations and their shifts"


def _oncall():
    from incidentdesk.services import oncall

    return oncall


def rotation_record(db, group: str) -> dict:
    """The rotation as `incidentdesk oncall show GROUP --json` prints its head."""
    from datetime import UTC, datetime

    from incidentdesk.domain.oncall import rotation_json
    from incidentdesk.store import oncall

    now = datetime.now(UTC)
    return rotation_json(oncall.rotation(db, group, since=now), now)


def override_record(db, number: str) -> dict:
    from incidentdesk.store import oncall

    return oncall.override_view(db, int(number)).to_json()


def _group() -> Param:
    return Param("group", "Group", Kind.GROUP, required=True, positional=True, help="the support group")


_MANAGE = dict(subject=Subject.NONE, role=Role.TRIAGE_CAPTAIN)

USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "oncall_rotation", "Set rotation", "create or change a group's on-call rotation (what is not given is kept)",
        lambda: _oncall().set_rotation, command=("oncall", "rotation-set"), record=rotation_record, names="group",
        printed="{group}: rotation saved", console=IN_ONCALL_SCREEN, dialog_title="On-call rotation",
        submit="Save rotation", done="{group}: rotation saved", **_MANAGE, params=(
            _group(),
            Param("cadence", "Handoff", Kind.CHOICE, enum=Cadence, help="daily or weekly handoffs (new: weekly)"),
            Param("handoff_day", "Handoff day", Kind.CHOICE, enum=Weekday, flag="--day",
                  help="a weekly rotation's handoff weekday (new: monday)"),
            Param("handoff_time", "Handoff time", flag="--at", placeholder="09:00",
                  help="local time of day HH:MM in the rotation's zone (new: 09:00)"),
            Param("time_zone", "Time zone", flag="--zone", placeholder="Europe/Berlin",
                  help="IANA time zone of the handoff (new: the site's [general] time_zone)"),
            Param("start", "Start date", placeholder="YYYY-MM-DD",
                  help="the first handoff on or after this date is the first member's (new: today)"),
            Param("members", "Members", Kind.LIST, flag="--member", default=(),
                  help="a member, in rotation order (repeat; replaces the order)"),
        ),
    ),
    UseCase(
        "oncall_members", "Set members", "replace a rotation's members, in order",
        lambda: _oncall().set_members, command=("oncall", "members"), record=rotation_record, names="group",
        printed="{group}: members saved", console=IN_ONCALL_SCREEN, dialog_title="Rotation members",
        submit="Save members", done="{group}: members saved", **_MANAGE, params=(
            _group(),
            Param("members", "Members", Kind.LIST, flag="--member", required=True,
                  help="a member, in rotation order (repeat)"),
        ),
    ),
    UseCase(
        "oncall_override", "Add override", "someone covers a period instead of whoever is scheduled",
        lambda: _oncall().add_override, command=("oncall", "override"), record=override_record,
        printed="override #{key}: {person} covers {group}", console=IN_ONCALL_SCREEN, dialog_title="On-call override",
        submit="Add override", done="override #{key}: {person} covers {group}", **_MANAGE, params=(
            _group(),
            Param("person", "Covered by", Kind.PERSON, required=True, help="who is on call instead"),
            Param("start", "From", Kind.TIME, required=True),
            Param("end", "Until", Kind.TIME, required=True, help="the end is not included"),
            Param("reason", "Reason", placeholder="e.g. Ann at a conference"),
        ),
    ),
    UseCase(
        "oncall_swap", "Swap shift", "\"take my Tuesday\": swap one of your shifts with another member's",
        lambda: _oncall().swap, command=("oncall", "swap"), record=override_record, subject=Subject.NONE,
        printed="swap #{key}: {with_person} takes the shift in {group}", console=IN_ONCALL_SCREEN,
        who="for the member whose shift it is, or a triage captain (or higher) for anyone's",
        dialog_title="Swap shifts", submit="Swap", done="swap #{key}: {with_person} takes the shift", params=(
            _group(),
            Param("shift", "My shift at", Kind.TIME, required=True, help="any time inside the shift given away"),
            Param("with_person", "Swap with", Kind.PERSON, required=True, flag="--with",
                  help="the member who takes it"),
            Param("back", "Their shift at", Kind.TIME,
                  help="any time inside their shift taken back (default: their next shift after mine)"),
            Param("person", "Whose shift", Kind.PERSON, help="default: mine (a triage captain may name anyone)"),
            Param("reason", "Reason"),
        ),
    ),
    UseCase(
        "oncall_remove", "Remove override", "remove an override (a swap's other half goes with it)",
        lambda: _oncall().remove_override, command=("oncall", "override-remove"), record=override_record,
        subject=Subject.NONE, printed="override #{key} removed", console=IN_ONCALL_SCREEN,
        who="for whoever added it, or a triage captain (or higher)",
        dialog_title="Remove override", submit="Remove", done="override #{key} removed", params=(
            _group(),
            Param("number", "Override number", Kind.INT, required=True, positional=True, minimum=1,
                  maximum=2_000_000_000, help="the # that `oncall show GROUP` lists"),
        ),
    ),
)
