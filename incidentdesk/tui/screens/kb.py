"""The knowledge screen (K): search the knowledge base, read an article, write a new one.

Type in the search box: results follow as you type (every word must match, the last one also as
a prefix), ranked by the backend's engine with the matches highlighted. Down or Tab moves to the
results, Enter opens one (screens/kb_article.py), n writes a new article, Esc goes back. With no
words typed the most helpful articles are listed. Reads run in a worker; typing faster than the
database answers only keeps the last search (exclusive worker).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from incidentdesk.tui.format import literal


@dataclass
class ResultsLoaded(Message):
    query: str
    hits: list
    browsing: bool


class KnowledgeScreen(Screen):
    DEFAULT_CSS = """
    KnowledgeScreen #kb-search { dock: top; }
    KnowledgeScreen #kb-count { height: 1; padding: 0 1; color: $text-muted; }
    KnowledgeScreen #kb-results { height: 1fr; border: none; }
    """
    BINDINGS = [
        Binding("escape", "close", "Back", id="kb.close"),
        Binding("ctrl+n", "new", "New article", id="kb.new"),
        Binding("n", "new", "New article", show=False, id="kb.new_n"),
        Binding("down", "results", "Results", show=False, id="kb.results"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial_query = query

    def compose(self) -> ComposeResult:
        yield Input(self.initial_query, placeholder="Search the knowledge base: words from the symptom, error, CI…",
                    id="kb-search")
        yield Static("", id="kb-count")
        yield OptionList(id="kb-results")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#kb-search", Input).focus()
        self.search(self.initial_query)

    @on(Input.Changed, "#kb-search")
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @on(Input.Submitted, "#kb-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_results()

    @work(thread=True, exclusive=True, exit_on_error=False, group="kb-search")
    def search(self, query: str) -> None:
        from incidentdesk.domain.kb import search_terms
        from incidentdesk.store import kb_reads

        db = self.app.runtime.db
        if not search_terms(query):
            rows = kb_reads.list_articles(db, limit=50)
            self.post_message(ResultsLoaded(query, rows, True))
            return
        self.post_message(ResultsLoaded(query, kb_reads.search(db, query, limit=50), False))

    @on(ResultsLoaded)
    def _results(self, msg: ResultsLoaded) -> None:
        from incidentdesk.tui.widgets.kb.render import hit_text

        if msg.query != self.query_one("#kb-search", Input).value:
            return  # typed on since
        results = self.query_one("#kb-results", OptionList)
        results.clear_options()
        if msg.browsing:
            options = [Option(Text.assemble(Text(a.key, style="bold"), "  ", literal(a.title, limit=100),
                                            Text(f"  +{a.helpful}", style="dim")), id=a.key) for a in msg.hits]
            count = f"{len(options)} article(s), most helpful first" if options else \
                "No articles yet: n writes one (or `incidentdesk kb import DIR`)."
        else:
            options = [Option(hit_text(h), id=h.key) for h in msg.hits]
            count = f"{len(options)} match(es), best first" if options else "No article matches every word."
        results.add_options(options)
        if options:
            results.highlighted = 0
        self.query_one("#kb-count", Static).update(Text(count + "   enter open · n new · esc back"))

    @on(OptionList.OptionSelected, "#kb-results")
    def _open(self, event: OptionList.OptionSelected) -> None:
        from incidentdesk.tui.screens.kb_article import open_article

        event.stop()
        open_article(self.app, event.option.id)

    def action_results(self) -> None:
        results = self.query_one("#kb-results", OptionList)
        if results.option_count:
            results.focus()

    def action_new(self) -> None:
        from incidentdesk.tui.screens.kb_article import ArticleEditor

        def saved(result) -> None:
            if result:
                self.search(self.query_one("#kb-search", Input).value)

        self.app.push_screen(ArticleEditor({}), saved)

    def action_close(self) -> None:
        self.dismiss(None)


def open_knowledge(main) -> None:
    """From the main screen: the knowledge screen, searching nothing yet (the most helpful articles)."""
    main.app.push_screen(KnowledgeScreen())
