"""The notification use cases: retrying one parked as failed (console `r` on the notifications screen,
`incidentdesk notify retry ID`). Delivering and listing are not use cases (they change nothing a person
decides): cli/notify.py and the notifications screen call them directly.
"""

from __future__ import annotations

from incidentdesk.domain.enums import Role
from incidentdesk.services.catalog.spec import Kind, Param, Subject, UseCase


def _outbox():
    from incidentdesk.services import outbox

    return outbox


def message_record(db, message_id) -> dict:
    """The notification as `notify list --json` prints it."""
    from incidentdesk.store import outbox as outbox_store

    return next(row for row in outbox_store.messages(db, limit=100_000) if row["id"] == int(message_id))


USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "retry_notification", "Retry notification", "send a notification parked as failed again",
        lambda: _outbox().retry, subject=Subject.NONE, role=Role.TRIAGE_CAPTAIN, command=("notify", "retry"),
        printed="notification {message_id}: due again", record=message_record, names="message_id",
        console="retried with r on the notifications screen (N)", done="notification {message_id}: due again",
        params=(
            Param("message_id", "Notification", Kind.INT, required=True, positional=True, minimum=1,
                  maximum=2**62, help="the notification's id (incidentdesk notify list)"),
        ),
    ),
)
