"""Keys are remappable through [keys] in incidentdesk.toml, by binding id."""

from __future__ import annotations

import pytest

from incidentdesk.config import parse_config
from incidentdesk.tui.screens.form import FormScreen
from tests.support.desk import make_app
from tests.support.tui import select_key, settle


pytestmark = pytest.mark.anyio


async def test_a_remapped_action_key_works_and_the_old_one_does_not(desk, tui_clock):
    db, keys = desk
    config = parse_config({"keys": {"incident.acknowledge": "A"}})
    app = make_app(db, "tess", tui_clock, config=config)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["mail"])
        await pilot.press("a")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen), "the default key still acknowledges"
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and "cknowledge" in str(app.screen.spec.title)
        help_keys = dict(app.help_sections()[0][1])
        assert "A" in help_keys and help_keys["A"].startswith("Acknowledge")
