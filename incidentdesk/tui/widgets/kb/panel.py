"""The incident pane's Knowledge tab: articles and similar resolved incidents for the incident shown.

Suggestions are read in this panel's own thread worker, and only while the tab is visible: the
detail is on screen first, and moving through the queue with the tab hidden costs no search.
Keys (with the list focused): enter opens an article, F records "this fixed it" for the selected
article, A turns the selected resolved incident (or this one, when resolved) into an article in the
editor, prefilled. Everything shown is literal text (widgets/kb/render.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from incidentdesk.tui.format import notify, safe


@dataclass
class SuggestionsLoaded(Message):
    key: str
    found: object


@dataclass
class KnowledgeFailed(Message):
    error: Exception


@dataclass
class LinkedFixed(Message):
    key: str
    article: str


class KnowledgePanel(Vertical):
    DEFAULT_CSS = """
    KnowledgePanel { height: auto; }
    KnowledgePanel #kb-summary { height: auto; color: $text-muted; }
    KnowledgePanel #kb-hits { height: auto; max-height: 40; border: none; }
    """
    BINDINGS = [
        Binding("F", "fixed", "This fixed it", id="kb.fixed", tooltip="record that the selected article fixed it"),
        Binding("A", "to_article", "Turn into article", id="kb.to_article",
                tooltip="a new article prefilled from the selected resolved incident"),
    ]

    def __init__(self, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self.detail = None
        self.found = None
        self._loaded_for: tuple | None = None

    def compose(self) -> ComposeResult:
        # the list (OptionList) is mounted with the first suggestions: the pane is on the way to the first screen
        yield Static(Text("No incident selected.", style="dim"), id="kb-summary")

    def _hits(self):
        """The list of suggestions, or None before the first were shown."""
        found = self.query("#kb-hits")
        return found.first() if found else None

    # --- what the main screen calls -------------------------------------------------------------
    def show(self, detail) -> None:
        self.detail = detail
        if detail is None:
            self._loaded_for, self.found = None, None
            self.query_one("#kb-summary", Static).update(Text("No incident selected.", style="dim"))
            if self._hits() is not None:
                self._hits().clear_options()
            return
        if self.is_on_screen:
            self.reload()

    def on_show(self) -> None:
        self.reload()

    @property
    def is_on_screen(self) -> bool:
        pane = self.query_ancestor("TabPane") if self.is_mounted else None
        return pane is not None and pane.display and self.screen.is_current and self.region.width > 0

    def reload(self, force: bool = False) -> None:
        d = self.detail
        if d is None:
            return
        stamp = (d.key, d.version)
        if stamp == self._loaded_for and not force:
            return
        self._loaded_for = stamp
        if self.found is None or self.found.incident != d.key:
            self.query_one("#kb-summary", Static).update(Text(f"Looking for knowledge about {d.key}…", style="dim"))
        self.load(d.key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="kb-suggest")
    def load(self, key: str) -> None:
        from incidentdesk.domain.errors import DomainError
        from incidentdesk.store.kb_reads import suggestions

        try:
            found = suggestions(self.app.runtime.db, key)
        except DomainError as exc:
            self.post_message(KnowledgeFailed(exc))
            return
        self.post_message(SuggestionsLoaded(key, found))

    @on(SuggestionsLoaded)
    async def _loaded(self, msg: SuggestionsLoaded) -> None:
        from textual.widgets import OptionList
        from textual.widgets.option_list import Option

        from incidentdesk.tui.widgets.kb.render import hit_text

        if self.detail is None or msg.key != self.detail.key:
            return  # the selection moved on while this was read
        hits = self._hits()
        if hits is None:
            hits = OptionList(id="kb-hits")
            await self.mount(hits)
        self.found = found = msg.found
        highlighted = hits.highlighted
        hits.clear_options()
        options: list = []
        if found.articles:
            options.append(Option(Text("Articles", style="bold underline"), disabled=True))
            options += [Option(hit_text(h, linked=h.key in found.linked), id=f"article:{h.key}") for h in found.articles]
        if found.incidents:
            options.append(Option(Text("Resolved before", style="bold underline"), disabled=True))
            options += [Option(hit_text(h), id=f"incident:{h.key}") for h in found.incidents]
        hits.add_options(options)
        if options:
            hits.highlighted = highlighted if highlighted is not None and highlighted < len(options) else 1
            if self.screen.focused is self.parent:  # the tab was opened (its scroll area focused): keys act on the list
                hits.focus()
        summary = (f"{len(found.articles)} article(s), {len(found.incidents)} resolved before"
                   if options else f"Nothing in the knowledge base matches {found.incident} yet.")
        keys = "   enter open · F fixed it · A to article" if options else "   A turn into article"
        self.query_one("#kb-summary", Static).update(Text.assemble(summary, Text(keys, style="dim")))

    @on(KnowledgeFailed)
    def _failed(self, msg: KnowledgeFailed) -> None:
        self._loaded_for = None  # the next show() tries again
        notify(self.app, safe(str(msg.error)), title="Knowledge", severity="warning")

    def on_worker_state_changed(self, event) -> None:
        """A read that failed with something other than a DomainError (a lost connection...): say so, retry later."""
        from textual.worker import WorkerState

        if event.state is WorkerState.ERROR and event.worker.group in ("kb-suggest", "kb-fixed"):
            self.post_message(KnowledgeFailed(RuntimeError(f"could not read the knowledge base: {event.worker.error}")))

    # --- actions ------------------------------------------------------------------------------
    def _selected(self) -> tuple[str, str] | None:
        hits = self._hits()
        if hits is None or hits.highlighted is None or hits.option_count == 0:
            return None
        option = hits.get_option_at_index(hits.highlighted)
        if not option.id:
            return None
        kind, _, key = option.id.partition(":")
        return kind, key

    def on_option_list_option_selected(self, event) -> None:
        """Enter on a suggestion (OptionList.OptionSelected; the list is imported with the first suggestions)."""
        event.stop()
        kind, _, key = (event.option.id or "").partition(":")
        if kind == "article":
            from incidentdesk.tui.screens.kb_article import open_article

            open_article(self.app, key, incident=self.detail.key if self.detail else None)
        elif kind == "incident":
            hit = next(h for h in self.found.incidents if h.key == key)
            notify(self.app, f"{key} was fixed with: {safe(hit.resolution_notes or '—')}", title=safe(hit.title),
                   timeout=12)

    def action_fixed(self) -> None:
        selected = self._selected()
        if self.detail is None or selected is None or selected[0] != "article":
            notify(self.app, "Select an article first (the list under Articles).", severity="warning")
            return
        self.link_fixed(self.detail.key, selected[1])

    @work(thread=True, exclusive=True, exit_on_error=False, group="kb-fixed")
    def link_fixed(self, key: str, article: str) -> None:
        from incidentdesk.domain.errors import DomainError
        from incidentdesk.services.kb import mark_fixed

        try:
            mark_fixed(self.app.runtime.ctx, key, article=article)
        except DomainError as exc:
            self.post_message(KnowledgeFailed(exc))
            return
        self.post_message(LinkedFixed(key, article))

    @on(LinkedFixed)
    def _linked(self, msg: LinkedFixed) -> None:
        notify(self.app, f"{msg.key}: fixed by {msg.article}")
        self.reload(force=True)

    def action_to_article(self) -> None:
        from incidentdesk.tui.screens.kb_article import draft_from

        selected = self._selected()
        if selected is not None and selected[0] == "incident":
            draft_from(self.app, selected[1])
        elif self.detail is not None and self.detail.status in ("resolved", "closed"):
            draft_from(self.app, self.detail.key)
        else:
            notify(self.app, "Select a resolved incident (under Resolved before), or resolve this one first.",
                   severity="warning")
