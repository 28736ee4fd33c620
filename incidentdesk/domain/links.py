"""Incidents linked to each other: a child of a parent (one outage that many people report) or a
duplicate of another (the same report twice). Pure rules; services/links.py applies them.

Both fold the linked incident under the other in the queue and both are resolved with it: when
the parent (or the original) is resolved, its open children and duplicates are resolved with a
note in the same transaction. Links are one level deep — a parent is never itself folded under
another, and an incident with children cannot become a child — so folding and the cascade never
chase chains, and there are no cycles to detect.
"""

from __future__ import annotations

from enum import StrEnum

from incidentdesk.domain.errors import ValidationError


class LinkKind(StrEnum):
    CHILD = "child"
    DUPLICATE = "duplicate"


def check_link(key: str, other_key: str, kind: LinkKind, *, same: bool, other_folded_under: str | None,
               has_children: int) -> None:
    """Refuse a link that would make a chain or a loop, with what to do instead."""
    word = "a duplicate of" if kind is LinkKind.DUPLICATE else "a child of"
    if same:
        raise ValidationError(f"{key} cannot be {word} itself", field="other")
    if other_folded_under:
        raise ValidationError(f"{other_key} is itself folded under {other_folded_under}: link {key} to "
                              f"{other_folded_under} instead", field="other")
    if has_children:
        raise ValidationError(f"{key} has {has_children} incident(s) folded under it: unlink them first, "
                              "or link them to the other incident", field="other")


def cascade_note(parent_key: str, kind: LinkKind | str, notes: str) -> str:
    """The resolution note of an incident resolved because its parent (or original) was."""
    word = "duplicate of" if LinkKind(kind) is LinkKind.DUPLICATE else "child of"
    return f"resolved with {parent_key} ({word} it): {notes}"
