"""The screens the main screen opens with one key, declared once: key, binding id, label, help, opener.

A new screen (reports, handover, on-call, problems, knowledge, CIs, ...) is one entry in SCREENS:
the main screen's bindings (remappable by id under [keys]), the help screen's "Screens" rows and
the command palette's entries are generated from it, and the screen's module is imported only
when its key is pressed, so start-up pays nothing for it. The opener is a small function here that
imports the screen's module inside it and calls its opener with the main screen (its `subject()`
is the selected incident, `runner.pickers` the people and groups), which pushes the screen or
says why not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenEntry:
    id: str                 # the binding id ([keys] remaps it) and the name open_screen takes
    key: str
    label: str              # the palette's and the key bar's name
    help: str               # the help screen's line (and the palette's)
    opener: Callable[[object], None]  # called with the main screen; imports the screen when called
    needs_incident: bool = False  # the palette lists it only with an incident selected

    def open(self, main) -> None:
        self.opener(main)


def _major(main) -> None:
    from incidentdesk.tui.screens.major import open_from_main

    open_from_main(main)


def _review(main) -> None:
    from incidentdesk.tui.screens.pir import open_review

    open_review(main)


def _handover(main) -> None:
    from incidentdesk.tui.screens.handover import open_handover

    open_handover(main)


def _request_new(main) -> None:
    from incidentdesk.tui.screens.request_flow import open_new

    open_new(main)


def _request_step(main) -> None:
    from incidentdesk.tui.screens.request_flow import open_step

    open_step(main)


def _request_approval(main) -> None:
    from incidentdesk.tui.screens.request_flow import open_approval

    open_approval(main)


def _request_fulfil(main) -> None:
    from incidentdesk.tui.screens.request_flow import open_fulfil

    open_fulfil(main)


def _oncall(main) -> None:
    from incidentdesk.tui.screens.oncall import open_oncall

    open_oncall(main)


def _cmdb(main) -> None:
    from incidentdesk.tui.screens.cmdb import open_browser

    open_browser(main)


def _problems(main) -> None:
    from incidentdesk.tui.screens.problems import open_problems

    open_problems(main)


def _reports(main) -> None:
    from incidentdesk.tui.screens.reports import open_reports

    open_reports(main)


def _knowledge(main) -> None:
    from incidentdesk.tui.screens.kb import open_knowledge

    open_knowledge(main)


SCREENS: tuple[ScreenEntry, ...] = (
    ScreenEntry("major.view", "v", "Major incident view", "major-incident screen: roles, update clock, "
                "stakeholder updates", _major, needs_incident=True),
    ScreenEntry("review.open", "P", "Post-incident review", "post-incident review: summary, impact, timeline "
                "highlights, causes, follow-ups", _review, needs_incident=True),
    ScreenEntry("handover.open", "H", "Shift handover", "shift handover: the draft, a note, publish (ctrl+s), "
                "acknowledge (ctrl+g), previous handovers", _handover),
    ScreenEntry("request.new", "Q", "New service request", "raise a service request: pick its type, then "
                "fill in that type's own fields", _request_new),
    ScreenEntry("request.step", "l", "Tick request step", "tick (or untick) a fulfilment step of the selected "
                "service request", _request_step, needs_incident=True),
    ScreenEntry("request.approval", "A", "Approve request", "approve or reject the selected service request, "
                "or ask for its approval again", _request_approval, needs_incident=True),
    ScreenEntry("request.fulfil", "F", "Fulfil request", "fulfil (resolve) the selected service request once "
                "approved and its checklist is done", _request_fulfil, needs_incident=True),
    ScreenEntry("oncall.open", "O", "On call", "on-call rotations: who is on call now and next, shifts, "
                "overrides and swaps", _oncall),
    ScreenEntry("cmdb.browse", "I", "Configuration items", "CI browser: search the CIs; dependencies, recent "
                "changes and incidents of each", _cmdb),
    ScreenEntry("problems.open", "B", "Problems", "problems and known errors: list, open one from the marked "
                "incidents (space), root cause, workaround, resolve", _problems),
    ScreenEntry("reports.open", "R", "Reports", "reports: MTTA/MTTR, FCR, reopen and SLA % by priority and "
                "breakdown, weekly trends", _reports),
    ScreenEntry("knowledge.open", "K", "Knowledge base", "knowledge base: search articles, read, write and edit "
                "them", _knowledge),
)

BY_ID: dict[str, ScreenEntry] = {entry.id: entry for entry in SCREENS}


def screen_bindings() -> list:
    """The main screen's bindings for SCREENS (hidden from the key bar; ? and ctrl+p list them)."""
    from textual.binding import Binding

    return [Binding(e.key, f"open_screen('{e.id}')", e.label, show=False, id=e.id, tooltip=e.help)
            for e in SCREENS]
