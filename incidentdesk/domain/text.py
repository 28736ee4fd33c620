"""Untrusted text (from users, monitoring and the directory) made safe to print in a terminal.

One place decides what of a stored string may reach a terminal, and every printer uses it:
the console (tui/format.py `literal`, its toasts and pick lists) and the command line.

Removed, because a terminal or the line layout would act on them instead of showing them:
- C0 controls except tab and newline, DEL, and C1 controls: they start escape sequences
  (ESC [ … colours and clearing, ESC ] 0; … the window title, CSI as one C1 byte);
- Unicode format characters (category Cf): bidi embeddings, overrides and isolates (they
  reorder what follows, also across the columns of the queue), zero-width spaces and
  joiners, the BOM, invisible operators and tag characters. They occupy no cell, but
  terminals disagree with Rich about that, which shifts every later column of a row;
- line and paragraph separators (U+2028/9), which some terminals break lines on: they become
  newlines (and so spaces in one-line text).
What stays is printable text, shown as typed: `[bold]`, `[@click=…]` and the visible rest of
an escape sequence (`]0;title`) are characters like any other.
"""

import re
import unicodedata

# C0 controls except tab/newline, DEL, and C1 controls: these start escape sequences.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Unicode format characters (category Cf, Unicode 14-15); tests/domain checks this against unicodedata.
FORMAT_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
_FORMAT = re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in FORMAT_RANGES) + "]")
_SEPARATORS = re.compile("[\u2028\u2029]")


def strip_control(text: str | None) -> str:
    """Remove characters a terminal would interpret or that break alignment; keep newlines and tabs."""
    if not text:
        return ""
    return _FORMAT.sub("", _CONTROL.sub("", _SEPARATORS.sub("\n", str(text))))


def one_line(text: str | None, limit: int | None = None) -> str:
    """Safe text on one line: runs of whitespace (newlines too) become one space; cut at `limit` with `…`."""
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
