"""The store's read queries for the console's worker threads, imported on first use.

store.queries imports SQLAlchemy (about half a second). The console's first screen is read
without it (Runtime.early_first_screen), so every worker reaches the queries through here and
the import happens in the first worker that reads after start-up, never on the UI thread
before the first screen is shown.
"""

from __future__ import annotations


def queries():
    from incidentdesk.store import queries

    return queries
