"""The key bar: Textual's Footer, rebuilt only when what it shows changes.

Footer rebuilds all its keys whenever the screen says its bindings may have changed (each
focus change, each screen push). At start-up that happens four times before the first page
is on screen, with the very same keys each time; with a dozen keys each rebuild costs tens
of milliseconds. This one compares what it would show with what it shows and skips a rebuild
that would change nothing. Textual is pinned (pyproject.toml), and tests/tui cover the bar.
"""

from __future__ import annotations

from textual.widgets import Footer


class DeskFooter(Footer):
    _shown: tuple | None = None

    def _signature(self) -> tuple:
        app = self.app
        keys = tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, binding.show,
             binding.group, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
        )
        return keys, self.compact, self.show_command_palette, app.ENABLE_COMMAND_PALETTE

    def bindings_changed(self, screen) -> None:
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            super().bindings_changed(screen)
            return
        self._bindings_ready = True
        self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        signature = self._signature()
        if signature != self._shown:
            self._shown = signature
            await self.recompose()
