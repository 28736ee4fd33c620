"""The incidentdesk console: the App, its keys, theme and help, and the SLA sweeper.

`run_app(args, config)` is what `incidentdesk` with no command runs. The App takes a clock so
snapshots and tests are deterministic. The App never calls into the main screen: the screen
follows the change feed and ticks itself, and tells the App when its first screen is up with a
message (FirstScreenShown), which starts the sweeper.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual import on, work
from textual.app import App
from textual.binding import Binding

from incidentdesk.domain.errors import DomainError
from incidentdesk.runtime import Runtime
from incidentdesk.tui.actions import ACTIONS
from incidentdesk.tui.commands import IncidentCommands
from incidentdesk.tui.format import use_palette, use_sla_settings
from incidentdesk.tui.lifecycle import ExitOnSignals, guard_timers
from incidentdesk.tui.major_prompt import MajorPrompts
from incidentdesk.tui.screens.help import NAVIGATION, HelpScreen
from incidentdesk.tui.messages import FirstScreenShown, IncidentsChanged
from incidentdesk.tui.screens.main import MainScreen
from incidentdesk.tui.screens.openers import SCREENS

LIGHT_DARK = {"textual-dark": "textual-light", "textual-light": "textual-dark"}


def utc_now() -> datetime:
    return datetime.now(UTC)


class IncidentDeskApp(App):
    CSS_PATH = "incidentdesk.tcss"
    TITLE = "incidentdesk"
    COMMANDS = App.COMMANDS | {IncidentCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+t", "toggle_dark_light", "Theme", show=False, id="app.theme"),
        Binding("N", "notifications", "Notifications", show=False, id="app.notifications",
                tooltip="the notifications: pending, sent, failed (r retries a failed one)"),
    ]

    def __init__(self, runtime: Runtime, *, clock: Callable[[], datetime] = utc_now, cursor_blink: bool = True,
                 tick_seconds: float = 1.0, live: bool = False, sweep_seconds: float = 0.0) -> None:
        """`live` follows the change feed; `sweep_seconds` > 0 runs the SLA sweeper that often.

        Both are off by default so tests and snapshots stay deterministic; `run_app` turns them on.
        """
        guard_timers()  # before any timer exists: a negative interval would spin the event loop
        super().__init__()
        use_palette(self.no_color)  # Textual read NO_COLOR just now (and turns colours to greys)
        self.runtime = runtime
        use_sla_settings(runtime.config.sla)  # countdowns count on each policy's calendar
        self.live = live
        self.sweep_seconds = sweep_seconds
        self.clock = clock
        self.cursor_blink = cursor_blink
        self.tick_seconds = tick_seconds
        self._keys = dict(runtime.config.keys)
        self.major_prompts = MajorPrompts(self)  # "declare this P1?" for triage captains, once per incident
        theme = runtime.config.theme
        if theme in self.available_themes:
            self.theme = theme
        if self._keys:
            self.set_keymap(self._keys)

    def on_mount(self) -> None:
        self.main_screen = MainScreen()  # kept for tests; the App itself never calls into it
        self._sweeper_started = False
        self.push_screen(self.main_screen)

    @on(FirstScreenShown)
    def _first_screen_shown(self, msg: FirstScreenShown) -> None:
        """The SLA sweeper needs the database open (SQLAlchemy imported): after the first screen.
        So does the unacknowledged-handover flag under the header (widgets/chrome/handover_flag.py)."""
        from incidentdesk.tui.widgets.chrome.handover_flag import watch_handover

        resume_collector()
        watch_handover(self.main_screen)
        if self.sweep_seconds and not self._sweeper_started:
            self._sweeper_started = True
            self.set_timer(self.sweep_seconds, self._sweep_sla)

    @on(IncidentsChanged)
    def _handover_changed(self, msg: IncidentsChanged) -> None:
        """The feed reports a handover published or acknowledged anywhere (its reserved id): re-read the flag."""
        from incidentdesk.domain.handover import FEED_ID
        from incidentdesk.tui.widgets.chrome.handover_flag import recheck

        if FEED_ID in msg.ids:
            recheck(self.main_screen)

    # --- the SLA sweeper: re-armed after each run, never overlapping ------------------------
    @work(thread=True, exclusive=True, group="sla-sweep", exit_on_error=False)
    def _sweep_sla(self) -> None:
        """Record due SLA changes; every console does this, the database makes each happen once.

        Results reach every console (this one too) through the change feed.
        """
        from incidentdesk.services.sla import sweep

        try:
            sweep(self.runtime.ctx)
        except DomainError:
            pass  # unreachable database: the change feed's banner already says so; retry next time
        finally:
            try:
                self.call_from_thread(self.set_timer, self.sweep_seconds, self._sweep_sla)
            except RuntimeError:
                pass  # the app is closing

    # --- keys, help, palette ---------------------------------------------------------------
    def key_for(self, binding_id: str, default: str) -> str:
        return self._keys.get(binding_id, default)

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        actions = [(self.key_for(f"incident.{a.name}", a.key), f"{a.label}: {a.description}") for a in ACTIONS]
        nav = [(self.key_for(bid, key) if bid else key, text) for bid, key, text in NAVIGATION]
        queue = [
            (self.key_for("queue.filter", "/"), "filter: free text, status, priority, sort, closed too"),
            (self.key_for("queue.scope", "f"), "cycle scope: all, mine, my groups, unassigned, at risk/breached, major"),
            (self.key_for("queue.sort", "S"), "cycle sort: priority, newest, updated, due"),
            (self.key_for("queue.refresh", "ctrl+r"), "re-read the queue and the incident"),
            (self.key_for("queue.mark", "space"), "mark / unmark the incident (B then n: one problem from the marked)"),
            (self.key_for("queue.fold", "z"), "unfold / fold the children and duplicates folded under a parent"),
        ]
        app = [
            (self.key_for("app.help", "?"), "this help"),
            ("ctrl+p", "command palette: every action on the selected incident"),
            (self.key_for("app.theme", "ctrl+t"), "toggle light/dark theme"),
            (self.key_for("app.notifications", "N"), "notifications: pending, sent, failed; r retries a failed one"),
            (self.key_for("app.quit", "q"), "quit"),
            ("ctrl+s / esc", "in a dialog: save / cancel (asks before discarding typing)"),
            ("enter / tab", "in a dialog: next field (Enter saves a one-line dialog, applies the filter)"),
        ]
        legend = [
            ("P1 … P4", "priority from impact × urgency; P1 is the most urgent"),
            ("P1★", "a major incident (scope `major` lists them)"),
            ("P1⚑", "a major incident whose stakeholder update is overdue (red; reversed under NO_COLOR)"),
            ("!12m03s", "SLA at risk: time left (amber; bold under NO_COLOR)"),
            ("+5m00s", "SLA breached: time since, counting up (red; reversed under NO_COLOR)"),
            ("‖1h05m", "SLA clock paused while on hold"),
            ("↻", "recurring: several incidents on its CI or category within [problems] recurring_window_days"),
            ("▸3 ▾ ↳ ●", "3 folded under it (z unfolds) · unfolded · folded under a parent · marked (space)"),
        ]
        screens = [(self.key_for(e.id, e.key), e.help) for e in SCREENS]  # screens/openers.py
        return [("Incident actions", actions), ("Moving around", nav), ("Queue", queue), ("Screens", screens),
                ("Console", app),
                ("Reading the queue", legend)]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_sections()))

    def action_notifications(self) -> None:
        from incidentdesk.tui.screens.notifications import NotificationsScreen

        if not isinstance(self.screen, NotificationsScreen):
            self.push_screen(NotificationsScreen())

    def action_toggle_dark_light(self) -> None:
        self.theme = LIGHT_DARK.get(self.theme, "textual-dark")


def resume_collector() -> None:
    """The cyclic collector back on after the start-up (cli.main pauses it for the console): what
    start-up made is frozen out of later passes, so they cost what the session allocates."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def run_app(args, config) -> int:
    """Run the console with the config the command started with; returns its exit status
    (128 + the signal after SIGTERM or SIGHUP)."""
    from incidentdesk.runtime import open_runtime

    runtime = open_runtime(args.db, args.acting_as, config=config)
    try:
        app = IncidentDeskApp(runtime, live=True, sweep_seconds=config.schema.console.sla_sweep_seconds)
        with ExitOnSignals(app) as signals:
            app.run()
    finally:
        resume_collector()  # (a console that stopped before its first screen)
        runtime.db.dispose()
    return signals.exit_code or app.return_code or 0
