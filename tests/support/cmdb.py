"""Shared helpers for the CMDB tests: writing import files, and a small estate of CIs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import func, select

from incidentdesk.store.cmdb_models import CIDependency, Change, ChangeCI, ConfigurationItem

CI_COLUMNS = ("name", "type", "service", "owner", "location", "criticality", "depends_on")


def write_csv(path: Path, rows: list[dict], columns: tuple[str, ...] = CI_COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def write_json(path: Path, rows) -> Path:
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def counts(db) -> dict[str, int]:
    with db.read() as s:
        return {name: int(s.scalar(select(func.count()).select_from(model)) or 0)
                for name, model in (("cis", ConfigurationItem), ("edges", CIDependency), ("changes", Change),
                                    ("change_cis", ChangeCI))}


ESTATE = [
    {"name": "pay-gw", "type": "application", "service": "Payments", "owner": "Platform SRE", "criticality": "critical",
     "depends_on": "pay-db;lb-1"},
    {"name": "pay-db", "type": "database", "service": "Payments", "owner": "Platform SRE", "criticality": "high",
     "depends_on": "san-1"},
    {"name": "lb-1", "type": "network", "criticality": "high"},
    {"name": "san-1", "type": "storage", "location": "DC1"},
    {"name": "laptop-7", "type": "laptop", "owner": "ann"},
]


def vpn_estate(db, clock) -> dict[str, str]:
    """CIs and changes around the desk's VPN incident (its CI is gp-gw-eu1): returns change keys by name.

    Made through the real services as root-setup (the desk's admin), at the clock's time.
    """
    from datetime import timedelta

    from incidentdesk.services import cmdb, cmdb_import
    from tests.support.desk import ctx_for

    admin = ctx_for(db, "root-setup", clock)
    cmdb_import.import_ci_rows(admin, list(enumerate([
        {"name": "gp-gw-eu1", "type": "network", "service": "VPN", "owner": "Network Operations",
         "location": "Frankfurt DC2", "criticality": "critical", "depends_on": ["fw-eu1", "radius-1"]},
        {"name": "fw-eu1", "type": "network", "service": "VPN", "owner": "chen", "criticality": "high"},
        {"name": "radius-1", "type": "server", "owner": "Network Operations", "depends_on": ["ad-dc1"]},
        {"name": "ad-dc1", "type": "server", "owner": "Platform SRE", "depends_on": ["radius-1"]},  # a cycle
        {"name": "vpn-portal", "type": "application", "service": "VPN", "depends_on": ["gp-gw-eu1"]},
    ], start=2)))
    now = clock()
    return {
        "push": cmdb.new_change(admin, "GlobalProtect config push", cis=("gp-gw-eu1",), status="completed",
                                risk="high", implementer="chen", actual_start=now - timedelta(minutes=15),
                                actual_end=now - timedelta(minutes=10)),
        "fw": cmdb.new_change(admin, "Firewall rule cleanup", cis=("fw-eu1",), status="completed",
                              planned_start=now - timedelta(hours=20), planned_end=now - timedelta(hours=19)),
        "ad": cmdb.new_change(admin, "AD schema update", cis=("ad-dc1",), status="rolled_back", risk="medium",
                              actual_start=now - timedelta(hours=40), actual_end=now - timedelta(hours=39)),
        "old": cmdb.new_change(admin, "Gateway OS upgrade", cis=("gp-gw-eu1",), status="completed",
                               planned_start=now - timedelta(days=10), planned_end=now - timedelta(days=10, hours=-1)),
    }
