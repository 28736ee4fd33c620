"""The app the snapshot tests photograph: fixed data, fixed clock, no ticking, no blinking.

`snapshot_app(name)` rebuilds a SQLite file at a fixed path (the header shows the path, so
it must not change between runs) and returns a ready IncidentDeskApp.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.tui.scenario import Clock, build, make_app, open_db

SNAPSHOT_DIR = Path(tempfile.gettempdir()) / "incidentdesk-snapshots"


def snapshot_app(name: str, login: str = "tess", **build_options):
    SNAPSHOT_DIR.mkdir(exist_ok=True)
    path = SNAPSHOT_DIR / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    clock = Clock()
    db = open_db(path)
    keys = build(db, clock, **build_options)
    app = make_app(db, login, clock)
    app.snapshot_keys = keys
    app.snapshot_clock = clock
    return app
