"""`[priority_matrix]`: impact -> urgency -> priority; cells left out keep the default matrix."""

from __future__ import annotations

from typing import Annotated

from incidentdesk.config.base import Section, bad, doc, set_field
from incidentdesk.domain.enums import Level
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.priority import DEFAULT_MATRIX, parse_priority

Cell = Annotated[str | int | None, doc("P1..P4")]


class MatrixRow(Section):
    """One impact's row: the priority for each urgency."""

    high: Cell = None
    medium: Cell = None
    low: Cell = None

    def __post_init__(self) -> None:
        for urgency in ("high", "medium", "low"):
            value = getattr(self, urgency)
            if value is not None:
                try:
                    set_field(self, urgency, f"P{parse_priority(value)}")
                except ValidationError:
                    raise bad(urgency, value, 'use a priority: "P1", "P2", "P3" or "P4"') from None


def _row(impact: Level) -> MatrixRow:
    return MatrixRow(**{u.value: f"P{DEFAULT_MATRIX[(impact, u)]}" for u in (Level.HIGH, Level.MEDIUM, Level.LOW)})


class PriorityMatrix(Section):
    high: Annotated[MatrixRow, doc("impact high: { high = \"P1\", medium = \"P2\", low = \"P3\" }")] = _row(Level.HIGH)
    medium: Annotated[MatrixRow, doc("impact medium")] = _row(Level.MEDIUM)
    low: Annotated[MatrixRow, doc("impact low")] = _row(Level.LOW)

    def __post_init__(self) -> None:
        for impact in (Level.HIGH, Level.MEDIUM, Level.LOW):  # a partial row keeps the default cells
            row, default = getattr(self, impact.value), _row(impact)
            set_field(self, impact.value, MatrixRow(**{u: getattr(row, u) or getattr(default, u)
                                                       for u in ("high", "medium", "low")}))

    def matrix(self) -> dict[tuple[Level, Level], int]:
        return {(Level(i), Level(u)): parse_priority(getattr(getattr(self, i), u))
                for i in ("high", "medium", "low") for u in ("high", "medium", "low")}
