"""How values look on screen: SLA countdowns, priority colours, literal untrusted text, timeline labels.

Rendering only: which target counts, its state and the time left are derived by the domain
(domain/sla_state.py, the one place an SLA state is derived); this module picks their words,
marks and colours.

Every piece of stored text (incident fields, logins, names, groups, messages that quote
them) goes through `literal()` or `safe()` so Rich never sees markup in it and the terminal
never sees control characters (domain/text.py decides what those are).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from incidentdesk.domain.sla import SlaSettings
from incidentdesk.domain.sla_state import (
    Countdown, SlaState, calendar_of, countdowns_of, current_countdown, format_duration,
)
from incidentdesk.domain.text import one_line, strip_control

@dataclass(frozen=True)
class Palette:
    priority: dict[int, str]
    status: dict[str, str]
    at_risk: str
    breached: str
    met: str
    paused: str
    major: str


COLOUR = Palette(
    priority={1: "bold red", 2: "dark_orange", 3: "", 4: "dim"},
    status={"new": "bold", "acknowledged": "cyan", "in_progress": "green", "on_hold": "magenta",
            "resolved": "dim green", "closed": "dim", "cancelled": "dim"},
    at_risk="bold dark_orange", breached="bold red", met="green", paused="magenta", major="bold red",
)
# NO_COLOR: the terminal gets greys only, in which red on a dark background all but disappears;
# emphasis comes from weight and reverse video instead (the text cues are the same in both).
MONOCHROME = Palette(
    priority={1: "bold reverse", 2: "bold", 3: "", 4: "dim"},
    status={"new": "bold", "resolved": "dim", "closed": "dim", "cancelled": "dim"},
    at_risk="bold", breached="bold reverse", met="", paused="italic", major="bold",
)
_palette = COLOUR


def use_palette(no_color: bool) -> None:
    """Chosen by the app at start-up from NO_COLOR (one console per process)."""
    global _palette
    _palette = MONOCHROME if no_color else COLOUR


def palette() -> Palette:
    return _palette


def literal(text: str | None, style: str = "", *, single_line: bool = True, limit: int | None = None) -> Text:
    """Untrusted text as a Rich Text: no markup parsed, control characters removed."""
    value = one_line(text, limit) if single_line else strip_control(text)
    return Text(value, style=style, no_wrap=single_line, overflow="ellipsis" if single_line else "fold")


def safe(text: str | None) -> str:
    """Untrusted text as a plain string for places that take one (toasts: also pass markup=False)."""
    return strip_control(text)


def notify(app, message: str, *, title: str = "", severity: str = "information", timeout: float | None = None) -> None:
    """A toast whose text (often quoting logins, names, titles) is shown literally, never interpreted."""
    options = {} if timeout is None else {"timeout": timeout}
    app.notify(safe(message), title=safe(title), severity=severity, markup=False, **options)


MAJOR_MARK = "★"
OVERDUE_MARK = "⚑"  # a major incident whose stakeholder update is overdue (one cell, like the star)


def priority_text(priority: int, *, major: bool = False, update_overdue: bool = False) -> Text:
    """`P1`; a major incident is marked `P1★`, so it shows without colour too (NO_COLOR);
    `P1⚑` (red / reversed) when its stakeholder update is overdue (domain/major_cadence.py)."""
    text = Text(f"P{priority}", style=_palette.priority.get(priority, ""))
    if major and update_overdue:
        text.append(OVERDUE_MARK, style=_palette.breached)
    elif major:
        text.append(MAJOR_MARK, style=_palette.major)
    return text


def status_text(status: str) -> Text:
    """The status in full ("acknowledged"): the queue's column is as wide as the longest one."""
    return Text(status.replace("_", " "), style=_palette.status.get(status, ""))


def sla_text(cd: Countdown, *, compact: bool = False) -> Text:
    """A countdown as the console shows it: amber at risk, red and counting up once breached.

    Colour is never the only cue (NO_COLOR, colour-blind readers): at risk is marked `!`,
    breached `+` (counting up), and a paused clock (on hold for a pausing reason) `‖`.
    """
    if not cd.running:
        return Text(cd.state.label, style=_palette.met if cd.state is SlaState.MET else _palette.breached)
    days = not cd.business   # working time in hours: "39h00m", never "1d15h"
    if cd.paused:
        return Text(("‖" if compact else "paused ") + format_duration(cd.seconds, days), style=_palette.paused)
    if cd.state is SlaState.BREACHED:
        return Text("+" + format_duration(abs(cd.seconds), days), style=_palette.breached)
    if cd.state is SlaState.AT_RISK:
        return Text("!" + format_duration(cd.seconds, days), style=_palette.at_risk)
    return Text(format_duration(cd.seconds, days))


_sla = SlaSettings()


def use_sla_settings(settings: SlaSettings) -> None:
    """The SLA settings countdowns count with (their calendars), set by the app at start-up."""
    global _sla
    _sla = settings


def incident_countdown(item, now: datetime) -> Countdown:
    """The countdown to show for a queue row or a detail: derived by the domain, on its policy's calendar."""
    return current_countdown(item, now, calendar_of(_sla, item))


def target_text(detail, which: str, now: datetime) -> Text:
    """One target (response or resolution) of an incident's detail: business time left beside its due instant."""
    cd = countdowns_of(detail, now, calendar_of(_sla, detail))[which]
    if not cd.running and cd.state is SlaState.BREACHED:
        shown = Text(f"breached {short_time(cd.breached_at or cd.due_at)}", style=_palette.breached)
    elif not cd.running:
        shown = Text(f"met {short_time(cd.stopped_at)}" if cd.stopped_at else cd.state.label, style=_palette.met)
    else:
        shown = sla_text(cd)
        if cd.business:
            shown.append(" business hours", style="dim")
    return Text.assemble(shown, Text(f"  due {short_time(cd.due_at)}", style="dim"))


def row_countdown(row, now: datetime) -> Text:
    """The queue's SLA cell: the response target until acknowledged, then resolution."""
    return sla_text(incident_countdown(row, now), compact=True)


def clock_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def short_time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def relative_time(moment: datetime | None, now: datetime) -> str:
    """How long ago, as people say it on a call: `just now`, `5m ago`, `2h05m ago`, `3d04h ago`."""
    if moment is None:
        return "—"
    seconds = int((now - moment).total_seconds())
    if seconds < 0:
        return "in " + _span(-seconds)
    if seconds < 60:
        return "just now"
    return _span(seconds) + " ago"


def _span(seconds: int) -> str:
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if days:
        return f"{days}d{hours % 24:02d}h" if days < 10 else f"{days}d"
    if hours:
        return f"{hours}h{minutes % 60:02d}m"
    return f"{max(1, minutes)}m"
