"""Metrics: an index on incidents.resolved_at

Revision ID: 0009_metrics
Revises: 0008_vendor_pir

The report (store/metrics_sql.py) reads the incidents created in the period, resolved in it, or
open: created_at and is_open already have indexes, and with this one both backends answer the
three-way OR from indexes (SQLite's multi-index OR, PostgreSQL's bitmap OR) instead of reading
the whole table; the weekly MTTR trend reads by resolved_at too. No row is rewritten.
"""
from alembic import op


revision = '0009_metrics'
down_revision = '0014_problems'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_incidents_resolved', 'incidents', ['resolved_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_incidents_resolved', table_name='incidents')
