"""Which changes a console made itself, so the change feed's echo of them is not read a second time.

An action re-reads its incident when it finishes; the feed then reports the same change_log rows.
An incident is skipped only when every change the feed names for it is one of this console's own;
anyone else's change, or one the feed cannot name (a bulk notification), is read as usual. Whichever
of the two arrives first reads, once. UI thread only (no locking).
"""

from __future__ import annotations

from collections import deque


class OwnChanges:
    def __init__(self) -> None:
        self._own: set[int] = set()              # change_log ids of this console's finished actions
        self._heard: deque[int] = deque(maxlen=2000)  # the latest ids the feed reported

    def to_read(self, changes) -> set[int]:
        """The incidents of a feed report (store.changefeed.Changes) that need reading."""
        ids = set()
        for incident_id in changes.incident_ids:
            if changes.only_these(incident_id, self._own):
                self._own -= changes.change_ids[incident_id]
            else:
                ids.add(incident_id)
        for named in changes.change_ids.values():
            self._heard.extend(named)
        return ids

    def finished(self, change_ids: set[int]) -> bool:
        """An action of this console made these changes: True when it must read them (the feed has not)."""
        if change_ids and change_ids <= set(self._heard):
            return False  # the feed was first and re-read it after the commit
        self._own |= change_ids
        return True

    def expect(self, change_ids: set[int]) -> None:
        """An action made these changes and reads them its own way (a new incident's page)."""
        self._own |= change_ids - set(self._heard)

    def clear(self) -> None:
        """After an outage everything is re-read anyway."""
        self._own.clear()
