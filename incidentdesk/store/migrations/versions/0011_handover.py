"""Shift handovers

Revision ID: 0011_handover
Revises: 0008_vendor_pir

One new table, `handovers`: who published it and when, the note, the JSON snapshot of what was
handed over, who acknowledged it and when, and a version. Plain CREATE TABLE on both backends.
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0011_handover'
down_revision = '0008_vendor_pir'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'handovers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('published_by', sa.String(length=64), nullable=False),
        sa.Column('published_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
        sa.Column('acknowledged_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers')),
    )
    op.create_index(op.f('ix_handovers_published_at'), 'handovers', ['published_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_handovers_published_at'), table_name='handovers')
    op.drop_table('handovers')
