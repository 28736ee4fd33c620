"""Impact x urgency -> priority, by a matrix that config may override.

Priority says what to work on next; severity (business impact) is kept apart on purpose,
so neither is derived from the other.
"""

from collections.abc import Mapping

from incidentdesk.domain.enums import Level
from incidentdesk.domain.errors import ValidationError

PRIORITIES = (1, 2, 3, 4)

DEFAULT_MATRIX: dict[tuple[Level, Level], int] = {
    (Level.HIGH, Level.HIGH): 1,
    (Level.HIGH, Level.MEDIUM): 2,
    (Level.MEDIUM, Level.HIGH): 2,
    (Level.HIGH, Level.LOW): 3,
    (Level.MEDIUM, Level.MEDIUM): 3,
    (Level.LOW, Level.HIGH): 3,
    (Level.MEDIUM, Level.LOW): 4,
    (Level.LOW, Level.MEDIUM): 4,
    (Level.LOW, Level.LOW): 4,
}


def parse_priority(text: str | int) -> int:
    value = str(text).strip().upper().removeprefix("P")
    if value.isdigit() and int(value) in PRIORITIES:
        return int(value)
    raise ValidationError(f"unknown priority {text!r}: use P1, P2, P3 or P4", field="priority")


def matrix_from_config(table: Mapping[str, Mapping[str, str | int]] | None) -> dict[tuple[Level, Level], int]:
    """Build a full matrix from `[priority_matrix]` (impact -> {urgency -> "P2"}).

    Cells the config leaves out keep the default, so a partial override is safe.
    """
    matrix = dict(DEFAULT_MATRIX)
    for impact_text, row in (table or {}).items():
        impact = Level(impact_text.lower())
        for urgency_text, prio in row.items():
            matrix[(impact, Level(urgency_text.lower()))] = parse_priority(prio)
    return matrix


def derive_priority(impact: Level, urgency: Level, matrix: Mapping[tuple[Level, Level], int] | None = None) -> int:
    return (matrix or DEFAULT_MATRIX)[(Level(impact), Level(urgency))]
