from __future__ import annotations

import asyncio

import pytest

from tests.tui.scenario import Clock, build, open_db


@pytest.fixture
def tui_clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(tmp_path, tui_clock):
    """A real SQLite file with the small desk of tests/tui/scenario.py."""
    db = open_db(tmp_path / "desk.db")
    keys = build(db, tui_clock)
    yield db, keys
    db.dispose()


async def settle(pilot, rounds: int = 3) -> None:
    """Let workers finish and their messages land (they hop threads, so a few rounds).

    The change-feed worker of a live console runs until the app exits, so it is not waited for.
    """
    app = pilot.app
    for _ in range(rounds):
        await asyncio.gather(*[w.wait() for w in app.workers if w.group != "change-feed"], return_exceptions=True)
        await pilot.pause()


def plain_text(widget, width: int = 200) -> str:
    """What a Static shows, as plain text (no styles), to assert on."""
    import io

    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.export_text()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
