"""What a parser raises when a payload is not what its sender's API defines.

An ingest concern, not a domain one: the alert model itself (domain/alerts.py) knows nothing of
wire formats; only the parsers, the receiver and `incidentdesk ingest` meet a bad payload.
"""

from __future__ import annotations

from incidentdesk.domain.errors import ValidationError

MAX_LISTED_ERRORS = 20


class PayloadError(ValidationError):
    """The payload is not what the sender's API defines; `errors` names each problem.

    At most MAX_LISTED_ERRORS are listed, then one line counting the rest: a body of half a
    million bad items must not become a 25 MB answer (nor hold half a million strings in memory).
    """

    def __init__(self, errors: list[str], *, unlisted: int = 0) -> None:
        listed = list(errors[:MAX_LISTED_ERRORS]) or ["invalid payload"]
        unlisted += max(0, len(errors) - MAX_LISTED_ERRORS)
        if unlisted:
            listed.append(f"... and {unlisted:,} more problems (only the first {MAX_LISTED_ERRORS} are listed)")
        self.errors = listed
        super().__init__("; ".join(self.errors[:5]) + (" ..." if len(self.errors) > 5 else ""))
