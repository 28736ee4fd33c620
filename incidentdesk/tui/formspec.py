"""What a dialog asks for: plain data, so building the action list needs no widgets.

The dialog itself (screens/form.py, with Textual's input widgets) is imported only when one opens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.text import Text


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text | area | select | check | int | pick (fuzzy, from options: widgets/fuzzy.py)
    options: Sequence[tuple[str, str]] = ()
    required: bool = False
    placeholder: str = ""
    value: object = None
    lo: int | None = None
    hi: int | None = None
    help: str = ""


@dataclass
class FormSpec:
    title: str
    fields: list[FormField]
    subject: str = ""  # e.g. "INC-000012 Payments API down" (untrusted: shown literally)
    submit_label: str = "Save"
    preview: Callable[[dict], Text | None] | None = None
    notice: str = ""
    errors: dict[str, str] = field(default_factory=dict)
