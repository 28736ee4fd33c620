"""Stored text reaches the terminal literally from the CLI; names are checked on entry; --status is checked.

The corpus is the console's (tests/support/desk.MARKUP_TITLES) plus terminal escapes (OSC 0 sets
the window title, CSI 2J clears the screen, a lone C1 CSI), bidi overrides and zero-width characters.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from incidentdesk.cli import main
from incidentdesk.domain.enums import Role
from incidentdesk.domain.text import is_unsafe
from incidentdesk.services import incidents as svc
from tests.support.desk import MARKUP_TITLES


ESCAPES = ["\x1b]0;pwned\x07\x1b[2Jgone", "c1\x9b2Jcsi", "right\u202eleft", "zero\u200bwidth", "iso\u2066late\u2069",
           "tab\there", "del\x7fete"]
CORPUS = MARKUP_TITLES + ESCAPES


def _terminal_safe(out: str) -> bool:
    return not any(is_unsafe(ch) or ch == "\t" for ch in out.replace("\n", ""))


@pytest.fixture
def run(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INCIDENTDESK_CONFIG", str(tmp_path / "none.toml"))

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main(["--db", db.url, *args])
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.mark.parametrize("bad", ESCAPES + ["two words", "\u200b", "x\u2028y"])
def test_logins_refuse_controls_bidi_zero_width_on_entry(db, make_ctx, run, bad, tmp_path, monkeypatch):
    make_ctx("adm", Role.ADMIN)
    config = tmp_path / "acting.toml"
    config.write_text("[general]\nallow_acting_as = true\n")
    monkeypatch.setenv("INCIDENTDESK_CONFIG", str(config))
    code, out, err = run("--as", "adm", "users", "add", bad, "--role", "responder")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and _terminal_safe(err), err
    assert "control, bidi or invisible characters (found U+" in err
    code, out, _ = run("users", "list")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["adm", "root-setup"]


@pytest.mark.parametrize("bad", [e for e in ESCAPES if e != "tab\there"] + ["tab\there"])
def test_names_and_groups_refuse_them_too(db, make_ctx, bad):
    from incidentdesk.domain.errors import ValidationError
    from incidentdesk.services import directory

    admin = make_ctx("adm", Role.ADMIN)
    for call in (lambda: directory.add_group(admin, f"Ops {bad}"), lambda: directory.add_user(admin, "ann", name=bad),
                 lambda: directory.add_group(admin, "Ops", manager=bad), lambda: directory.add_service(admin, bad),
                 lambda: directory.add_category(admin, f"A/{bad}")):
        with pytest.raises(ValidationError, match=r"may not contain .*control, bidi or invisible characters \(found U\+"):
            call()


def test_markup_is_a_name_like_any_other(db, make_ctx, run):
    make_ctx("adm", Role.ADMIN)
    from incidentdesk.services import directory

    admin = make_ctx("adm", Role.ADMIN)
    directory.add_group(admin, "Ops [/] Team")
    directory.add_user(admin, "eve", name="[@click=app.quit]Eve", groups=["Ops [/] Team"])
    _, out, _ = run("groups", "list")
    assert "Ops [/] Team" in out
    _, out, _ = run("users", "list")
    assert "[@click=app.quit]Eve" in out and "Ops [/] Team" in out


def _plant(db, make_ctx) -> str:
    """Hostile text already stored (older data, or written around the services): titles, logins, groups."""
    ctx = make_ctx("ann", Role.RESPONDER)
    key = svc.log_incident(ctx, svc.Intake(title="ok", impact="low", urgency="low"))
    for i, value in enumerate(CORPUS):
        svc.log_incident(ctx, svc.Intake(title=value, impact="low", urgency="low", description=value))
    with db.engine.begin() as conn:
        for i, value in enumerate(CORPUS, start=2):
            conn.execute(text("INSERT INTO groups (name, tier, description) VALUES (:n, 1, '')"), {"n": f"g{i}{value}"})
            conn.execute(text("UPDATE incidents SET assignee = :a, group_id = (SELECT id FROM groups WHERE name = :n) "
                              "WHERE id = :i"), {"a": f"u{value}"[:64], "n": f"g{i}{value}", "i": i})
            conn.execute(text("INSERT INTO users (login, name, role, created_at) SELECT :l, :l, 'responder', created_at "
                              "FROM users WHERE login = 'ann'"), {"l": f"u{i}{value}"[:64]})
            conn.execute(text("UPDATE timeline_events SET actor = :a WHERE incident_id = :i"), {"a": f"u{value}"[:64],
                                                                                            "i": i})
    return key


def test_list_show_users_groups_print_stored_text_literally(db, make_ctx, run):
    _plant(db, make_ctx)
    outputs = [run("list")[1], run("users", "list")[1], run("groups", "list")[1]]
    outputs += [run("show", f"INC-{i:06d}")[1] for i in range(2, len(CORPUS) + 2)]
    for out in outputs:
        assert out and _terminal_safe(out), out
    listing = run("list")[1]
    assert "]0;pwned[2Jgone" in listing  # what is left of the escape is shown, literally
    assert "[@click=app.quit]x[/]" in listing


def test_zero_width_and_bidi_do_not_break_alignment(db, make_ctx, run):
    """Columns line up on the screen: measured in terminal cells, not in code points."""
    from rich.cells import cell_len

    ctx = make_ctx("ann", Role.RESPONDER, groups=("Desk",))
    who = ["plain", "zero\u200bw", "r\u202el", "i\u2066x\u2069", "\ufeffbom"]
    for i, login in enumerate(who, start=1):
        svc.log_incident(ctx, svc.Intake(title=f"t{i} zero\u200bwidth", impact="low", urgency="low", group="Desk"))
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE incidents SET assignee = :a WHERE id = :i"), {"a": login, "i": i})
    lines = [line for line in run("list")[1].splitlines() if line.startswith("INC-")]
    assert len(lines) == len(who)
    columns = {cell_len(line[:line.index(" Desk ")]) for line in lines}
    titles = {cell_len(line[:line.index(" t")]) for line in lines}
    assert len(columns) == 1 and len(titles) == 1, lines


def test_show_json_escapes_c1_and_bidi(db, make_ctx, run):
    _plant(db, make_ctx)
    for i, value in enumerate(CORPUS, start=2):
        _, out, _ = run("show", f"INC-{i:06d}", "--json")
        assert _terminal_safe(out), out
        data = json.loads(out)
        assert data["description"] == svc._clean(value)  # the stored text, whole, once decoded
    _, out, _ = run("list", "--json")
    assert _terminal_safe(out) and "\\u009b" in out and "\\u202e" in out


def test_list_status_is_checked_and_takes_what_the_console_shows(db, make_ctx, run):
    ctx = make_ctx("ann", Role.RESPONDER)
    key = svc.log_incident(ctx, svc.Intake(title="t", impact="low", urgency="low"))
    svc.start_work(ctx, key)
    code, out, err = run("list", "--status", "bogus")
    assert code == 1 and out == ""
    assert err.strip() == ("incidentdesk: unknown status 'bogus': use one of new, acknowledged, in_progress, on_hold, "
                           "resolved, closed, cancelled")
    for spelling in ("in progress", "in_progress", "In-Progress"):
        code, out, _ = run("list", "--status", spelling, "--json")
        assert code == 0 and [r["key"] for r in json.loads(out)] == [key], spelling
    code, out, _ = run("list", "--status", "closed")
    assert code == 0 and out.strip() == "no incidents match"
    code, _, err = run("list", "--priority", "P9")
    assert code == 1 and "P1, P2, P3 or P4" in err
