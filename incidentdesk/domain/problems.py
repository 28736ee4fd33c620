"""Problems and known errors (ITIL problem management), as pure rules: statuses, steps, keys, matching.

A problem (PRB-000012) is the cause behind one or more incidents. It is `open` while the cause is
looked for, a `known_error` once a workaround is written down (the root cause may still be
unknown: ITIL's known error is "documented, with a workaround"), `resolved` when the cause is
fixed (which resolves its open linked incidents, services/problems.py) and `closed` at the end.
Nothing here does I/O; the services apply these rules inside their transaction.

Which incidents a known error's workaround is shown on (`matches`): every incident linked to the
problem, and every other incident, open or not, whose CI is one of the linked incidents' CIs or,
when it has no CI, whose category is one of theirs. The CI is the stronger signal (the same
asset failing the same way), so an incident with a CI is matched by CI only: two incidents in
"Email/Exchange" on different servers are not assumed to share a cause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from incidentdesk.domain.errors import InvalidTransition, NotFound, ValidationError


class ProblemStatus(StrEnum):
    OPEN = "open"
    KNOWN_ERROR = "known_error"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


P = ProblemStatus
# step -> {from: to}; a step not listed for a status is refused with what is possible from there
STEPS: dict[str, dict[ProblemStatus, ProblemStatus]] = {
    "known_error": {P.OPEN: P.KNOWN_ERROR},
    "resolve": {P.OPEN: P.RESOLVED, P.KNOWN_ERROR: P.RESOLVED},
    "close": {P.RESOLVED: P.CLOSED},
}
# Edits (text, links) are possible until the problem is closed.
EDITABLE = frozenset({P.OPEN, P.KNOWN_ERROR, P.RESOLVED})
STEP_WORDS = {"known_error": "mark a known error", "resolve": "resolve", "close": "close",
              "edit": "edit", "link": "link incidents to", "unlink": "unlink incidents from"}

_KEY = re.compile(r"^\s*(?:PRB-?)?0*(\d+)\s*$", re.IGNORECASE)


def format_problem_key(number: int) -> str:
    return f"PRB-{number:06d}"


def parse_problem_key(text: str) -> int:
    """PRB-000012, prb-12 or a bare 12 -> 12."""
    match = _KEY.match(str(text or ""))
    if not match:
        raise NotFound(f"{text!r} is not a problem key: use the form PRB-000012 (incidentdesk problem list)")
    return int(match.group(1))


def possible(status: ProblemStatus) -> list[str]:
    steps = [STEP_WORDS[s] for s, moves in STEPS.items() if status in moves]
    if status in EDITABLE:
        steps.append(STEP_WORDS["edit"])
    return steps


def next_status(step: str, status: ProblemStatus | str, key: str) -> ProblemStatus:
    status = ProblemStatus(status)
    target = STEPS[step].get(status)
    if target is None:
        raise InvalidTransition(f"cannot {STEP_WORDS[step]} {key}: it is {status.label}; "
                                f"from here you can {', '.join(possible(status)) or 'nothing more'}")
    return target


def check_editable(status: ProblemStatus | str, key: str, step: str = "edit") -> None:
    status = ProblemStatus(status)
    if status not in EDITABLE:
        raise InvalidTransition(f"cannot {STEP_WORDS[step]} {key}: it is {status.label}")


def check_known_error(workaround: str, key: str) -> None:
    """A known error is documented with its workaround: marking one without it is refused."""
    if not (workaround or "").strip():
        raise ValidationError(f"{key} has no workaround yet: a known error needs one "
                              "(give the workaround with it, or set it first)", field="workaround")


def matches(linked_cis: Iterable[str | None], linked_categories: Iterable[str | None],
            ci: str | None, category: str | None) -> bool:
    """Whether an incident with this CI and category is matched by a problem (module docstring)."""
    if ci:
        return ci in {c for c in linked_cis if c}
    return bool(category) and category in {c for c in linked_categories if c}
