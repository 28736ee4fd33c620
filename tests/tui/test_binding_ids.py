"""`[keys]` ids are checked against the console's bindings: a misspelt one is one line, not ignored."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import incidentdesk
from incidentdesk.tui import binding_ids

TUI = Path(incidentdesk.__file__).parent / "tui"


def _modules_declaring_binding_ids() -> set[str]:
    """Modules of tui/ with a `Binding(..., id=...)` written in them (read from the source, not imported)."""
    found = set()
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Binding" \
                    and any(k.arg == "id" for k in node.keywords):
                rel = path.relative_to(TUI.parent.parent).with_suffix("")
                found.add(".".join(rel.parts))
                break
    return found


def test_every_module_with_binding_ids_is_walked():
    binding_ids.declared()
    missing = sorted(m for m in _modules_declaring_binding_ids() if m not in sys.modules)
    assert missing == [], f"add these to tui/binding_ids._load(): {missing}"


def test_the_table_the_checks_read_is_what_the_screens_declare():
    """tui/binding_table.py is written from the screens (`--write`); a binding added, renamed, rebound or
    redescribed without rewriting it would be checked, listed or refused wrongly."""
    from incidentdesk.tui.binding_table import BINDINGS

    assert BINDINGS == binding_ids.declared(), "run: python -m incidentdesk.tui.binding_ids --write"
    assert Path(binding_ids.__file__).with_name("binding_table.py").read_text(encoding="utf-8") == \
        binding_ids.table_source()


def test_checking_keys_imports_no_screen(tmp_path):
    """`config check` (and the console's start) read the table: no screen module is imported to check [keys]."""
    import subprocess

    code = ("import sys; from incidentdesk.tui.binding_ids import unknown_key_lines; "
            "print(unknown_key_lines({'incident.acknowledg': 'A'}, 'f.toml')); "
            "print(sorted(m for m in sys.modules if m.startswith(('incidentdesk.tui.', 'textual'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert "did you mean 'incident.acknowledge'?" in out[0]
    assert json.loads(out[1].replace("'", '"')) == ["incidentdesk.tui.binding_ids", "incidentdesk.tui.binding_table"]


def test_known_ids_cover_the_catalog_and_the_screens():
    from incidentdesk.tui.actions import ACTIONS
    from incidentdesk.tui.screens.openers import SCREENS

    ids = binding_ids.known_ids()
    keyed = {f"incident.{action.name}" for action in ACTIONS}
    assert keyed and keyed <= ids
    assert {e.id for e in SCREENS} <= ids
    assert {"app.quit", "queue.filter", "pir.save", "notifications.retry"} <= ids


def test_a_misspelt_id_is_refused_by_check_and_by_the_console(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[keys]\n"incident.acknowlege" = "A"\n"queue.filter" = "F"\n')
    code, _, err = cli("config", "check", str(bad), ok=False)
    assert code == 2
    assert err.strip() == (f"{bad}: [keys] 'incident.acknowlege': no such binding id (did you mean "
                           "'incident.acknowledge'?); `incidentdesk config keys` lists them")
    cli.set_config(bad.read_text())
    code, _, err = cli(ok=False)  # the console: refused before it takes the terminal
    assert code == 2 and "'incident.acknowlege': no such binding id" in err
    cli.set_config('[keys]\n"incident.acknowledge" = "A"\n')
    code, out, _ = cli("config", "check")
    assert out.startswith("ok: ")


def test_config_keys_lists_ids_with_remapped_keys(cli):
    cli.set_config('[keys]\n"incident.acknowledge" = "A"\n')
    code, out, _ = cli("config", "keys", "--json")
    rows = json.loads(out)
    assert rows["incident.acknowledge"] == {"key": "A", "default": "a",
                                            "does": "acknowledge (stops the response clock), optional comment"}
    assert rows["queue.filter"]["key"] == "slash"
    code, out, _ = cli("config", "keys")
    assert any(line.startswith("incident.acknowledge") and line.endswith("(remapped)") for line in out.splitlines())
