"""Snapshots of the knowledge base in the console: the Knowledge tab, the search screen, an article,
at 120x36 and 80x24 (hostile Markdown in the article shown as typed).

Run under `flock /tmp/incidentdesk-snapshots.lock`; update with `--snapshot-update` after an intended change.
"""

from __future__ import annotations

import pytest

from tests.support.kb import knowledge_desk
from tests.support.tui import eventually, select_key, settle

SIZES = [(120, 36), (80, 24)]


def _app(snapshot_app, name: str):
    app = snapshot_app(name, login="ana")
    app.snapshot_keys = knowledge_desk(app.runtime.db, app.snapshot_clock, app.snapshot_keys)
    return app


async def _tab(pilot) -> None:
    await settle(pilot, rounds=4)
    await select_key(pilot, pilot.app.snapshot_keys["vpn"])
    await pilot.press("enter")
    await settle(pilot, rounds=2)
    pilot.app.main_screen.query_one("#incident-pane").active = "tab-knowledge"
    await eventually(pilot, lambda: bool(pilot.app.main_screen.query("KnowledgePanel")), 10, "the panel")
    panel = pilot.app.main_screen.query_one("KnowledgePanel")
    await eventually(pilot, lambda: panel.found is not None, 10, "suggestions")
    panel.query_one("OptionList").focus()
    await settle(pilot, rounds=4)


async def _search(pilot) -> None:
    await settle(pilot, rounds=4)
    await pilot.press("K")
    await settle(pilot, rounds=2)
    await pilot.press(*"gateway")
    results = pilot.app.screen.query_one("#kb-results")
    await eventually(pilot, lambda: results.option_count > 0, 10, "results")
    await settle(pilot, rounds=4)


async def _article(pilot) -> None:
    await _search(pilot)
    await pilot.press("enter", "enter")
    await eventually(pilot, lambda: getattr(pilot.app.screen, "article", None) is not None, 10, "the article")
    await settle(pilot, rounds=4)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_knowledge_tab(snap_compare, snapshot_app, size):
    assert snap_compare(_app(snapshot_app, f"kb-tab-{size[0]}"), terminal_size=size, run_before=_tab)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_knowledge_search(snap_compare, snapshot_app, size):
    assert snap_compare(_app(snapshot_app, f"kb-search-{size[0]}"), terminal_size=size, run_before=_search)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_knowledge_article(snap_compare, snapshot_app, size):
    assert snap_compare(_app(snapshot_app, f"kb-article-{size[0]}"), terminal_size=size, run_before=_article)
