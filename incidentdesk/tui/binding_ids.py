"""Which binding ids `[keys]` may remap: every `Binding(..., id=...)` of the console's screens and widgets.

The config may not import the console (config/keys.py), so the ids are checked here, when the
console starts and by `config check`. A misspelt id is one line naming the file, the id and the
nearest known one.

The ids are declared where the bindings are (the screens' BINDINGS); `declared()` walks them,
which imports every screen. The checks read tui/binding_table.py instead, the same table written
out by `python -m incidentdesk.tui.binding_ids --write`, so that checking `[keys]` costs `config
check` and the console's start nothing (walking every screen cost `config check` 14x a bare Python
start). tests/tui/test_binding_ids.py fails when the table differs from what the screens declare,
and when a module with bindings is missing from `_load()`.
"""

from __future__ import annotations

import difflib


def _load() -> None:
    """Import every module of tui/ that declares bindings, so their classes exist to be walked."""
    import incidentdesk.tui.app  # noqa: F401  (the App, the main screen, the queue and the pane)
    import incidentdesk.tui.screens.cmdb  # noqa: F401
    import incidentdesk.tui.screens.dialog  # noqa: F401
    import incidentdesk.tui.screens.filter  # noqa: F401
    import incidentdesk.tui.screens.form  # noqa: F401
    import incidentdesk.tui.screens.handover  # noqa: F401
    import incidentdesk.tui.screens.help  # noqa: F401
    import incidentdesk.tui.screens.kb  # noqa: F401
    import incidentdesk.tui.screens.kb_article  # noqa: F401
    import incidentdesk.tui.screens.major  # noqa: F401
    import incidentdesk.tui.screens.notifications  # noqa: F401
    import incidentdesk.tui.screens.oncall  # noqa: F401
    import incidentdesk.tui.screens.pir  # noqa: F401
    import incidentdesk.tui.screens.problems  # noqa: F401
    import incidentdesk.tui.screens.reports  # noqa: F401
    import incidentdesk.tui.screens.request_flow  # noqa: F401
    import incidentdesk.tui.widgets.detail.pane  # noqa: F401
    import incidentdesk.tui.widgets.kb.panel  # noqa: F401


def _subclasses(cls) -> list[type]:
    found, todo = [], [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def declared() -> dict[str, tuple[str, str]]:
    """Every binding id declared by incidentdesk's own screens and widgets -> (default key, what it does)."""
    from textual.binding import Binding
    from textual.dom import DOMNode

    _load()
    found: dict[str, tuple[str, str]] = {}
    for cls in _subclasses(DOMNode):
        if not cls.__module__.startswith("incidentdesk."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found.setdefault(binding.id, (binding.key, binding.tooltip or binding.description))
    return dict(sorted(found.items()))


def bindings() -> dict[str, tuple[str, str]]:
    """declared(), as tui/binding_table.py holds it (no screen imported)."""
    from incidentdesk.tui.binding_table import BINDINGS

    return dict(BINDINGS)


def known_ids() -> frozenset[str]:
    return frozenset(bindings())


def table_source() -> str:
    """tui/binding_table.py as `--write` writes it: declared(), one id a line."""
    lines = ['"""The console\'s binding ids -> (default key, what it does): written by',
             "`python -m incidentdesk.tui.binding_ids --write` from the screens' BINDINGS (tui/binding_ids.py",
             'says why; tests/tui/test_binding_ids.py fails when it differs from them). Do not edit."""',
             "", "BINDINGS: dict[str, tuple[str, str]] = {"]
    lines += [f"    {bid!r}: ({key!r}, {does!r})," for bid, (key, does) in declared().items()]
    return "\n".join([*lines, "}", ""])


def unknown_key_lines(keys: dict[str, str], source: str) -> list[str]:
    """One line per `[keys]` entry whose id the console does not have ([] when all are known)."""
    if not keys:
        return []
    known = known_ids()
    lines = []
    for bid in sorted(set(keys) - known):
        near = difflib.get_close_matches(bid, sorted(known), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        lines.append(f"{source}: [keys] {bid!r}: no such binding id{hint}; `incidentdesk config keys` lists them")
    return lines


def main(argv: list[str] | None = None) -> int:
    import sys
    from pathlib import Path

    argv = sys.argv[1:] if argv is None else argv
    target = Path(__file__).with_name("binding_table.py")
    if argv != ["--write"]:
        print("usage: python -m incidentdesk.tui.binding_ids --write", file=sys.stderr)
        return 2
    target.write_text(table_source(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
