"""The incidentdesk console: the App, its keys and theme, and the hooks for live updates.

`run_app(args, config)` is what `incidentdesk` with no command runs. The App takes a clock so
snapshots and tests are deterministic.
"""

from __future__ import annotations

import threading
from collections import deque
import time
from collections.abc import Callable
from datetime import UTC, datetime

from textual import work
from textual.app import App
from textual.binding import Binding

from incidentdesk.domain.errors import DomainError
from incidentdesk.runtime import Runtime
from incidentdesk.tui.actions import ACTIONS, BY_NAME
from incidentdesk.tui.commands import IncidentCommands
from incidentdesk.tui.format import use_palette, use_sla_settings
from incidentdesk.tui.lifecycle import ExitOnSignals, guard_timers
from incidentdesk.tui.major_prompt import MajorPrompts
from incidentdesk.tui.screens.help import NAVIGATION, HelpScreen
from incidentdesk.tui.screens.main import MainScreen
from incidentdesk.tui.widgets.chrome.header import ConnectionBanner

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
        self.connection_ok = True
        self.disconnected_since: datetime | None = None
        self._keys = dict(runtime.config.keys)
        self.major_prompts = MajorPrompts(self)  # "declare this P1?" for triage captains, once per incident
        theme = runtime.config.theme
        if theme in self.available_themes:
            self.theme = theme
        if self._keys:
            self.set_keymap(self._keys)

    def on_mount(self) -> None:
        self.main_screen = MainScreen()
        self.push_screen(self.main_screen)
        if self.tick_seconds:
            self.set_interval(self.tick_seconds, self._tick)
        self._feed_started = False
        # change_log ids of this console's own actions, re-read when they finished (skipped when
        # the feed echoes them), and the latest ids the feed reported (a feed faster than the action's
        # own message has already re-read the incident). UI thread only.
        self._own_changes: set[int] = set()
        self._heard: deque[int] = deque(maxlen=2000)
        if self.runtime.is_open:
            self._start_background()
        # else: the main screen calls first_page_shown(), once the page is on screen

    def first_page_shown(self) -> None:
        self._start_background()

    def _start_background(self) -> None:
        """The change feed and the SLA sweeper: both need the database open (SQLAlchemy imported)."""
        if self._feed_started:
            return
        self._feed_started = True
        if self.live:
            self.run_worker(self._follow_changes, thread=True, group="change-feed", name="change feed",
                            exit_on_error=False)
        if self.sweep_seconds:
            self.set_timer(self.sweep_seconds, self._sweep_sla)

    def _follow_changes(self) -> None:
        """In the worker thread: the feed's imports and the database opening stay off the UI thread."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        while not worker.is_cancelled:
            try:
                db = self.runtime.db
                break
            except DomainError:  # unreachable for now: the banner says so until it opens
                self.call_from_thread(self.set_connection_state, False, None)
                time.sleep(2.0)
        else:
            return
        from incidentdesk.tui.live import follow_changes

        follow_changes(self, db, self.clock, since_id=self.runtime.feed_since)

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

    def _tick(self) -> None:
        if self.main_screen.is_mounted:
            self.main_screen.tick()
        if getattr(self.screen, "id", None) == "major-screen":
            self.screen.tick()

    # --- keys, help, palette ---------------------------------------------------------------
    def key_for(self, binding_id: str, default: str) -> str:
        return self._keys.get(binding_id, default)

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        actions = [(self.key_for(f"incident.{a.name}", a.key), f"{a.label}: {a.description}") for a in ACTIONS]
        actions.append((self.key_for("review.open", "P"), "Post-incident review: summary, impact, timeline "
                        "highlights, causes, follow-ups (its own screen)"))
        nav = [(self.key_for(bid, key) if bid else key, text) for bid, key, text in NAVIGATION]
        queue = [
            (self.key_for("queue.filter", "/"), "filter: free text, status, priority, sort, closed too"),
            (self.key_for("queue.scope", "f"), "cycle scope: all, mine, my groups, unassigned, at risk/breached, major"),
            (self.key_for("queue.sort", "S"), "cycle sort: priority, newest, updated, due"),
            (self.key_for("queue.refresh", "ctrl+r"), "re-read the queue and the incident"),
            (self.key_for("major.view", "v"), "major-incident screen: roles, update clock, stakeholder updates"),
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
        ]
        return [("Incident actions", actions), ("Moving around", nav), ("Queue", queue), ("Console", app),
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

    def run_incident_action(self, name: str) -> None:
        self.main_screen.start_action(BY_NAME[name])

    def set_queue_filter(self, **kwargs) -> None:
        self.main_screen.set_filter(**kwargs)

    def open_filter(self) -> None:
        self.main_screen.action_filter()

    def refresh_queue(self) -> None:
        self.main_screen.action_refresh()

    # --- live updates (the change feed calls these) ----------------------------------------
    def resync(self) -> None:
        """After an outage changes may have been missed: re-read the page and the open incident."""
        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self.resync)
            return
        self._own_changes.clear()
        self.main_screen.action_refresh()

    def apply_feed(self, changes) -> None:
        """What the change feed reported (a store.changefeed.Changes), on the UI thread.

        The echo of this console's own action is not read again: the action re-read its incident
        when it finished (apply_own_changes). An incident is skipped only when every change the
        feed names for it is one of those; anyone else's change, or one the feed cannot name (a
        bulk notification), is read as usual. Whichever of the two arrives first reads, once.
        """
        ids = set()
        for incident_id in changes.incident_ids:
            if changes.only_these(incident_id, self._own_changes):
                self._own_changes -= changes.change_ids[incident_id]
            else:
                ids.add(incident_id)
        for named in changes.change_ids.values():
            self._heard.extend(named)
        if ids:
            self.main_screen.refresh_incidents(ids)

    def apply_own_changes(self, incident_id: int, change_ids: set[int]) -> None:
        """This console's action changed the incident: read it now, unless the feed already did."""
        if change_ids and change_ids <= set(self._heard):
            return  # the feed was first and re-read it after the commit
        self._own_changes |= change_ids
        self.main_screen.refresh_incidents({incident_id})

    def expect_own_changes(self, change_ids: set[int]) -> None:
        """This console's action made these changes and reads them its own way (a new incident's
        page): the feed's echo of them is not read again."""
        self._own_changes |= change_ids - set(self._heard)

    def apply_changes(self, incident_ids: set[int]) -> None:
        """Re-read only these incidents and repaint their rows (and the open incident) in place."""
        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self.apply_changes, set(incident_ids))
            return
        self.main_screen.refresh_incidents(set(incident_ids))
        self.major_prompts.check(set(incident_ids))
        for screen in self.screen_stack:
            if getattr(screen, "id", None) == "major-screen":
                screen.changed(set(incident_ids))

    def set_connection_state(self, ok: bool, since: datetime | None = None) -> None:
        """Show or hide the 'database unreachable' banner; countdowns and dialogs carry on."""
        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self.set_connection_state, ok, since)
            return
        if ok == self.connection_ok:
            return  # keep the first "since": the outage started then
        self.connection_ok = ok
        self.disconnected_since = None if ok else (since or self.clock())
        self.main_screen.query_one(ConnectionBanner).set_state(ok, self.disconnected_since)


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
        runtime.db.dispose()
    return signals.exit_code or app.return_code or 0
