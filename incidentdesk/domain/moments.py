"""Moments people type ("2026-11-23 09:10", ISO 8601): one parser for the CLI and the console.

A time typed without a zone is read in the site's time zone (`[general] time_zone`, which the
caller passes), on both front ends: before this, the console read it as UTC and the CLI refused
it, so the same words logged different start times depending on where they were typed.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from incidentdesk.domain.errors import ValidationError


def parse_moment(text: str | None, zone: tzinfo | None = None, *, field: str = "time",
                 what: str = "a time") -> datetime | None:
    """An aware datetime from `text`, or None when it is empty; zone-less text is taken in `zone` (default UTC)."""
    text = (text or "").strip()
    if not text:
        return None
    candidate = text.replace(" ", "T", 1) if "T" not in text and " " in text else text
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise ValidationError(
            f"{text!r} is not {what}: use YYYY-MM-DD HH:MM (site time zone) or ISO 8601 with a zone, "
            "e.g. 2026-11-23T09:30+00:00", field=field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or UTC)
    return moment
