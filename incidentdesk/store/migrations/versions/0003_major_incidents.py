"""major incidents: the flag, when it was declared, the commander; an index for the major queue

Revision ID: 0003_major_incidents
Revises: 0002_ingest

Plain ALTER TABLE on both backends (no batch mode): SQLite adds a NOT NULL column with a
constant default and drops columns natively (3.35+), and rebuilding `incidents` in batch mode
would cascade-delete its timeline under PRAGMA foreign_keys=ON. Existing incidents become
not major (server default false).

The index is partial, and its predicate is the very expression queries._filtered emits
(`is_major IS 1` on SQLite, `is_major IS true` on PostgreSQL); neither planner matches a
predicate written `WHERE is_major` against that.
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0003_major_incidents'
down_revision = '0002_ingest'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('incidents', sa.Column('is_major', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('incidents', sa.Column('major_declared_at', incidentdesk.store.types.UTCDateTime(), nullable=True))
    op.add_column('incidents', sa.Column('commander', sa.String(length=64), nullable=True))
    op.create_index('ix_incidents_major_queue', 'incidents', ['is_open', 'priority', 'sla_due_at', 'id'], unique=False,
                    sqlite_where=sa.column('is_major').is_(True), postgresql_where=sa.column('is_major').is_(True))


def downgrade() -> None:
    op.drop_index('ix_incidents_major_queue', table_name='incidents')
    op.drop_column('incidents', 'commander')
    op.drop_column('incidents', 'major_declared_at')
    op.drop_column('incidents', 'is_major')
