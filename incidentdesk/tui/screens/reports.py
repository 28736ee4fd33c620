"""The reports screen (R): the metrics as tables, and weekly trends as terminal plots.

The same figures as `incidentdesk report` (store/metrics.py; definitions in domain/metrics.py),
read in a worker thread. `p` steps the period (7d, 30d, 90d, 12w, 365d), `b` the breakdown
(priority, group, assignee, category, service, ci), `f` / `t` show the figures or the trends,
ctrl+r reads again, Esc goes back. The trends are weekly (Monday 00:00 UTC): mean net MTTR by
priority, volume by priority, and the share of SLA targets met. Plots use textual-plotext,
imported with this module (only when R is pressed). Breakdown values are user text: shown literally.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from incidentdesk.domain.errors import DomainError
from incidentdesk.domain.metrics import BREAKDOWNS, parse_period
from incidentdesk.domain.metrics_table import RATES_HEAD, duration_rows, key_head, rates_rows
from incidentdesk.tui.format import literal, notify

PERIODS = ("7d", "30d", "90d", "12w", "365d")
PRIORITY_COLORS = {1: "red", 2: "orange", 3: "blue", 4: "gray"}
DURATION_LABELS = ("MTTA", "MTTR gross", "MTTR net", "restore", "resolve")


class ReportLoaded(Message):
    def __init__(self, data: dict, trends) -> None:
        super().__init__()
        self.data, self.trends = data, trends


class ReportFailed(Message):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class ReportsScreen(Screen):
    CSS_PATH = "reports.tcss"  # read when first opened, not at start-up

    BINDINGS = [
        Binding("escape", "back", "Back", id="reports.back"),
        Binding("p", "period", "Period", id="reports.period", tooltip="next period: " + ", ".join(PERIODS)),
        Binding("b", "breakdown", "Breakdown", id="reports.breakdown", tooltip="next breakdown"),
        Binding("f", "show('figures')", "Figures", id="reports.figures"),
        Binding("t", "show('trends')", "Trends", id="reports.trends"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="reports.refresh"),
    ]

    def __init__(self, period: str = "30d", by: str = "priority") -> None:
        super().__init__(id="reports-screen")
        self.period, self.by = period, by

    def compose(self) -> ComposeResult:
        yield Static(id="reports-heading")
        with TabbedContent(initial="figures", id="reports-tabs"):
            with TabPane("Figures (f)", id="figures"):
                with VerticalScroll(id="reports-figures"):
                    yield Static("Volume, backlog and rates", classes="reports-title")
                    yield DataTable(id="reports-rates", cursor_type="row", zebra_stripes=True)
                    yield Static("Durations: mean / median / p90", classes="reports-title")
                    yield DataTable(id="reports-durations", cursor_type="row", zebra_stripes=True)
                    yield Static(id="reports-notes", classes="reports-notes")
            with TabPane("Trends (t)", id="trends"):
                with Vertical(id="reports-trends"):
                    yield PlotextPlot(id="plot-mttr")
                    with Horizontal(id="reports-trends-low"):
                        yield PlotextPlot(id="plot-volume")
                        yield PlotextPlot(id="plot-sla")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def _heading(self, state: str = "") -> None:
        text = f"Reports · last {self.period} · by {self.by}{state}"
        self.query_one("#reports-heading", Static).update(literal(text))

    def action_reload(self) -> None:
        self._heading(" · loading…")
        self.fetch(self.period, self.by)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reports")
    def fetch(self, period: str, by: str) -> None:
        from incidentdesk.store.metrics import report, trends

        db, now = self.app.runtime.db, self.app.clock()
        try:
            span = parse_period(period, None, now)
            data = report(db, span, by, now=now).as_dict()
            series = trends(db, span)
        except DomainError as exc:
            self.post_message(ReportFailed(exc))
            return
        self.post_message(ReportLoaded(data, series))

    @on(ReportLoaded)
    def _loaded(self, msg: ReportLoaded) -> None:
        data = msg.data
        self._heading(f" · {data['since'][:10]} to {data['until'][:10]}")
        heads = key_head(data["by"])
        self._fill("#reports-rates", (*heads, *RATES_HEAD), rates_rows(data))
        self._fill("#reports-durations", (*heads, *DURATION_LABELS), duration_rows(data))
        logged = ", ".join(f"{t['type']}/{t['source']} {t['n']}" for t in data["logged"]) or "none"
        self.query_one("#reports-notes", Static).update(literal(
            f"Logged (all records): {logged}. Requests, cancelled and duplicates are left out of every other "
            "figure; net = minus on-hold time.", single_line=False))
        self._plot(msg.trends)

    def _fill(self, selector: str, head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        table = self.query_one(selector, DataTable)
        table.clear(columns=True)
        table.add_columns(*head)
        table.add_rows([[literal(c) for c in row] for row in rows])

    def _plot(self, tr) -> None:
        weeks = tr.weeks
        ticks = list(range(len(weeks)))
        labels = [w[5:] for w in weeks]   # MM-DD of each Monday

        def fresh(selector: str, title: str):
            widget = self.query_one(selector, PlotextPlot)
            widget.plt.clear_figure()
            widget.plt.title(title)
            return widget, widget.plt

        widget, plt = fresh("#plot-mttr", "Weekly MTTR (net, hours) by priority")
        for priority, points in sorted(tr.mttr.items()):
            xs = [i for i, w in enumerate(weeks) if w in points]
            plt.plot(xs, [points[weeks[i]] / 3600 for i in xs], label=f"P{priority}",
                     color=PRIORITY_COLORS.get(priority, "white"), marker="dot")
        plt.xticks(ticks, labels)
        widget.refresh()

        widget, plt = fresh("#plot-volume", "Weekly volume by priority")
        priorities = sorted(tr.volume)
        if priorities and weeks:
            plt.stacked_bar(ticks, [[tr.volume[p].get(w, 0) for w in weeks] for p in priorities],
                            labels=[f"P{p}" for p in priorities],
                            color=[PRIORITY_COLORS.get(p, "white") for p in priorities], width=0.6)
            plt.xticks(ticks, labels)
        widget.refresh()

        widget, plt = fresh("#plot-sla", "Weekly SLA targets met %")
        for name, points, color in (("response", tr.response_met, "green"), ("resolution", tr.resolution_met, "cyan")):
            xs = [i for i, w in enumerate(weeks) if points.get(w) is not None]
            plt.plot(xs, [points[weeks[i]] for i in xs], label=name, color=color, marker="dot")
        plt.ylim(0, 100)
        plt.xticks(ticks, labels)
        widget.refresh()

    @on(ReportFailed)
    def _failed(self, msg: ReportFailed) -> None:
        self._heading(" · failed")
        notify(self.app, str(msg.error), title="Reports", severity="error")

    def action_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)] if self.period in PERIODS else "30d"
        self.action_reload()

    def action_breakdown(self) -> None:
        self.by = BREAKDOWNS[(BREAKDOWNS.index(self.by) + 1) % len(BREAKDOWNS)]
        self.action_reload()

    def action_show(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_back(self) -> None:
        self.app.pop_screen()


def open_reports(main) -> None:
    """The R key of the main screen (screens/openers.py)."""
    main.app.push_screen(ReportsScreen())
