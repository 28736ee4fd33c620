"""`incidentdesk sla sweep` against a real database, with the real clock."""

import json
from datetime import UTC, datetime, timedelta

from incidentdesk.cli import main
from incidentdesk.domain.enums import Role
from incidentdesk.services import incidents as svc


def test_sla_sweep_command(db, make_ctx, clock, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("INCIDENTDESK_CONFIG", str(tmp_path / "absent.toml"))
    clock.now = datetime.now(UTC) - timedelta(hours=1)
    ctx = make_ctx("cap", Role.INCIDENT_MANAGER, groups=("Ops",))
    key = svc.log_incident(ctx, svc.Intake(title="db down", impact="high", urgency="high", group="Ops"))
    assert main(["--db", db.url, "sla", "sweep", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["changes"] == [[key, "response_at_risk"], [key, "response_breached"]]
    assert main(["--db", db.url, "sla", "sweep"]) == 0
    assert "0 due" in capsys.readouterr().out
    assert main(["--db", db.url, "sla", "sweep", "--loop", "--interval", "0"]) == 1
