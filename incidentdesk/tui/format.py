"""How values look on screen: SLA countdowns, priority colours, literal untrusted text.

Every piece of incident text goes through `literal()` so Rich never sees markup in it and
the terminal never sees control characters.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text

from incidentdesk.domain.text import one_line, strip_control

PRIORITY_STYLE = {1: "bold red", 2: "dark_orange", 3: "", 4: "dim"}
STATUS_STYLE = {
    "new": "bold", "acknowledged": "cyan", "in_progress": "green", "on_hold": "magenta",
    "resolved": "dim green", "closed": "dim", "cancelled": "dim",
}
AT_RISK = "bold dark_orange"
BREACHED = "bold red"
OPEN = ("new", "acknowledged", "in_progress", "on_hold")


def literal(text: str | None, style: str = "", *, single_line: bool = True, limit: int | None = None) -> Text:
    """Untrusted text as a Rich Text: no markup parsed, control characters removed."""
    value = one_line(text, limit) if single_line else strip_control(text)
    return Text(value, style=style, no_wrap=single_line, overflow="ellipsis" if single_line else "fold")


def priority_text(priority: int) -> Text:
    return Text(f"P{priority}", style=PRIORITY_STYLE.get(priority, ""))


def status_text(status: str) -> Text:
    return Text(status.replace("_", " "), style=STATUS_STYLE.get(status, ""))


def duration(delta: timedelta) -> str:
    """Compact: 45s, 12m, 1h05m, 2d03h."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes, _ = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def countdown(due: datetime | None, start: datetime | None, now: datetime, *, status: str = "new") -> Text:
    """Time left to `due`; amber once 75% of the target has gone, red and counting up once breached."""
    if due is None or status not in OPEN:
        return Text("—", style="dim")
    left = due - now
    if left.total_seconds() < 0:
        return Text("+" + duration(left), style=BREACHED)
    style = ""
    if start is not None:
        total = (due - start).total_seconds()
        if total > 0 and (now - start).total_seconds() >= 0.75 * total:
            style = AT_RISK
    if status == "on_hold":
        style = style or "magenta"
    return Text(duration(left), style=style)


def row_countdown(row, now: datetime) -> Text:
    """The queue's SLA cell: the response target until acknowledged, then resolution."""
    due = row.sla_due_at
    return countdown(due, row.created_at, now, status=row.status)


def clock_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def short_time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"
