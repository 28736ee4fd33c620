"""Column types that behave the same on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from incidentdesk.store.rows import utc_from_sqlite


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python; naive UTC in SQLite, timestamptz in PostgreSQL.

    SQLite has no time zones, so storing naive UTC keeps its text sortable and comparable.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(DateTime(timezone=dialect.name != "sqlite"))

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect, coltype):
        """On SQLite, parse the stored text straight to an aware datetime in one C call.

        The generic path (SQLAlchemy's regex parser, then replace(tzinfo=...)) costs several
        microseconds per value; a 100-row queue page holds 600 of them.
        """
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        return utc_from_sqlite  # shared with store/fastpath, which reads without SQLAlchemy

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
