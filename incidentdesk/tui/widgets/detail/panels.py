"""The incident pane's contents: detail fields, SLA countdowns, timeline and escalation history.

Each is a Static that renders a Rich table built from an IncidentDetail; every value from the
incident goes through `literal()` so nobody's text is interpreted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Group as RichGroup
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from incidentdesk.store.queries import IncidentDetail

from incidentdesk.tui.format import (
    clock_text, literal, palette, priority_text, relative_time, short_time, status_text, target_text,
)
from incidentdesk.tui.widgets.detail.events import event_text, kind_label
from incidentdesk.tui.widgets.detail.field_grid import FieldGrid


def _grid() -> FieldGrid:
    return FieldGrid()


def _heading(text: str) -> Text:
    return Text(text, style="bold underline")


def _multi(text: str | None) -> Text:
    return literal(text or "—", single_line=False)


class SlaPanel(Static):
    """Response and resolution countdowns; re-rendered every second from memory."""

    def __init__(self, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self.detail: IncidentDetail | None = None

    def show(self, detail: IncidentDetail | None) -> None:
        self.detail = detail
        self.tick()

    def tick(self) -> None:
        d = self.detail
        if d is None:
            self.update("")
            return
        now = self._clock()
        grid = _grid()
        grid.add_row("Response SLA", target_text(d, "response", now))
        grid.add_row("Resolution SLA", target_text(d, "resolution", now))
        self.update(grid)


def link_lines(d) -> list[Text]:
    """Known errors' workarounds (services/problems.py) and folding, right under the title: the first
    thing a responder should read on an incident that has them."""
    lines = []
    for key, title, workaround, linked in getattr(d, "known_errors", ()):
        why = "linked" if linked else "same CI or category"
        lines.append(Text.assemble(Text(" KNOWN ERROR ", style="bold black on yellow"), " ", Text(key, style="bold"),
                                   Text(f" ({why}) ", style="dim"), literal(title, limit=60)))
        lines.append(Text.assemble(Text("  Workaround: ", style="bold"), literal(workaround, single_line=False)))
    if getattr(d, "folded_under", None):
        kind = "duplicate of" if d.link_kind == "duplicate" else "child of"
        lines.append(Text.assemble(Text(f"↳ {kind} ", style="cyan"), Text(d.folded_under, style="bold cyan"),
                                   Text(" (resolved with it)", style="dim")))
    if getattr(d, "children", ()):
        lines.append(Text.assemble(Text(f"▸ {len(d.children)} folded here: ", style="cyan"),
                                   literal(", ".join(d.children), limit=120)))
    return lines


class DetailPanel(Static):
    """Every intake field, classification, ownership and resolution."""

    def show(self, d: IncidentDetail | None) -> None:
        if d is None:
            self.update(Text("No incident selected.", style="dim"))
            return
        head = Text.assemble(Text(d.key, style="bold"), "  ", priority_text(d.priority, major=d.is_major), "  ",
                             status_text(d.status), Text(f"  {d.type}", style="dim"))
        if d.is_major:
            head.append_text(Text.assemble("  ", Text(" MAJOR INCIDENT ", style=f"{palette().major} reverse")))
        title = literal(d.title, "bold", single_line=False)
        grid = _grid()
        rows = [
            ("Impact/urgency", Text(f"{d.impact} / {d.urgency} → P{d.priority}")),
            ("Severity", Text(d.severity)),
            ("Service", literal(d.affected_service or "—")),
            ("Category", literal(d.category or "—")),
            ("CI", literal(d.ci or "—")),
            ("Assignee", literal(d.assignee or "unassigned")),
            ("Group / tier", Text.assemble(literal(d.group or "no group"), Text(f"  tier {d.tier}", style="dim"))),
            ("Reporter", Text.assemble(literal(d.reporter), Text(f"  via {d.source}", style="dim"))),
            ("Created", Text(clock_text(d.created_at))),
            ("Updated", Text.assemble(Text(clock_text(d.updated_at)), Text(" by ", style="dim"), literal(d.updated_by))),
        ]
        if d.is_major:
            rows.insert(0, ("Commander", Text.assemble(
                literal(d.commander or "—", "bold"), Text(f"  major since {short_time(d.major_declared_at)}",
                                                        style="dim"))))
        if d.vendor or d.vendor_ticket or d.vendor_url or d.vendor_status:
            rows[5:5] = vendor_rows(d)
        if d.hold_reason:
            rows.insert(0, ("On hold", literal(d.hold_reason, palette().paused, single_line=False)))
        for label, value in rows:
            grid.add_row(label, value)
        intake = _grid()
        for label, value in [
            ("Description", _multi(d.description)), ("Symptoms", _multi(d.symptoms)),
            ("Started at", Text(clock_text(d.started_at) if d.started_at else "—")),
            ("Impacted", _multi(d.impacted)), ("Steps", _multi(d.steps_to_reproduce)),
            ("Device / user", _multi(d.device_user)), ("Recent changes", _multi(d.recent_changes)),
        ]:
            intake.add_row(label, value)
        parts = [head, title, *link_lines(d), Text(""), grid, Text(""), _heading("Intake"), intake]
        if d.resolution_code or d.resolved_at or d.closed_at or d.reopen_count:
            res = _grid()
            res.add_row("Code", Text(d.resolution_code or "—"))
            res.add_row("Notes", _multi(d.resolution_notes))
            res.add_row("Resolved", Text(short_time(d.resolved_at)))
            res.add_row("Closed", Text(short_time(d.closed_at)))
            res.add_row("Confirmed", Text({True: "yes", False: "no", None: "—"}[d.user_confirmed]))
            res.add_row("CSAT", Text(str(d.csat) if d.csat is not None else "—"))
            res.add_row("Reopened", Text(f"{d.reopen_count}×"))
            parts += [Text(""), _heading("Resolution"), res]
        if d.alerts:
            parts += [Text(""), _heading(f"Alerts ({d.alert_count} occurrences)"), _alerts_table(d)]
        self.update(RichGroup(*parts))


def vendor_rows(d: IncidentDetail) -> list[tuple[str, Text]]:
    """The vendor an incident waits on: who, their ticket, status and status link, each shown literally.

    The link is text, never a clickable Rich link: it came from a person and is shown as typed.
    """
    rows = [("Vendor", Text.assemble(literal(d.vendor or "—", "bold"),
                                     *((Text("  ticket ", style="dim"), literal(d.vendor_ticket))
                                       if d.vendor_ticket else ())))]
    if d.vendor_status:
        rows.append(("Vendor status", literal(d.vendor_status, single_line=False)))
    if d.vendor_url:
        rows.append(("Status link", literal(d.vendor_url)))
    return rows


def _alerts_table(d: IncidentDetail) -> Table:
    """Each monitoring alert of the incident: status, repeats, last seen, its own summary and labels."""
    table = Table(expand=True, show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("Status", no_wrap=True, width=8)
    table.add_column("×", no_wrap=True, width=5, justify="right")
    table.add_column("Last seen", no_wrap=True, width=16)
    table.add_column("Alert", ratio=1)
    for a in d.alerts:
        labels = " ".join(f"{k}={v}" for k, v in sorted((a.labels or {}).items()))
        what = Text.assemble(literal(a.summary or a.fingerprint), Text("  "), literal(labels, "dim"))
        style = palette().breached if a.status == "firing" else palette().met
        table.add_row(Text(a.status, style=style), Text(str(a.occurrences)), Text(short_time(a.last_seen_at), style="dim"),
                      what)
    return table


class _TimedPanel(Static):
    """A table of dated entries: `When` reads "5m ago" (kept current by tick) or, toggled, the exact UTC time."""

    def __init__(self, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self.detail: IncidentDetail | None = None
        self.exact_times = False  # the main screen toggles it (pane.times)
        self._rendered_for: tuple | None = None

    def show(self, detail: IncidentDetail | None) -> None:
        self.detail = detail
        self._rendered_for = None
        self.tick()

    def tick(self) -> None:
        """Re-render only when what it shows would change: another minute (relative times), or the setting."""
        exact = self.exact_times
        key = (exact, None if exact else int(self._clock().timestamp() // 60))
        if key != self._rendered_for:
            self._rendered_for = key
            self.update(self.render_detail(self.detail, exact) if self.detail is not None else "")

    def when(self, moment: datetime, exact: bool) -> Text:
        return Text(clock_text(moment) if exact else relative_time(moment, self._clock()), style="dim")

    @staticmethod
    def when_column(table: Table, exact: bool) -> None:
        table.add_column("When (UTC)" if exact else "When", no_wrap=True, width=23 if exact else 10)

    def render_detail(self, d: IncidentDetail, exact: bool):
        raise NotImplementedError


class TimelinePanel(_TimedPanel):
    """Every event, newest first, with actor and time, in words (not field names)."""

    def render_detail(self, d: IncidentDetail, exact: bool):
        table = Table(expand=True, show_edge=False, pad_edge=False, box=None, header_style="bold")
        self.when_column(table, exact)
        table.add_column("Who", no_wrap=True, max_width=14)
        table.add_column("What", no_wrap=True, width=16)  # "major stood down"
        table.add_column("Details", ratio=1)
        for e in d.timeline:
            who = literal(e.actor)
            if e.real_actor and e.real_actor != e.actor:
                who.append_text(Text.assemble(" (", literal(e.real_actor), ")", style="dim"))
            table.add_row(self.when(e.at, exact), who, Text(kind_label(e.kind), style="bold"), event_text(e))
        if not d.timeline:
            table.add_row("", "", "", Text("no events", style="dim"))
        return table


class EscalationsPanel(_TimedPanel):
    """Every escalation, newest first: route, who, and the hand-off summary."""

    def render_detail(self, d: IncidentDetail, exact: bool):
        if not d.escalations:
            return Text("No escalations.", style="dim")
        table = Table(expand=True, show_edge=False, box=None, header_style="bold")
        self.when_column(table, exact)
        table.add_column("Kind", no_wrap=True)
        table.add_column("From → to", ratio=1)
        table.add_column("By", no_wrap=True)
        for e in reversed(d.escalations):
            route = Text.assemble(literal(f"{e.from_group or '—'} (T{e.from_tier or '?'})"), " → ",
                                  literal(f"{e.to_group or '—'} (T{e.to_tier or '?'})"))
            if e.to_person:  # literal() trims the ends of what it is given: the gap goes outside it
                route.append_text(Text.assemble("  ", literal(f"to {e.to_person}", "dim")))
            table.add_row(self.when(e.at, exact), Text(e.kind + (" (auto)" if e.automatic else "")),
                          route, literal(e.actor))
            summary = Text.assemble(Text("hand-off: ", style="bold"), literal(e.summary, single_line=False))
            if e.reason:
                summary.append_text(Text.assemble(Text("\nreason: ", style="bold"), literal(e.reason, single_line=False)))
            table.add_row("", "", summary, "")
        return table
