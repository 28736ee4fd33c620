"""The queue's marks beside its table: rows marked for a batch (space), parents unfolded (z), and the
markers a row's title carries — ● marked, ↻ recurring (domain/recurring.py), ▸N incidents folded
under it, ▾ unfolded, ↳ folded under another — plus the one-off notice for a recurring incident.

Kept apart from the table and the pager (both near their size limit) and free of I/O: the table
renders with it, the pager asks it which parents to unfold in the queue's SQL (QueueFilter.expanded)
and shows its fold counts ("14 folded under 3 parents"); the problems screen (B) reads the marked
set to open one problem from several incidents.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message

from incidentdesk.domain.recurring import MARKER

PROBLEM_KEY = ("incident.problem_from_incident", "b")


@dataclass
class FoldCounted(Message):
    """How many incidents the shown view folds away, under how many parents (counted with the total)."""

    folded: int
    parents: int
    generation: int


class QueueMarks:
    def __init__(self) -> None:
        self.marked: dict[int, str] = {}     # incident id -> key, in the order marked
        self.expanded: set[int] = set()      # parents whose folded incidents the queue shows
        self.folded = (0, 0)                 # (folded away, under how many parents) in the shown view
        self._noticed: set[int] = set()

    def toggle_mark(self, row) -> bool:
        """Mark or unmark `row`; True if it is marked now."""
        if self.marked.pop(row.id, None) is not None:
            return False
        self.marked[row.id] = row.key
        return True

    def clear(self) -> None:
        self.marked.clear()

    def toggle_fold(self, row) -> str | None:
        """Unfold `row`'s folded incidents, or fold them (on the parent or on one of its children)
        again; None when there is nothing folded here, else a line saying what happened."""
        parent = row.parent_id if row.parent_id is not None else row.id if row.folded else None
        if parent is None:
            return None
        if parent in self.expanded:
            self.expanded.discard(parent)
            return "folded"
        self.expanded.add(parent)
        return "unfolded"

    def unfolded(self) -> tuple[int, ...]:
        return tuple(sorted(self.expanded))

    def prefix(self, row) -> Text:
        """The markers before the row's title (empty for a plain row, so its title is as before)."""
        parts: list[tuple[str, str]] = []
        if row.id in self.marked:
            parts.append(("●", "bold magenta"))
        if row.recurring:
            parts.append((MARKER, "bold yellow"))
        if row.parent_id is not None:
            parts.append(("↳", "dim"))
        elif row.folded:
            parts.append(("▾" if row.id in self.expanded else f"▸{row.folded}", "cyan"))
        text = Text()
        for mark, style in parts:
            text.append(mark, style=style)
        if parts:
            text.append(" ")
        return text

    def fold_moved(self, shown: dict, fresh) -> bool:
        """Whether re-read rows were folded under (or unfolded from) a parent since shown: the page must be
        read again, as those rows leave it (or their parent's count changes)."""
        return any(row.id in shown and shown[row.id].parent_id != row.parent_id for row in fresh)

    def status_words(self) -> str:
        """The status line's note on folding and marks ("" when there is nothing to say)."""
        folded, parents = self.folded
        words = []
        if folded:
            words.append(f"{folded:,} folded under {parents:,} parent{'s' if parents != 1 else ''} (z)")
        if self.marked:
            words.append(f"{len(self.marked)} marked")
        return " · ".join(words)

    def recurring_notice(self, row, problem_key: str) -> str | None:
        """The notice for a recurring incident, once per incident per session; None otherwise."""
        if row is None or not getattr(row, "recurring", False) or row.id in self._noticed:
            return None
        self._noticed.add(row.id)
        return (f"{row.key} is recurring ({MARKER}): several incidents on its CI or category within the "
                f"[problems] window — press {problem_key} to open a problem from it")
