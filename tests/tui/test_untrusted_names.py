"""Stored names, logins and groups reach the terminal literally, like titles do.

The same hostile corpus as the titles (tests/support/desk.MARKUP_TITLES) plus an OSC 0
sequence (sets the window title), bidi overrides and zero-width characters, written straight
into the database — as text stored before names were validated would be — then shown in
toasts, pick lists, the header and the queue.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from sqlalchemy import text
from textual.widgets import Select

from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.desk import MARKUP_TITLES, make_app
from tests.support.tui import notes, open_form, plain_text, select_key, settle, submit


pytestmark = pytest.mark.anyio

OSC = "\x1b]0;PWNED\x07\x1b[2J"
CORPUS = [*MARKUP_TITLES, f"evil{OSC}login", "Ops [/] Team", "\u202epay\u200bments\u2069"]
SHOWN = ["[@click=app.quit]x[/]", "[bold red]x", "[31mred escape[0m and [link=http://evil]y[/link]",
         "evil]0;PWNED[2Jlogin", "Ops [/] Team", "payments"]
EVIL_LOGIN = f"ev{OSC}il"
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(value: str) -> bool:
    """Nothing a terminal would act on: no C0/C1 controls, no format characters (bidi, zero width)."""
    return not TERMINAL_CONTROLS.search(value) and not any(unicodedata.category(c) == "Cf" for c in value)


def store(db, sql: str, **params) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


@pytest.fixture
def hostile(desk):
    """People named after the corpus, groups called it, and a person whose login carries an OSC sequence."""
    db, keys = desk
    for i, (login, name) in enumerate(zip(("ana", "chen", "ines", "tess", "root-setup", "marco"), CORPUS,
                                          strict=False)):
        store(db, "UPDATE users SET name = :name WHERE login = :login", name=name, login=login)
        store(db, "INSERT INTO groups (name, tier, description) VALUES (:name, :tier, '')", name=name, tier=i % 3 + 1)
    store(db, "INSERT INTO users (login, name, role, created_at) VALUES (:login, :name, 'responder', :at)",
          login=EVIL_LOGIN, name=CORPUS[0], at="2026-11-23 09:00:00")
    return db, keys


def toasts(app) -> list[str]:
    return [str(t.render()) for t in app.screen.query("Toast")]


async def test_toasts_quoting_logins_are_literal(hostile, tui_clock):
    db, keys = hostile
    app = make_app(db, EVIL_LOGIN, tui_clock)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(pilot)
        header = plain_text(app.main_screen.query_one("#header"), 160)
        assert "ev]0;PWNED[2Jil" in header and clean(header)
        await select_key(pilot, keys["wifi"])
        await pilot.press("p")  # not his incident: refused at once, naming him
        await pilot.pause()
        await select_key(pilot, keys["mail"])  # the service refuses giving it to someone else
        await pilot.press("s")
        app.screen.query_one("#f-user", Select).value = "chen"
        await submit(pilot)
        shown = toasts(app)
        assert any("ev]0;PWNED[2Jil" in t and "may not reprioritise" in t for t in shown), shown
        assert any("ev]0;PWNED[2Jil" in t and "may not reassign" in t for t in shown), shown
        assert all(clean(t) for t in shown) and all(clean(n) for n in notes(app)), shown


async def test_the_edit_conflict_toast_names_the_other_person_literally(hostile, tui_clock):
    db, keys = hostile
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "r")
        app.screen.query_one("#f-notes").insert("rebooted")
        store(db, "UPDATE incidents SET updated_by = :who, version = version + 1 WHERE key = :key",
              who=EVIL_LOGIN, key=keys["wifi"])
        await submit(pilot)
        shown = toasts(app)
        assert any("Edit conflict" in t and "changed by ev]0;PWNED[2Jil" in t for t in shown), shown
        assert all(clean(t) for t in shown) and all(clean(n) for n in notes(app))


async def test_pick_lists_show_names_and_groups_literally_and_do_nothing_when_clicked(hostile, tui_clock):
    db, keys = hostile
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["wifi"])
        await pilot.press("s")  # the person and group pickers
        form = app.screen
        assert isinstance(form, FormScreen)
        people = {value: label for label, value in form.spec.fields[0].options}
        groups = [label for label, _ in form.spec.fields[1].options]
        assert people["ana"].plain == "ana — [@click=app.quit]x[/]" and not people["ana"].spans
        assert people["chen"].plain == "chen — [bold red]x"
        assert people[EVIL_LOGIN].plain.startswith("ev]0;PWNED[2Jil — ")
        for name in SHOWN:
            assert any(g.plain.startswith(name + " (tier") for g in groups), (name, [g.plain for g in groups])
        assert all(clean(g.plain) for g in groups) and all(clean(p.plain) for p in people.values())
        for picker in ("#f-group", "#f-user"):  # open each list: `Ops [/] Team` must not crash it
            form.query_one(picker, Select).focus()
            await pilot.press("enter")
            await pilot.pause()
            assert app.is_running
            await pilot.press("escape")
            await pilot.pause()
        form.query_one("#f-user", Select).value = "ana"  # shows `[@click=app.quit]` as text
        await pilot.pause()
        await pilot.click("#f-user")
        await pilot.pause()
        assert app.is_running and app.return_code is None


async def test_bidi_and_zero_width_characters_never_reach_the_queue(hostile, tui_clock):
    db, keys = hostile
    store(db, "UPDATE incidents SET title = :title WHERE key = :key", title=CORPUS[-1] + " down", key=keys["mail"])
    store(db, "UPDATE incidents SET assignee = :who WHERE key = :key", who="\u202eana\u200b", key=keys["vpn"])
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main_screen.query_one(QueueTable)
        lines = [table.render_line(y).text for y in range(len(table.rows_by_id) + 1)]
        assert all(clean(line) for line in lines), [line for line in lines if not clean(line)]
        mail = next(line for line in lines if keys["mail"] in line)
        assert "payments down" in mail
        vpn = next(line for line in lines if keys["vpn"] in line)
        assert " ana / " in vpn
        # every row's SLA column starts where the header's does
        sla_at = lines[0].index("SLA")
        assert all(len(line) == len(lines[0]) for line in lines), [len(line) for line in lines]
        assert all(line[sla_at - 1] == " " for line in lines[1:])
