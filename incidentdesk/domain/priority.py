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


def derive_priority(impact: Level, urgency: Level, matrix: Mapping[tuple[Level, Level], int] | None = None) -> int:
    return (matrix or DEFAULT_MATRIX)[(Level(impact), Level(urgency))]
