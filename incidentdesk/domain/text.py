"""Untrusted text (from users and monitoring) made safe to print in a terminal."""

import re

# C0 controls except tab/newline, DEL, and C1 controls: these start escape sequences.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_control(text: str | None) -> str:
    """Remove characters a terminal would interpret; keep newlines and tabs."""
    if not text:
        return ""
    return _CONTROL.sub("", str(text))


def one_line(text: str | None, limit: int | None = None) -> str:
    value = " ".join(strip_control(text).split())
    if limit is not None and len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    return value
