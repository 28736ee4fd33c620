"""After PostgreSQL comes back, the console says so within about 2 s (it took 12-15 s).

The database goes away for this console only: it talks to the shared server through a proxy the
test cuts and restores, never stopping the server others use. Two ways of going away:
- refused: every connection dropped and new ones refused, as a stopped or restarting server does;
- silent: the host stops answering (network cut, host frozen or rebooting): nothing is refused,
  packets just get no answer, so a connection that was open hangs instead of failing.
"""

from __future__ import annotations

import time

import pytest

from incidentdesk.domain.errors import StorageUnavailable
from incidentdesk.store import changefeed
from incidentdesk.store.engine import open_database
from tests.support.clock import Clock
from tests.support.desk import build, make_app
from tests.support.proxy import CuttableProxy
from tests.support.tui import eventually, select_key, settle


pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

BACK_WITHIN = 2.0  # seconds from the database's return to the banner gone ("about 2 s")


@pytest.fixture
def feed_failures(monkeypatch) -> list[float]:
    """When the console's change feed last found the database unreachable (monotonic times)."""
    failures: list[float] = []
    wait = changefeed.ChangeFeed.wait

    def spied(self, timeout):
        try:
            return wait(self, timeout)
        except StorageUnavailable:
            failures.append(time.monotonic())
            raise

    monkeypatch.setattr(changefeed.ChangeFeed, "wait", spied)
    return failures


async def _console_through(pg_db, proxy_mode: str):
    clock = Clock()
    keys = build(pg_db, clock)
    url = pg_db.engine.url
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    db = open_database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    app = make_app(db, "tess", clock, live=True, sweep_seconds=5)
    return app, db, proxy, keys


@pytest.mark.parametrize("outage", [1.0, 8.0])
async def test_banner_clears_within_2s_after_postgres_returns(pg_db, feed_failures, outage):
    app, db, proxy, keys = await _console_through(pg_db, "refused")
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await select_key(pilot, keys["mail"])
            proxy.cut()
            await eventually(pilot, lambda: not app.main_screen.connection_ok, 5.0, "the outage banner")
            banner = app.main_screen.query_one("#banner")
            assert banner.display
            await pilot.press("ctrl+r")  # someone re-reads during the outage: those reads fail too
            await pilot.pause(outage)
            # The worst moment to come back: just after the console's last try failed.
            seen = len(feed_failures)
            await eventually(pilot, lambda: len(feed_failures) > seen, 10.0, "the feed retrying")
            assert not app.main_screen.connection_ok
            proxy.restore()
            took = await eventually(pilot, lambda: app.main_screen.connection_ok, 30.0, "reconnect by itself")
            assert not banner.display
            assert took <= BACK_WITHIN, f"banner cleared {took:.1f} s after the database came back"
            await settle(pilot)  # and the console reads again
            assert app.main_screen.table.rows_by_id and app.main_screen.detail.key == keys["mail"]
    finally:
        proxy.close()
        db.dispose()
