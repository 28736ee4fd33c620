"""Search hits as Rich Text: the engine's highlights become styles, every character of the text stays literal.

The snippet arrives with the matches between domain/kb.MARK_START and MARK_END (private-use
characters); split_marks cuts it there and removes control characters, and each piece is
appended as plain text — never parsed as markup — so `[@click=...]` in an article is shown, not run.
"""

from __future__ import annotations

from rich.text import Text

from incidentdesk.domain.kb import split_marks
from incidentdesk.tui.format import literal

MATCH_STYLE = "bold reverse"


def snippet_text(snippet: str, *, limit: int = 200) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    used = 0
    for piece, marked in split_marks(snippet):
        piece = piece[: max(0, limit - used)]
        used += len(piece)
        out.append(piece, style=MATCH_STYLE if marked else "")
    return out


def hit_text(hit, *, linked: bool = False) -> Text:
    """Two or three lines: key and title (with the helpful count or when resolved), the snippet, the fix."""
    head = Text.assemble(Text(hit.key, style="bold"), "  ")
    head.append_text(literal(hit.title, limit=100))
    if hit.kind == "article":
        head.append(f"  +{hit.helpful}", style="dim")
        if linked:
            head.append("  ✓ fixed it", style="bold green")
    lines = [head, Text("  ").append_text(snippet_text(hit.snippet))]
    if hit.kind == "incident":
        fix = Text.assemble(("  fix: ", "bold"), literal(hit.resolution_notes or "—", limit=160))
        lines.append(fix)
    return Text("\n").join(lines)
