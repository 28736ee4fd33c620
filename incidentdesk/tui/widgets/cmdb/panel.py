"""The incident pane's CI tab: the affected CI, its neighbours, its recent incidents and recent changes.

`show(detail)` is called with every incident the pane shows; the CI is read in this panel's own
thread worker (store/cmdb.ci_detail, imported in the worker: SQLAlchemy never loads on the UI
thread for it) and posted back as a message. "Recent" changes are those on the CI or anything it
depends on within `[cmdb] recent_changes_hours` (72 h by default) — the first question in a
diagnosis. Every stored value is shown literally (tui/format.literal).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Group as RichGroup
from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from incidentdesk.tui.format import literal, palette, priority_text, status_text
from incidentdesk.tui.widgets.detail.field_grid import FieldGrid

_RISK = {"high": "bold red", "medium": "yellow", "low": "green"}
_CRITICALITY = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "green"}


class CILoaded(Message):
    def __init__(self, key: str, view, cause, error: str | None = None) -> None:
        super().__init__()
        self.key, self.view, self.cause, self.error = key, view, cause, error


def _grid() -> FieldGrid:
    return FieldGrid()


def _names(names) -> Text:
    return literal(", ".join(names)) if names else Text("—", style="dim")


def _when(moment) -> str:
    return f"{moment:%m-%d %H:%M}" if moment else "—"


def _one_line(*parts) -> Text:
    """One row per change or incident, cut with an ellipsis at the pane's edge (80 columns stay readable)."""
    line = Text.assemble(*parts)
    line.no_wrap, line.overflow = True, "ellipsis"
    return line


def change_line(c) -> Text:
    return _one_line(Text(c.key, style="bold"), " ", Text(f"{c.status.replace('_', ' '):<11}"), " ",
                     Text(f"{c.risk:<6}", style=_RISK.get(c.risk, "")), " ",
                     Text(_when(c.actual_start or c.planned_start), style="dim"), " ",
                     literal(", ".join(c.cis), "bold"), Text(": ", style="dim"), literal(c.title))


class CIPanel(Static):
    """The affected CI (the incident's `ci` text, looked up by name) and what changed around it."""

    def __init__(self, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self._key: str | None = None

    def show(self, detail) -> None:
        if detail is None:
            self._key = None
            self.update(Text("No incident selected.", style="dim"))
            return
        self._key = detail.key
        if not detail.ci:
            self.update(Text.assemble(Text(f"{detail.key} names no CI.", style="dim"),
                                      Text("  Y sets its category and CI.", style="dim")))
            return
        self.load(detail.key, detail.ci)

    @work(thread=True, exclusive=True, exit_on_error=False, group="ci-tab")
    def load(self, key: str, ci: str) -> None:
        from incidentdesk.domain.errors import DomainError
        from incidentdesk.store import cmdb

        runtime = self.app.runtime
        hours = runtime.config.schema.cmdb.recent_changes_hours
        try:
            view = cmdb.ci_detail(runtime.db, ci, now=self._clock(), hours=hours)
            cause = cmdb.caused_by(runtime.db, key)
        except DomainError as exc:
            self.post_message(CILoaded(key, None, None, str(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(CILoaded(key, view if view is not None else ci, cause))

    @on(CILoaded)
    def _loaded(self, msg: CILoaded) -> None:
        msg.stop()
        if msg.key != self._key:
            return  # read for an incident no longer shown
        if msg.error is not None:
            self.update(literal(f"CI not read: {msg.error}", palette().breached))
            return
        self.update(self.render_view(msg.view, msg.cause))

    def render_view(self, view, cause) -> RichGroup:
        parts = []
        if cause is not None:
            parts += [Text("Caused by change", style="bold underline"), change_line(cause), Text("")]
        if isinstance(view, str):
            parts.append(Text.assemble(literal(view, "bold"), Text("  is not in the CMDB (ci import adds it)",
                                                                    style="dim")))
            return RichGroup(*parts)
        return RichGroup(*parts, render_ci(view))


def render_ci(view) -> RichGroup:
    """One CI as the CI tab and the CI browser (screens/cmdb.py) show it."""
    parts = []
    head = Text.assemble(literal(view.name, "bold"), "  ", Text(view.type, style="dim"), "  ",
                         Text(view.criticality, style=_CRITICALITY.get(view.criticality, "")))
    grid = _grid()
    for label, value in (("Service", literal(view.service or "—")), ("Owner", literal(view.owner or "—")),
                         ("Location", literal(view.location or "—")), ("Depends on", _names(view.depends_on)),
                         ("Depended on by", _names(view.depended_on_by))):
        grid.add_row(label, value)
    parts += [head, grid, Text(""),
              Text(f"Changes on it or its dependencies, last {view.recent_hours} h ({len(view.changes)})",
                   style="bold underline")]
    parts += [change_line(c) for c in view.changes] or [Text("none", style="dim")]
    parts += [Text(""), Text(f"Recent incidents on {view.name} ({len(view.incidents)})", style="bold underline")]
    parts += [_one_line(Text(i.key, style="bold"), " ", priority_text(i.priority), " ", status_text(i.status),
                        " ", Text(_when(i.created_at), style="dim"), " ", literal(i.title))
              for i in view.incidents] or [Text("none", style="dim")]
    return RichGroup(*parts)
