"""The settable clock every test uses: services and the console read it, tests move it explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    """Callable like `utc_now`; `advance(minutes=5)` moves it and returns the new time."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now
