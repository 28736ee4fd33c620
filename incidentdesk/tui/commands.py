"""The command palette (ctrl+p): the actions possible on the selected incident now, and the queue's views.

An action the incident's state (or the actor's role) rules out is not listed, as in the key
bar; its key still answers with why not. Everything shown is literal: the palette reads
plain strings as markup, so names and help go in escaped (or as Content).
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from incidentdesk.domain.queue_view import SCOPES, SORTS
from incidentdesk.tui.actions import ACTIONS, BY_NAME
from incidentdesk.tui.format import safe
from incidentdesk.tui.screens.openers import SCREENS


class IncidentCommands(Provider):
    def _commands(self):
        app = self.app
        main = self.screen if hasattr(self.screen, "start_action") else None  # the screen ctrl+p was pressed on
        yield from self._queue_commands(app, main) if main is not None else ()
        yield "Toggle light/dark theme", "switch the colour theme", app.action_toggle_dark_light
        if main is not None:
            yield "Refresh", "re-read the queue and the incident", main.action_refresh
        yield "Notifications", f"pending, sent, failed; retry a failed one  [{app.key_for('app.notifications', 'N')}]", \
            app.action_notifications
        yield "Help: keys", "every key", app.action_help

    @staticmethod
    def _queue_commands(app, main):
        detail = main.detail
        for action in ACTIONS:
            if action.needs_incident and (detail is None or main.blocker(action) is not None):
                continue
            name = action.label + (f" {detail.key}" if action.needs_incident else "")
            yield name, action.description + f"  [{app.key_for(f'incident.{action.name}', action.key)}]", \
                partial(main.start_action, BY_NAME[action.name])
        for entry in SCREENS:  # screens/openers.py: the screens one key opens
            if entry.needs_incident and detail is None:
                continue
            name = entry.label + (f" {detail.key}" if entry.needs_incident else "")
            yield name, f"{entry.help}  [{app.key_for(entry.id, entry.key)}]", partial(main.action_open_screen, entry.id)
        for scope in SCOPES:
            yield f"Show: {scope}", "queue scope", partial(main.set_filter, scope=scope)
        for sort in SORTS:
            yield f"Sort by {sort}", "queue order", partial(main.set_filter, sort=sort)
        yield "Filter…", "free text, status, priority", main.action_filter
        yield "Clear filters", "show every open incident", main.clear_filters

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(Content(safe(name)), callback, text=name, help=escape(safe(help_text)))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(escape(safe(name))), callback, text=name,
                          help=escape(safe(help_text)))
