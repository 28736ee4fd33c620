"""One article: read it (Markdown rendered by Textual's Markdown widget), write or edit it (a TextArea).

Untrusted content: the body has its control characters removed before rendering, Markdown text is
shown as text (`[@click=...]` is characters, not an action), and links do not open anything or run
an action — following one only says where it points (open_links=False and LinkClicked handled here).

The editor saves the whole article with ctrl+s once every key typed before it has reached its field
(screens/dialog.Dialog.after_typed_input): a fast typist's burst is saved whole. The save runs in a
worker; a conflicting edit (someone saved first) is refused by the service and the editor stays
open with everything typed, saying who changed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Markdown, Static, TextArea

from incidentdesk.domain.errors import DomainError, EditConflict
from incidentdesk.domain.text import strip_control
from incidentdesk.tui.format import literal, notify, safe
from incidentdesk.tui.screens.dialog import Dialog


@dataclass
class ArticleLoaded(Message):
    article: object


@dataclass
class ArticleFailed(Message):
    error: Exception


@dataclass
class DraftReady(Message):
    draft: dict


@dataclass
class ArticleSaved(Message):
    key: str


class ArticleScreen(Screen):
    """An article read-only: its fields, then the body as Markdown. e edits it, F "this fixed it"."""

    DEFAULT_CSS = """
    ArticleScreen #article-head { height: auto; padding: 0 1; background: $boost; }
    ArticleScreen #article-body { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "close", "Back", id="kb.article.close"),
        Binding("e", "edit", "Edit", id="kb.article.edit"),
        Binding("F", "fixed", "This fixed it", id="kb.article.fixed"),
    ]

    def __init__(self, key: str, incident: str | None = None) -> None:
        super().__init__()
        self.key, self.incident, self.article = key, incident, None

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.key} …", style="bold"), id="article-head")
        with VerticalScroll(id="article-body"):
            yield Markdown("", open_links=False, id="article-markdown")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="kb-article")
    def load(self) -> None:
        from incidentdesk.store.kb_reads import load_article

        try:
            self.post_message(ArticleLoaded(load_article(self.app.runtime.db, self.key)))
        except DomainError as exc:
            self.post_message(ArticleFailed(exc))

    @on(ArticleLoaded)
    async def _loaded(self, msg: ArticleLoaded) -> None:
        a = self.article = msg.article
        head = Text.assemble(Text(a.key, style="bold"), "  ", literal(a.title, "bold", limit=200))
        fields = literal(f"category {a.category or '-'} · CI/service {a.ci or '-'} · tags {a.tags or '-'}", "dim")
        who = literal(f"by {a.author} · updated {a.updated_at:%Y-%m-%d %H:%M} by {a.updated_by} · version "
                      f"{a.version} · helpful {a.helpful}" + (" · RETIRED" if a.retired else ""), "dim")
        self.query_one("#article-head", Static).update(Text("\n").join([head, fields, who]))
        await self.query_one(Markdown).update(strip_control(a.body) or "*(no body yet)*")

    @on(ArticleFailed)
    def _failed(self, msg: ArticleFailed) -> None:
        notify(self.app, safe(str(msg.error)), title="Knowledge", severity="warning")

    @on(Markdown.LinkClicked)
    def _link(self, event: Markdown.LinkClicked) -> None:
        event.stop()  # never opened, never run as an action
        notify(self.app, f"Link: {safe(event.href)}", title="Not opened", timeout=8)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        if self.article is None:
            return
        a = self.article
        self.app.push_screen(ArticleEditor(dict(title=a.title, body=a.body, category=a.category or "", ci=a.ci or "",
                                                tags=a.tags), key=a.key, version=a.version),
                             lambda saved: self.load() if saved else None)

    def action_fixed(self) -> None:
        if self.incident is None:
            notify(self.app, "Open the article from an incident's Knowledge tab to record that it fixed it.",
                   severity="warning")
            return
        self._fixed(self.incident)

    @work(thread=True, exclusive=True, exit_on_error=False, group="kb-fixed")
    def _fixed(self, incident: str) -> None:
        from incidentdesk.services.kb import mark_fixed

        try:
            mark_fixed(self.app.runtime.ctx, incident, article=self.key)
        except DomainError as exc:
            self.post_message(ArticleFailed(exc))
            return
        self.app.call_from_thread(notify, self.app, f"{incident}: fixed by {self.key}")
        self.app.call_from_thread(self.load)


FIELDS = (("title", "Title"), ("category", "Category (Service/System/Application)"), ("ci", "CI or service"),
          ("tags", "Tags (comma-separated)"))


class ArticleEditor(Dialog):
    """New or edited article: title, category, CI, tags and the Markdown body. ctrl+s saves, Esc asks first."""

    DEFAULT_CSS = """
    ArticleEditor #dialog.kb-editor { width: 100; height: 90%; }
    ArticleEditor #kb-body { height: 1fr; min-height: 5; }
    ArticleEditor #kb-fields { height: auto; }
    ArticleEditor .kb-label { color: $text-muted; height: 1; }
    """
    SAVE_BUTTON = "#submit"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="kb.editor.save", priority=True),
        Binding("escape", "close", "Close", id="kb.editor.close"),
    ]

    def __init__(self, values: dict, *, key: str | None = None, version: int | None = None) -> None:
        super().__init__(classes="form-screen")
        self.initial = {name: values.get(name) or "" for name, _ in FIELDS} | {"body": values.get("body") or ""}
        self.from_incident = values.get("from_incident")
        self.key, self.version = key, version

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="kb-editor"):
            title = f"Edit {self.key} (version {self.version})" if self.key else "New article" + (
                f" from {self.from_incident}" if self.from_incident else "")
            yield Static(Text(title), id="dialog-title")
            with Vertical(id="kb-fields"):
                for name, label in FIELDS:
                    yield Static(Text(label), classes="kb-label")
                    yield Input(self.initial[name], id=f"kb-{name}")
            yield Static(Text("Body (Markdown)"), classes="kb-label")
            yield TextArea(self.initial["body"], id="kb-body", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="dialog-notice")
            yield Button("Save (ctrl+s)", id="submit", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#dialog-notice").display = False
        self.query_one("#kb-title", Input).focus()

    def values(self) -> dict:
        out = {name: self.query_one(f"#kb-{name}", Input).value for name, _ in FIELDS}
        out["body"] = self.query_one("#kb-body", TextArea).text
        return out

    def is_dirty(self) -> bool:
        return self.values() != self.initial

    def dialog_title(self) -> str:
        return "this article"

    def request_save(self) -> None:
        """Wait for every key typed before ctrl+s, then save in a worker; the editor stays open until saved."""
        if self.saving:
            return
        self.saving = True
        self.after_typed_input(lambda: self._save(self.values()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="kb-save")
    def _save(self, values: dict) -> None:
        from incidentdesk.services import kb

        ctx = self.app.runtime.ctx
        try:
            if self.key is None:
                key = kb.write_article(ctx, title=values["title"], body=values["body"], category=values["category"],
                                       ci=values["ci"], tags=values["tags"], from_incident=self.from_incident)
            else:
                kb.edit_article(ctx, self.key, title=values["title"], body=values["body"],
                                category=values["category"], ci=values["ci"], tags=values["tags"],
                                version=self.version)
                key = self.key
        except DomainError as exc:
            self.post_message(ArticleFailed(exc))
            return
        self.post_message(ArticleSaved(key))

    @on(ArticleSaved)
    def _saved(self, msg: ArticleSaved) -> None:
        notify(self.app, f"{msg.key}: article saved")
        self.saving = False
        self.dismiss({"key": msg.key})

    @on(ArticleFailed)
    def _failed(self, msg: ArticleFailed) -> None:
        self.saving = False
        notice = self.query_one("#dialog-notice", Static)
        prefix = "Not saved — someone else saved first. " if isinstance(msg.error, EditConflict) else "Not saved: "
        notice.update(Text(prefix + safe(str(msg.error))))
        notice.display = True

    def action_save(self) -> None:
        self.request_save()

    def action_close(self) -> None:
        self.request_cancel()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()


def open_article(app, key: str, *, incident: str | None = None) -> None:
    app.push_screen(ArticleScreen(key, incident))


def draft_from(app, incident: str) -> None:
    """The editor prefilled from a resolved incident (read in a worker first)."""

    def read() -> None:
        from incidentdesk.domain.kb import INDEXED_STATUSES, draft_from_incident
        from incidentdesk.store.kb_reads import incident_for_article

        try:
            found = incident_for_article(app.runtime.db, incident)
        except DomainError as exc:
            app.call_from_thread(notify, app, safe(str(exc)), severity="warning")
            return
        if found["status"] not in INDEXED_STATUSES:
            app.call_from_thread(notify, app, f"{incident} is not resolved: an article is made from a resolved "
                                              "incident", severity="warning")
            return
        app.call_from_thread(app.push_screen, ArticleEditor(draft_from_incident(found)))

    app.run_worker(read, thread=True, exclusive=True, group="kb-draft", exit_on_error=False)
