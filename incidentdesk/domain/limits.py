"""How long each stored text may be: one table, the same on every backend.

SQLite stores any length in a VARCHAR(n); PostgreSQL refuses the statement (DataError), which
used to surface as a traceback or a toast with SQL in it, and the typed text lost. So the
limit is a domain rule, checked by the services before anything is written, and the message
names the field and its limit. The lengths match the columns in store/models.py (a test holds
them to it). Fields stored as TEXT (descriptions, notes, summaries) have no limit here.

People type values, so a value too long is refused (`check`); machines send them, and an alert
must never be refused for a long label, so for machine input the indexed copy is cut to fit
(`fit`) while the whole value is kept elsewhere (the alert's labels).
"""

from __future__ import annotations

from incidentdesk.domain.errors import ValidationError

# field -> (what a person calls it, the most characters it may have)
LIMITS: dict[str, tuple[str, int]] = {
    "title": ("title", 500),
    "affected_service": ("affected service", 200),
    "category": ("category", 300),
    "ci": ("configuration item (CI)", 200),
    "hold_reason": ("hold reason", 300),
    "login": ("login", 64),
    "assignee": ("assignee login", 64),
    "commander": ("commander login", 64),
    "to_person": ("person escalated to", 64),
    "acting_as": ("--as login", 64),
    "name": ("display name", 200),
    "group": ("group name", 100),
    "manager": ("manager login", 64),
    "service": ("service name", 200),
    "default_group": ("default group name", 100),
    "owner_group": ("owner group name", 100),
    # vendor incidents (domain/vendor.py)
    "vendor": ("vendor name", 200),
    "vendor_ticket": ("vendor ticket id", 100),
    "vendor_url": ("vendor status link", 2000),
    "vendor_status": ("vendor status", 500),
    # post-incident review (domain/pir.py)
    "pir_duration": ("impact duration", 100),
    "pir_action": ("follow-up action", 500),
    "pir_owner": ("follow-up owner login", 64),
}


def check(field: str, value: str | None, *, parameter: str | None = None) -> str | None:
    """`value` unchanged if it fits `field`; else ValidationError naming the field and its limit.

    The error's `field` is the use case's `parameter` where it differs from the limit's name
    (hold's `reason` is stored as the hold reason), so a dialog shows it under the right input.
    """
    if value is None:
        return None
    label, most = LIMITS[field]
    if len(value) > most:
        raise ValidationError(
            f"the {label} is {len(value)} characters long; the limit is {most} — shorten it and try again",
            field=parameter or field,
        )
    return value


def fit(field: str, value: str | None) -> str | None:
    """`value` cut to `field`'s limit (ending in "…" when cut): for machine input that must not be refused."""
    if value is None:
        return None
    most = LIMITS[field][1]
    return value if len(value) <= most else value[: most - 1] + "…"
