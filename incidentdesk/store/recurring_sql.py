"""The queue row's recurring flag as SQL text per backend (domain/recurring.py's rule, in SQL).

Plain text without SQLAlchemy, because the start-up fast path (store/fastpath.py, plain sqlite3)
writes the same statement store/queries compiles. For each row: the `count`-th most recent
incident on the row's CI at or before the row's creation (read backwards along the index
ix_incidents_ci, stopping after `count` entries) is no older than the window; the same
on the category. No CI (or no category) matches nothing. SQLite stores UTC text with six
fractional digits: strftime's milliseconds padded to six compare as the stored text does.
"""

from __future__ import annotations


def _nth(column: str, count: int) -> str:
    return (f"(SELECT recur.created_at \nFROM incidents AS recur \nWHERE recur.{column} = incidents.{column} "
            f"AND recur.created_at <= incidents.created_at ORDER BY recur.created_at DESC\n LIMIT 1 OFFSET {count - 1})")


def recurring_sql(dialect: str, count: int, days: int, by_category: bool = True) -> str:
    """`<the later of the two count-th incidents> >= <creation - window>` for `dialect`, false when neither exists.

    The later of the two, compared once: the window's start is computed once per row, not twice
    (on SQLite the date arithmetic costs as much as a lookup).
    """
    count, days = int(count), int(days)   # written into the text: whole numbers only
    ci, category = _nth("ci", count), _nth("category", count)
    if dialect == "sqlite":   # max() of text; '' (none found) is older than any time
        since = f"strftime('%Y-%m-%d %H:%M:%f', incidents.created_at, '-{days} days') || '000'"
        if not by_category:
            return f"(coalesce({ci}, '') >= {since})"
        return f"(max(coalesce({ci}, ''), coalesce({category}, '')) >= {since})"
    latest = f"GREATEST({ci}, {category})" if by_category else ci
    return f"coalesce({latest} >= incidents.created_at - interval '{days} days', false)"
