"""The shift handover's use cases, declared once (services/handover.py): publish and acknowledge.

The command line's `handover publish --note ...` and `handover ack [ID]`; the console runs the same
services from its handover screen (H: tui/screens/handover.py), where the note is edited beside the
draft, so they have no dialog of their own. `incidentdesk handover` (the draft), `handover list`
and `handover show ID` only read (cli/handover.py).
"""

from __future__ import annotations

from incidentdesk.domain.enums import Role
from incidentdesk.services.catalog.spec import Kind, Param, Subject, UseCase

IN_HANDOVER_SCREEN = "in the handover screen (H), beside the draft it hands over"
WHO = "a triage captain or above; the incoming captain acknowledges (never the one who published it)"


def _handover():
    from incidentdesk.services import handover

    return handover


def handover_record(db, key: str) -> dict:
    """The handover as `incidentdesk handover show ID --json` prints it."""
    from incidentdesk.domain.handover import handover_json
    from incidentdesk.store.handover import get

    return handover_json(get(db, int(key)))


USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "handover_publish", "Publish handover", "publish the shift handover: the queue as it stands, with a note",
        lambda: _handover().publish, subject=Subject.NONE, role=Role.TRIAGE_CAPTAIN,
        command=("handover", "publish"), printed="handover {key} published", record=handover_record,
        console=IN_HANDOVER_SCREEN, who=WHO, params=(
            Param("note", "Note", Kind.AREA, help="what the incoming captain should know, in your words"),
        ),
    ),
    UseCase(
        "handover_ack", "Acknowledge handover", "acknowledge the latest shift handover (the incoming captain)",
        lambda: _handover().acknowledge, subject=Subject.NONE, role=Role.TRIAGE_CAPTAIN,
        command=("handover", "ack"), printed="handover {key} acknowledged", record=handover_record,
        console=IN_HANDOVER_SCREEN, who=WHO, params=(
            Param("id", "Handover", Kind.INT, positional=True, minimum=1, maximum=2**31 - 1,
                  help="the handover's number (default: the latest)"),
        ),
    ),
)
