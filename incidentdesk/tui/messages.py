"""Messages the worker threads post back to the UI thread (the only thread-safe way in).

Also how the parts of the console talk upwards: the change feed's thread tells the main screen
what changed (IncidentsChanged, Resync, ConnectionChanged); the main screen tells the App once
its first screen is up (FirstScreenShown, bubbling) — neither calls into the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.message import Message

# Only __init__ is generated: a message is posted and handled, never compared or printed by value
# (Textual's Message has its own repr), and each generated method costs the console's start-up.
message = dataclass(eq=False, repr=False)


@message
class PageLoaded(Message):
    rows: list
    has_more: bool
    mode: str
    cursor: tuple | None
    keep_id: int | None
    generation: int
    start: int | None = None  # rows before this page, when known without the page before it
    detail: object = None  # the first row's detail, when read with the page (the first screen)


@message
class NotInView(Message):
    """An incident just logged that the queue's current scope and filters leave out."""

    key: str


@message
class CountLoaded(Message):
    total: int
    generation: int


@message
class DetailLoaded(Message):
    detail: object


@message
class RowsLoaded(Message):
    rows: list
    ids: set


@message
class PickersLoaded(Message):
    pickers: object


@message
class ActionDone(Message):
    action: object
    detail: object
    text: str
    created: str | None = None  # the key of an incident the action logged
    changes: tuple = ()  # (incident id, change_log id) the action recorded (store/changefeed.capture)


@message
class ActionFailed(Message):
    action: object
    detail: object
    values: dict
    error: Exception


@message
class ReadFailed(Message):
    error: Exception
    what: str


@message
class ConnectionChanged(Message):
    """The database answered (ok) or did not (since when it has not)."""

    ok: bool
    since: datetime | None = None


@message
class IncidentsChanged(Message):
    """These incidents changed (anywhere): re-read their rows and the open incident."""

    ids: set
    changes: object = None  # the feed's store.changefeed.Changes (which change_log rows), when it knows them


@message
class Resync(Message):
    """Changes may have been missed (after an outage): re-read the page and the open incident."""


@message
class FirstScreenShown(Message):
    """The first page and the selected incident are on screen; background work may start."""
