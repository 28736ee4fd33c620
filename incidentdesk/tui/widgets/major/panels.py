"""The major-incident screen's panels: who runs it, the update clock, linked incidents, the update log.

Each is a Static rendering Rich text built from an IncidentDetail; every stored value goes
through `literal()`. The update clock's state (on time, due soon, overdue) is the domain's
(domain/major_cadence.update_countdown); this only picks the colours and re-renders each second.

The facts panel names the vendor the incident waits on (domain/vendor.py), and LinkedPanel shows
the incidents folded under it as children or duplicates (IncidentDetail.children), or "none".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from rich.console import Group as RichGroup
from rich.text import Text
from textual.widgets import Static

from incidentdesk.domain.enums import EventKind
from incidentdesk.domain.major_cadence import UpdateState, update_countdown, update_overdue
from incidentdesk.domain.vendor import vendor_line
from incidentdesk.tui.format import literal, palette, priority_text, relative_time, short_time, status_text, target_text
from incidentdesk.tui.widgets.detail.field_grid import FieldGrid

# Further fact rows other features add: detail -> [(label, Text)]. Shown after the standard ones.
def _grid(label_width: int = 14) -> FieldGrid:
    return FieldGrid(label_width)


def _person(login: str | None, names: dict[str, str]) -> Text:
    if not login:
        return Text("—", style="dim")
    name = names.get(login)
    return literal(f"{login} — {name}" if name and name != login else login)


def heading(d, now: datetime) -> Text:
    """` MAJOR INCIDENT  INC-000001  P1★  SEV1  in progress` (P1⚑ once its update is overdue) and the title."""
    prio = priority_text(d.priority, major=d.is_major, update_overdue=update_overdue(d, now))
    head = Text.assemble(Text(" MAJOR INCIDENT ", style=f"{palette().major} reverse"), "  ", Text(d.key, style="bold"),
                         "  ", prio, "  ", Text(d.severity, style="bold"),
                         "  ", status_text(d.status))
    if not d.is_major:
        head = Text.assemble(Text(d.key, style="bold"), "  ", Text("no longer a major incident (stood down)",
                                                                    style="bold"))
    return Text.assemble(head, "\n", literal(d.title, "bold", single_line=False))


class FactsPanel(Static):
    """Impacted services, the people running it, status and SLA."""

    def show(self, d, names: dict[str, str], now: datetime) -> None:
        grid = _grid()
        service = d.affected_service or "—"
        if d.ci:
            service = f"{service} (CI {d.ci})"
        resolver = d.assignee or "nobody yet"
        rows = [
            ("Impacted", literal(service)),
            ("Who", literal(d.impacted or "—", single_line=False)),
            ("Commander", _person(d.commander, names)),
            ("Deputy", _person(d.deputy, names)),
            ("Comms lead", _person(d.comms_lead, names)),
            ("Resolver", Text.assemble(literal(resolver), Text(f"  ({d.group})" if d.group else "", style="dim"))),
            ("Status", status_text(d.status)),
            ("SLA", target_text(d, "response" if d.acknowledged_at is None and d.resolved_at is None
                                else "resolution", now)),
            ("Declared", Text(f"{short_time(d.major_declared_at)} ({relative_time(d.major_declared_at, now)})"
                              if d.major_declared_at else "—")),
        ]
        vendor = vendor_line(d.vendor, d.vendor_ticket, d.vendor_status, d.vendor_url)
        if vendor:
            rows.append(("Vendor", literal(vendor.removeprefix("Vendor: "), single_line=False)))
        for label, value in rows:
            grid.add_row(label, value)
        self.update(grid)


class UpdateClock(Static):
    """The countdown to the next stakeholder update: amber when due soon, red and counting up when overdue."""

    def __init__(self, clock: Callable[[], datetime], due_soon: timedelta, **kwargs) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self._due_soon = due_soon
        self.detail = None

    def show(self, d) -> None:
        self.detail = d
        self.tick()

    def tick(self) -> None:
        d = self.detail
        cd = update_countdown(self._clock(), d.next_update_due if d is not None and d.is_major else None,
                              self._due_soon)
        self.set_class(cd is not None and cd.state is UpdateState.DUE_SOON, "-due-soon")
        self.set_class(cd is not None and cd.state is UpdateState.OVERDUE, "-overdue")
        if cd is None:
            self.update(Text("No stakeholder update due", style="dim"))
            return
        p = palette()
        style = {UpdateState.ON_TIME: "bold", UpdateState.DUE_SOON: p.at_risk, UpdateState.OVERDUE: p.breached}[cd.state]
        label = {UpdateState.ON_TIME: "Next update in", UpdateState.DUE_SOON: "Next update due soon",
                 UpdateState.OVERDUE: "UPDATE OVERDUE"}[cd.state]
        last = f"last update {_hhmm(d.last_update_at)}" if d.last_update_at else "no update posted yet"
        self.update(Text.assemble((label, style), "\n", (cd.text, f"{style} bold"), "\n",
                                  Text(f"due {_hhmm(cd.due_at)} UTC", style="dim"), "\n", Text(last, style="dim")))


def _hhmm(moment: datetime) -> str:
    return f"{moment:%H:%M}"


class LinkedPanel(Static):
    """The incidents folded under this major incident, children and duplicates (services/links.py)."""

    def show(self, d) -> None:
        children = getattr(d, "children", None) or []
        if not children:
            self.update(Text.assemble(("Linked incidents  ", "bold"), ("none", "dim")))
            return
        self.update(Text.assemble(("Linked incidents  ", "bold"), literal(", ".join(children))))


class UpdatesLog(Static):
    """Every stakeholder update posted, newest first, as stakeholders read it."""

    def show(self, d, now: datetime) -> None:
        updates = [e for e in d.timeline if e.kind == EventKind.STAKEHOLDER_UPDATE]
        if not updates:
            self.update(Text("No stakeholder update posted yet — press u to write the first.", style="dim"))
            return
        parts = []
        for e in updates:
            parts.append(Text.assemble((f"{short_time(e.at)}", "bold"), f"  {relative_time(e.at, now)}  by ",
                                       literal(e.actor, "bold")))
            parts.append(literal(e.text, single_line=False))
            parts.append(Text(""))
        self.update(RichGroup(*parts))
