"""Fixtures of the console tests (their helpers are in tests/support: desk, tui, snapshot)."""

from __future__ import annotations

import pytest

from tests.support.clock import Clock
from tests.support.desk import build, open_db
from tests.support.snapshot import snapshot_app as build_snapshot_app


@pytest.fixture
def tui_clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(tmp_path, tui_clock):
    """A real SQLite file with the small desk of tests/support/desk.py."""
    db = open_db(tmp_path / "desk.db")
    keys = build(db, tui_clock)
    yield db, keys
    db.dispose()


@pytest.fixture
def snapshot_app(tmp_path):
    """snapshot_app(name, login="tess", **build_options) -> the app to photograph, its database under tmp_path."""
    apps = []

    def make(name: str, login: str = "tess", **build_options):
        app = build_snapshot_app(tmp_path, name, login, **build_options)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.runtime.db.dispose()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
