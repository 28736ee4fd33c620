"""Untrusted text (from users and monitoring) made safe to print in a terminal."""

import re
import unicodedata

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


def _is_format(ch: str) -> bool:
    """Bidi overrides/isolates/marks, zero-width characters, soft hyphens, BOMs, tags (Unicode Cf),
    unpaired surrogates and line/paragraph separators: characters that reorder or hide text."""
    return unicodedata.category(ch) in ("Cf", "Cs", "Zl", "Zp")


def is_unsafe(ch: str) -> bool:
    """A character a terminal would act on, or that reorders or hides text (one character)."""
    return bool(_CONTROL.match(ch)) or _is_format(ch)


def unsafe_characters(text: str | None, *, allow_space: bool = True) -> list[str]:
    """The characters of `text` a name must not carry, as U+XXXX, in order of first appearance.

    Control characters (they start terminal escape sequences), and the invisible or reordering
    ones above; with `allow_space=False` also any whitespace (a login is one word).
    """
    found: list[str] = []
    for ch in str(text or ""):
        bad = is_unsafe(ch) or ch in "\t\n\r" or (not allow_space and ch.isspace())
        if bad:
            code = f"U+{ord(ch):04X}"
            if code not in found:
                found.append(code)
    return found


def printable(text: str | None, limit: int | None = None) -> str:
    """One line fit for a terminal: as one_line, and without invisible or reordering characters.

    For printing stored text (names, logins, groups, titles) where columns must line up.
    """
    value = "".join(ch for ch in strip_control(text) if not _is_format(ch))
    return one_line(value, limit)
