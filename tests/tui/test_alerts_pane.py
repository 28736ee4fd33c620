"""An incident raised by monitoring shows its alerts in the incident pane, literally."""

from __future__ import annotations

import json

import pytest

from incidentdesk.config import Config
from incidentdesk.ingest.parsers import parse_body
from incidentdesk.ingest.server import receiver_context
from incidentdesk.ingest.settings import settings_from_config
from incidentdesk.services.alerts import apply_batch
from incidentdesk.tui.widgets.detail.panels import DetailPanel
from tests.support.desk import make_app
from tests.support.payloads import am_alert, am_payload
from tests.support.tui import plain_text, select_key, settle


pytestmark = pytest.mark.anyio


async def test_alerts_are_listed_in_the_detail(desk, tui_clock):
    db, _ = desk
    config = Config()
    settings = settings_from_config(config)
    alerts = [am_alert("fp-1", alertname="DiskFull"), am_alert("fp-2", alertname="[bold red]Disk[/]")]
    body = json.dumps(am_payload(alerts)).encode()
    outcome = apply_batch(receiver_context(db, config, settings), parse_body("alertmanager", body), settings.policy)
    key = outcome["created"][0]
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 60)) as pilot:
        await settle(pilot)
        await select_key(pilot, key)
        text = plain_text(app.main_screen.query_one(DetailPanel))
        assert "Alerts (2 occurrences)" in text
        assert "DiskFull" in text and "[bold red]Disk[/]" in text  # literal, not styled
        assert "firing" in text
