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
