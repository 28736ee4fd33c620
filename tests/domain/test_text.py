"""domain/text.py: what of a stored string may reach a terminal."""

from __future__ import annotations

import unicodedata

from incidentdesk.domain.text import FORMAT_RANGES, one_line, strip_control

BIDI = "\u202e"      # RIGHT-TO-LEFT OVERRIDE: shows what follows reversed, across later columns too
ISOLATE = "\u2067"   # RIGHT-TO-LEFT ISOLATE
ZERO_WIDTH = "\u200b\u200d\ufeff\u2060"  # zero-width space and joiner, BOM, word joiner


def test_bidi_overrides_and_zero_width_characters_are_removed():
    assert strip_control(f"pay{BIDI}ment{ISOLATE}s\u2069 api") == "payments api"
    assert strip_control(f"a{ZERO_WIDTH}b\u00ad") == "ab"
    assert one_line(f"{BIDI}evil{ZERO_WIDTH}  title\u2028second") == "evil title second"


def test_line_separators_become_newlines():
    assert strip_control("one\u2028two\u2029three") == "one\ntwo\nthree"


def test_escape_sequences_lose_their_control_bytes():
    osc = "\x1b]0;PWNED\x07\x1b[2Jafter"
    assert strip_control(osc) == "]0;PWNED[2Jafter"
    assert strip_control("c1\x9b2J\x85x") == "c12Jx"


def test_every_format_character_python_knows_is_listed():
    listed = set()
    for low, high in FORMAT_RANGES:
        listed.update(range(low, high + 1))
    cf = {c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"}
    assert cf <= listed, sorted(hex(c) for c in cf - listed)
    assert strip_control("".join(chr(c) for c in sorted(cf))) == ""


def test_ordinary_text_is_kept_as_typed():
    text = "Ünïcödé 日本語 emoji 🔥 tab\tand [bold]markup[/] and \u05e9\u05dc\u05d5\u05dd"
    assert strip_control(text) == text
    assert strip_control("") == ""
    assert strip_control("ops\x1b[31m") == "ops[31m"
    assert strip_control(f"ops{BIDI}") == "ops" and strip_control("a\u2028b") != "a\u2028b"
