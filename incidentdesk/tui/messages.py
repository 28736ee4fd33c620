"""Messages the worker threads post back to the UI thread (the only thread-safe way in)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class PageLoaded(Message):
    rows: list
    has_more: bool
    mode: str
    cursor: tuple | None
    keep_id: int | None
    generation: int
    start: int | None = None  # rows before this page, when known without the page before it


@dataclass
class NotInView(Message):
    """An incident just logged that the queue's current scope and filters leave out."""

    key: str


@dataclass
class CountLoaded(Message):
    total: int
    generation: int


@dataclass
class DetailLoaded(Message):
    detail: object


@dataclass
class RowsLoaded(Message):
    rows: list
    ids: set


@dataclass
class PickersLoaded(Message):
    pickers: object


@dataclass
class ActionDone(Message):
    action: object
    detail: object
    text: str
    created: str | None = None  # the key of an incident the action logged
    changes: tuple = ()  # (incident id, change_log id) the action recorded (store/changefeed.capture)


@dataclass
class ActionFailed(Message):
    action: object
    detail: object
    values: dict
    error: Exception


@dataclass
class ReadFailed(Message):
    error: Exception
    what: str
