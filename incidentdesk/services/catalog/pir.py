"""Vendor incidents and post-incident reviews, declared once (services/vendor.py, services/pir.py).

`vendor` records the vendor an incident waits on (V in the console, generated dialog); the
vendor fields are also part of intake (`new`) and of a hold waiting for vendor. The review's
use cases are the command line's; the console edits the whole review in its own screen
(P: tui/screens/pir.py), which calls the same services. `incidentdesk pir KEY` prints a review
(cli/pir.py): reading is not a use case.
"""

from __future__ import annotations

from incidentdesk.services.catalog.spec import Kind, Param, UseCase

IN_REVIEW_SCREEN = "edited in the review screen (P), which saves every section at once"


def _vendor():
    from incidentdesk.services import vendor

    return vendor


def _pir():
    from incidentdesk.services import pir

    return pir


def incident_record(db, key: str) -> dict:
    from incidentdesk.store import queries

    return queries.incident_detail(db, key).to_json()


def review_record(db, key: str) -> dict:
    """The review as `incidentdesk pir KEY --json` prints it."""
    from incidentdesk.domain.pir_markdown import review_json
    from incidentdesk.store.pir import load_review

    return review_json(load_review(db, key))


def vendor_params(initial: bool = False) -> tuple[Param, ...]:
    """The vendor fields, as intake and the vendor use case ask for them."""
    def init(name: str) -> str | None:
        return name if initial else None

    return (
        Param("vendor", "Vendor", placeholder="e.g. Acme Cloud", initial=init("vendor"),
              help="the supplier this incident waits on"),
        Param("vendor_ticket", "Vendor ticket", flag="--vendor-ticket", placeholder="e.g. CS-44871",
              initial=init("vendor_ticket")),
        Param("vendor_url", "Vendor status link", flag="--vendor-url", initial=init("vendor_url"),
              placeholder="https://status.example.com/…", help="an http:// or https:// address"),
        Param("vendor_status", "Vendor status", flag="--vendor-status", initial=init("vendor_status"),
              placeholder="what the vendor says, e.g. investigating"),
    )


def hold_vendor_params() -> tuple[Param, ...]:
    """A hold waiting for vendor offers who and which ticket (prefilled when the incident has them)."""
    return (
        Param("vendor", "Vendor (waiting for vendor)", initial="vendor", placeholder="e.g. Acme Cloud",
              help="for a hold waiting for vendor: the hold's event names their ticket"),
        Param("vendor_ticket", "Vendor ticket", flag="--vendor-ticket", initial="vendor_ticket",
              placeholder="e.g. CS-44871"),
    )


_REVIEW = {"record": review_record, "console": IN_REVIEW_SCREEN, "printed": "{key}: review saved"}

USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "vendor", "Vendor", "record the vendor, their ticket, status link and status",
        lambda: _vendor().set_vendor, command=("vendor",), key="V", rank=15, dialog_title="Vendor incident",
        submit="Save vendor", done="{key}: vendor details saved", record=incident_record,
        params=vendor_params(initial=True),
    ),
    UseCase(
        "clear_vendor", "Clear vendor", "remove the vendor details (the timeline keeps them)",
        lambda: _vendor().clear_vendor, command=("vendor-clear",), record=incident_record,
        console="the vendor dialog (V) edits them; clearing is for the command line",
    ),
    UseCase(
        "pir_edit", "Edit review", "edit the post-incident review: summary, impact, what slowed us, causes",
        lambda: _pir().edit_review, command=("pir-edit",), params=(
            Param("summary", "Summary", Kind.AREA, help="what happened, in a few sentences"),
            Param("duration", "Impact duration", placeholder="e.g. 2h 15m (default: from the incident's times)"),
            Param("users", "Users impacted", help="who and how many"),
            Param("services", "Services impacted"),
            Param("slowed", "What slowed the response", Kind.AREA),
            Param("missing", "What information was missing", Kind.AREA),
            Param("causes", "Contributing causes", Kind.LIST, flag="--cause",
                  help="one per --cause; replaces the list"),
        ), **_REVIEW,
    ),
    UseCase(
        "pir_follow_up", "Add follow-up", "add a follow-up action with an owner and a due date to the review",
        lambda: _pir().add_follow_up, command=("pir-follow-up",), params=(
            Param("action", "Action", required=True, positional=True),
            Param("owner", "Owner", Kind.PERSON, required=True),
            Param("due", "Due (YYYY-MM-DD)"),
        ), **_REVIEW,
    ),
    UseCase(
        "pir_complete", "Complete follow-up", "mark a follow-up of the review done (--undo: not done)",
        lambda: _pir().complete_follow_up, command=("pir-done",), params=(
            Param("number", "Follow-up number", required=True, positional=True),
            Param("undo", "Not done after all", Kind.FLAG, default=False),
        ), **_REVIEW,
    ),
    UseCase(
        "pir_highlight", "Mark highlight", "mark a timeline event a highlight of the review, with a note",
        lambda: _pir().mark_highlight, command=("pir-highlight",), params=(
            Param("seq", "Event seq", required=True, positional=True, help="the event's seq (pir KEY --json)"),
            Param("note", "Note"),
            Param("unmark", "No longer a highlight", Kind.FLAG, default=False),
        ), **_REVIEW,
    ),
)
