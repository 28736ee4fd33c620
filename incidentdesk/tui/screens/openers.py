"""The screens the main screen opens with one key, declared once: key, binding id, label, help, opener.

A new screen (reports, handover, on-call, problems, knowledge, CIs, ...) is one entry in SCREENS:
the main screen's bindings (remappable by id under [keys]), the help screen's "Screens" rows and
the command palette's entries are generated from it, and the screen's module is imported only
when its key is pressed, so start-up pays nothing for it. The opener is named, not imported: a
function of the screen's module, called with the main screen (its `subject()` is the selected
incident, `runner.pickers` the people and groups), which pushes the screen or says why not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class ScreenEntry:
    id: str                 # the binding id ([keys] remaps it) and the name open_screen takes
    key: str
    label: str              # the palette's and the key bar's name
    help: str               # the help screen's line (and the palette's)
    opener: str             # "module:function" under tui/screens/, called with the main screen
    needs_incident: bool = False  # the palette lists it only with an incident selected

    def open(self, main) -> None:
        """Import the screen's module (now, not at start-up) and call its opener with the main screen."""
        self.resolve()(main)

    def resolve(self) -> Callable[[object], None]:
        module, _, function = self.opener.partition(":")
        return getattr(import_module(f"incidentdesk.tui.screens.{module}"), function)


SCREENS: tuple[ScreenEntry, ...] = (
    ScreenEntry("major.view", "v", "Major incident view", "major-incident screen: roles, update clock, "
                "stakeholder updates", "major:open_from_main", needs_incident=True),
    ScreenEntry("review.open", "P", "Post-incident review", "post-incident review: summary, impact, timeline "
                "highlights, causes, follow-ups", "pir:open_review", needs_incident=True),
    ScreenEntry("handover.open", "H", "Shift handover", "shift handover: the draft, a note, publish (ctrl+s), "
                "acknowledge (ctrl+g), previous handovers", "handover:open_handover"),
    ScreenEntry("request.new", "Q", "New service request", "raise a service request: pick its type, then "
                "fill in that type's own fields", "request_flow:open_new"),
    ScreenEntry("request.step", "l", "Tick request step", "tick (or untick) a fulfilment step of the selected "
                "service request", "request_flow:open_step", needs_incident=True),
    ScreenEntry("request.approval", "A", "Approve request", "approve or reject the selected service request, "
                "or ask for its approval again", "request_flow:open_approval", needs_incident=True),
    ScreenEntry("request.fulfil", "F", "Fulfil request", "fulfil (resolve) the selected service request once "
                "approved and its checklist is done", "request_flow:open_fulfil", needs_incident=True),
    ScreenEntry("oncall.open", "O", "On call", "on-call rotations: who is on call now and next, shifts, "
                "overrides and swaps", "oncall:open_oncall"),
    ScreenEntry("cmdb.browse", "I", "Configuration items", "CI browser: search the CIs; dependencies, recent "
                "changes and incidents of each", "cmdb:open_browser"),
    ScreenEntry("problems.open", "B", "Problems", "problems and known errors: list, open one from the marked "
                "incidents (space), root cause, workaround, resolve", "problems:open_problems"),
    ScreenEntry("reports.open", "R", "Reports", "reports: MTTA/MTTR, FCR, reopen and SLA % by priority and "
                "breakdown, weekly trends", "reports:open_reports"),
    ScreenEntry("knowledge.open", "K", "Knowledge base", "knowledge base: search articles, read, write and edit "
                "them", "kb:open_knowledge"),
)

BY_ID: dict[str, ScreenEntry] = {entry.id: entry for entry in SCREENS}


def screen_bindings() -> list:
    """The main screen's bindings for SCREENS (hidden from the key bar; ? and ctrl+p list them)."""
    from textual.binding import Binding

    return [Binding(e.key, f"open_screen('{e.id}')", e.label, show=False, id=e.id, tooltip=e.help)
            for e in SCREENS]
