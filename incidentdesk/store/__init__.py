"""Persistence: SQLAlchemy models, engine set-up per backend, migrations and read queries."""
