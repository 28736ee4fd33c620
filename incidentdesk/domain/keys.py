"""Human keys: INC-000123 for incidents, REQ-000124 for service requests (one number series)."""

import re

from incidentdesk.domain.enums import IncidentType
from incidentdesk.domain.errors import NotFound

PREFIX = {IncidentType.INCIDENT: "INC", IncidentType.REQUEST: "REQ"}
_KEY = re.compile(r"^\s*(?:(INC|REQ)-?)?0*(\d+)\s*$", re.IGNORECASE)


def format_key(kind: IncidentType, number: int) -> str:
    return f"{PREFIX[IncidentType(kind)]}-{number:06d}"


def parse_key(text: str) -> int:
    """Accept INC-000123, inc-123, REQ-7 or a bare 123; return the number."""
    match = _KEY.match(str(text))
    if not match:
        raise NotFound(f"{text!r} is not an incident key: use the form INC-000123")
    return int(match.group(2))
