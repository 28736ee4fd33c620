"""The command palette (ctrl+p): every action on the selected incident, and the queue's views."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from incidentdesk.tui.actions import ACTIONS


class IncidentCommands(Provider):
    def _commands(self):
        app = self.app
        main = app.main_screen
        detail = main.detail if main is not None else None
        subject = f" {detail.key}" if detail is not None else ""
        for action in ACTIONS:
            name = action.label + ("" if not action.needs_incident else subject)
            yield name, action.description + f"  [{app.key_for(f'incident.{action.name}', action.key)}]", \
                partial(app.run_incident_action, action.name)
        from incidentdesk.tui.screens.main import SCOPES, SORTS

        for scope in SCOPES:
            yield f"Show: {scope}", "queue scope", partial(app.set_queue_filter, scope=scope)
        for sort in SORTS:
            yield f"Sort by {sort}", "queue order", partial(app.set_queue_filter, sort=sort)
        yield "Filter…", "free text, status, priority", app.open_filter
        yield "Clear filters", "show every open incident", partial(
            app.set_queue_filter, scope="all", text="", status=None, priority=None, include_closed=False)
        yield "Toggle light/dark theme", "switch the colour theme", app.action_toggle_dark_light
        yield "Refresh", "re-read the queue and the incident", app.refresh_queue
        yield "Help: keys", "every key", app.action_help

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
