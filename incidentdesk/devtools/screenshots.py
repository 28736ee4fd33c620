"""Regenerate screenshots/*.svg from the real app on demo data.

    python -m incidentdesk.devtools.screenshots [OUTPUT_DIR]

Demo data is built with a fixed seed and clock in a throw-away SQLite file, so the
pictures only change when the UI does.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incidentdesk.config import Config
from incidentdesk.domain.roles import Actor
from incidentdesk.runtime import Runtime
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.devtools.demo import load_demo
from incidentdesk.store.engine import open_database
from incidentdesk.store.migrate import ensure_schema
from incidentdesk.tui.app import IncidentDeskApp

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
LOGIN = "oncall"

# name: (size, keys to press after the queue is up)
SHOTS = {
    "main-120x36": ((120, 36), ["j", "j"]),
    "main-80x24": ((80, 24), []),
    "detail-160x48": ((160, 48), ["j", "j", "j", "enter"]),
    "timeline-120x36": ((120, 36), ["j", "j", "j", "enter", "ctrl+right"]),
    "new-incident-100x40": ((100, 40), ["n"]),
    "help-120x36": ((120, 36), ["question_mark"]),
    "major-scope-120x36": ((120, 36), ["f"] * 5),  # all, mine, my groups, unassigned, at risk, major
    "major-screen-120x36": ((120, 36), ["f"] * 5 + ["v"]),  # the first major incident's own screen
    "wide-200x60": ((200, 60), ["j", "j"]),
    "ci-tab-120x36": ((120, 36), ["enter"] + ["ctrl+right"] * 3),       # the first incident's CI and changes
    "knowledge-tab-120x36": ((120, 36), ["enter"] + ["ctrl+right"] * 4),  # articles and similar resolved ones
    "reports-120x36": ((120, 36), ["R"]),
    "reports-trends-120x36": ((120, 36), ["R", "t"]),
    "problems-120x36": ((120, 36), ["B"]),
    "handover-120x36": ((120, 36), ["H"]),
    "oncall-120x36": ((120, 36), ["O"]),
    "knowledge-120x36": ((120, 36), ["K", *"vpn"]),
    "ci-browser-120x36": ((120, 36), ["I"]),
}


def _demo_runtime(folder: Path) -> Runtime:
    path = folder / "demo.db"
    db = open_database(f"sqlite:///{path}")
    ensure_schema(db.engine)
    config = Config()
    clock = lambda: NOW - timedelta(minutes=5)  # noqa: E731 - demo incidents end just before NOW
    load_demo(ServiceContext(db, config, Actor(login=LOGIN), clock), count=120, seed=7)
    return Runtime(config, db, ServiceContext(db, config, load_actor(db, LOGIN), lambda: NOW))


async def _shoot(runtime: Runtime, size: tuple[int, int], keys: list[str]) -> str:
    app = IncidentDeskApp(runtime, clock=lambda: NOW, cursor_blink=False, tick_seconds=0)
    async with app.run_test(size=size, notifications=True) as pilot:
        for _ in range(4):
            await app.workers.wait_for_complete()
            await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.2)
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
        return app.export_screenshot(title="incidentdesk")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    # A fixed folder, not a fresh temporary name: the database's path is in the pictures' header.
    folder = Path(tempfile.gettempdir()) / "incidentdesk-screenshots"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    runtime = _demo_runtime(folder)
    try:
        for name, (size, keys) in SHOTS.items():
            svg = asyncio.run(_shoot(runtime, size, keys))
            (out / f"{name}.svg").write_text(svg, encoding="utf-8")
            print(f"wrote {out / (name + '.svg')}")
    finally:
        runtime.db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
