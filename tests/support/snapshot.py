"""The app the snapshot tests photograph: fixed data, fixed clock, no ticking, no blinking.

`snapshot_app(folder, name)` builds the desk in a fresh SQLite file under `folder` (the test's
tmp_path) and returns a ready IncidentDeskApp. The header shows the database's name, so the app
is given a fixed one (`sqlite:/tmp/incidentdesk-snapshots/NAME.db`, what the stored snapshots
show) whatever tmp_path is: the pictures stay byte-identical and no run shares a file with another.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.clock import Clock
from tests.support.desk import build, make_app, open_db


def display_name(name: str) -> str:
    return f"sqlite:/tmp/incidentdesk-snapshots/{name}.db"


def snapshot_app(folder: Path, name: str, login: str = "tess", **build_options):
    clock = Clock()
    db = open_db(folder / f"{name}.db")
    keys = build(db, clock, **build_options)
    app = make_app(db, login, clock, display_name=display_name(name))
    app.snapshot_keys = keys
    app.snapshot_clock = clock
    return app
