"""The problems screen (B): problems with their status and linked incidents, and the problem use cases.

A list of problems (not closed ones; `c` shows closed too) over the selected one's statement, root
cause, workaround and linked incidents. Its keys run the catalog's problem use cases
(services/catalog/problems.py) through the generated dialogs, each passing the version the screen
last read: if someone saved meanwhile the service refuses (EditConflict), the screen re-reads and
reopens the dialog with what was typed, saying why. `n` opens a problem from the incidents marked
in the queue (space), or a blank one; `l` links the marked incidents to the selected problem.
Reads run in thread workers (store/problems.py); nothing here touches SQL. It re-reads after its own
saves and on ctrl+r (the change feed follows incidents, not problems).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from incidentdesk.domain.errors import DomainError, EditConflict, ValidationError
from incidentdesk.tui.format import literal, notify

STATUS_STYLE = {"open": "bold red", "known_error": "bold yellow", "resolved": "green", "closed": "dim"}
CONFLICT = "Someone saved this problem meanwhile: it was re-read. Check it and save again — your text is kept."


@dataclass
class ProblemsLoaded(Message):
    problems: list
    selected: object   # the selected problem's full view (or None)


@dataclass
class ProblemFailed(Message):
    error: Exception
    name: str = ""
    values: dict | None = None


@dataclass
class ProblemSaved(Message):
    text: str
    key: str | None


class ProblemsScreen(Screen):
    CSS_PATH = "problems.tcss"  # read when first opened, not at start-up

    BINDINGS = [
        Binding("escape", "back", "Back", id="problems.back"),
        Binding("n", "run('problem_new')", "New", id="problems.new", tooltip="a problem from the marked incidents"),
        Binding("e", "run('problem_edit')", "Edit", id="problems.edit",
                tooltip="title, statement, root cause, workaround, owner"),
        Binding("K", "run('problem_known_error')", "Known error", id="problems.known_error"),
        Binding("l", "run('problem_link')", "Link marked", id="problems.link",
                tooltip="link the incidents marked in the queue (space)"),
        Binding("r", "run('problem_resolve')", "Resolve", id="problems.resolve",
                tooltip="resolve it and its open linked incidents"),
        Binding("x", "run('problem_close')", "Close", id="problems.close"),
        Binding("c", "toggle_closed", "Closed too", id="problems.closed"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="problems.refresh"),
    ]

    def __init__(self, marked: dict[int, str] | None = None) -> None:
        super().__init__(id="problems-screen")
        self.marked = marked if marked is not None else {}
        self.problems: list = []
        self.current = None
        self.include_closed = False
        self._want: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="problems-heading")
        table = DataTable(id="problems-table", cursor_type="row", zebra_stripes=True)
        table.add_column("Key", key="key", width=10)
        table.add_column("Status", key="status", width=11)
        table.add_column("Open/linked", key="count", width=11)
        table.add_column("Title", key="title")
        yield table
        with VerticalScroll(id="problem-body"):
            yield Static(id="problem-detail")
        yield Footer()

    def on_mount(self) -> None:
        self._heading()
        self.query_one("#problem-detail", Static).update(Text("loading…", style="dim"))
        self.fetch(None)

    def _heading(self) -> None:
        marked = f" · {len(self.marked)} incident(s) marked in the queue: n opens a problem from them" \
            if self.marked else " · mark incidents in the queue with space to open one problem from them"
        scope = "all problems" if self.include_closed else "problems not closed"
        self.query_one("#problems-heading", Static).update(
            Text.assemble(Text("Problems", style="bold"), Text(f" — {scope}{marked}", style="dim")))

    # --- reads ---------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="problems")
    def fetch(self, key: str | None) -> None:
        from incidentdesk.store.problems import list_problems, load_problem

        db = self.app.runtime.db
        try:
            problems = list_problems(db, include_closed=self.include_closed)
            key = key or (problems[0].key if problems else None)
            selected = load_problem(db, key) if key else None
        except DomainError as exc:
            self.post_message(ProblemFailed(exc))
            return
        self.post_message(ProblemsLoaded(problems, selected))

    @on(ProblemsLoaded)
    def _loaded(self, msg: ProblemsLoaded) -> None:
        self.problems = msg.problems
        table = self.query_one("#problems-table", DataTable)
        table.clear()
        for p in msg.problems:
            table.add_row(Text(p.key), Text(p.status.replace("_", " "), style=STATUS_STYLE.get(p.status, "")),
                          Text(f"{p.open_count}/{p.linked_count}"), literal(p.title), key=p.key)
        self.current = msg.selected
        if msg.selected is not None:
            keys = [p.key for p in msg.problems]
            if msg.selected.key in keys:
                table.move_cursor(row=keys.index(msg.selected.key), animate=False)
        self._show(msg.selected)
        self._heading()
        if self._want is not None:   # a dialog refused by a conflict: reopen it on the state just read
            name, values = self._want, self._reopen_values
            self._want = None
            self._open(name, values, notice=CONFLICT)

    def _show(self, p) -> None:
        body = self.query_one("#problem-detail", Static)
        if p is None:
            body.update(Text("No problems yet. Press n to open one (mark incidents in the queue with space first).",
                             style="dim"))
            return
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="bold", no_wrap=True, width=12)
        grid.add_column(ratio=1)
        grid.add_row("Status", Text(p.status.replace("_", " "), style=STATUS_STYLE.get(p.status, "")))
        grid.add_row("Owner", literal(p.owner or "—"))
        for label, value in (("Statement", p.statement), ("Root cause", p.root_cause), ("Workaround", p.workaround)):
            grid.add_row(label, literal(value or "—", single_line=False))
        if p.from_follow_up:
            grid.add_row("From", literal(f"review follow-up {p.from_follow_up}"))
        incidents = Table.grid(padding=(0, 1))
        for i in p.incidents:
            incidents.add_row(Text(i.key), Text(f"P{i.priority}"), Text(i.status.replace("_", " ")), literal(i.title))
        from rich.console import Group

        body.update(Group(Text.assemble(Text(p.key, style="bold"), "  ", literal(p.title, "bold"),
                                        Text(f"  v{p.version}", style="dim")), grid,
                          Text(f"Linked incidents ({p.open_count} open of {p.linked_count})", style="bold underline"),
                          incidents if p.incidents else Text("none", style="dim")))

    @on(DataTable.RowHighlighted, "#problems-table")
    def _highlighted(self, msg: DataTable.RowHighlighted) -> None:
        key = msg.row_key.value if msg.row_key is not None else None
        if key and (self.current is None or self.current.key != key):
            self.fetch(key)

    @on(ProblemFailed)
    def _failed(self, msg: ProblemFailed) -> None:
        exc = msg.error
        if isinstance(exc, EditConflict) and msg.name:
            notify(self.app, str(exc), title="Not saved: changed meanwhile", severity="error", timeout=10)
            self._want, self._reopen_values = msg.name, msg.values
            self.fetch(self.current.key if self.current else None)
            return
        if isinstance(exc, ValidationError) and msg.name:
            notify(self.app, str(exc), title="Not saved", severity="warning")
            self._open(msg.name, msg.values, errors={exc.field or "general": str(exc)})
            return
        text = str(exc) if isinstance(exc, DomainError) else f"unexpected error ({type(exc).__name__}): {exc}"
        notify(self.app, text, title="Problems", severity="error", timeout=8)

    # --- the use cases ---------------------------------------------------------------------------
    def action_run(self, name: str) -> None:
        if name != "problem_new" and self.current is None:
            notify(self.app, "No problem selected.", severity="warning")
            return
        if name == "problem_link" and not self.marked:
            notify(self.app, "Mark incidents in the queue first (space), then press l here.", severity="warning")
            return
        self._open(name, None)

    def _open(self, name: str, values: dict | None, *, errors: dict | None = None, notice: str = "") -> None:
        from incidentdesk.tui.problem_forms import problem_form
        from incidentdesk.tui.screens.form import FormScreen

        spec, fixed = problem_form(name, self.current, self.marked, self.app.main_screen.runner.pickers,
                                   self.app.runtime.config)
        spec.errors, spec.notice = dict(errors or {}), notice

        def done(result: dict | None) -> None:
            if result is not None:
                self.save(name, {**result, **fixed}, result)

        self.app.push_screen(FormScreen(spec, values), done)

    @work(thread=True, exclusive=False, exit_on_error=False, group="problem-save")
    def save(self, name: str, raw: dict, typed: dict) -> None:
        from incidentdesk.services.catalog import BY_NAME, invoke

        uc = BY_NAME[name]
        try:
            outcome = invoke(uc, self.app.runtime.ctx, raw)
        except Exception as exc:   # a DomainError, or a bug: reported, the screen stays
            self.post_message(ProblemFailed(exc, name, typed))
            return
        self.post_message(ProblemSaved(f"{outcome.key}: {uc.title.lower()} done", outcome.key))

    @on(ProblemSaved)
    def _saved(self, msg: ProblemSaved) -> None:
        notify(self.app, msg.text)
        if self.marked and msg.key:   # the marked incidents went into a problem: the marks are spent
            self.marked.clear()
            self.app.main_screen.pager.table.refresh_marks()
        self.fetch(msg.key)

    def action_toggle_closed(self) -> None:
        self.include_closed = not self.include_closed
        self.fetch(None)

    def action_reload(self) -> None:
        self.fetch(self.current.key if self.current else None)

    def action_back(self) -> None:
        self.app.pop_screen()


def open_problems(main) -> None:
    """The `B` key of the main screen (screens/openers.py)."""
    main.app.push_screen(ProblemsScreen(main.pager.table.marks.marked))
