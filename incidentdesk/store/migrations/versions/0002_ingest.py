"""alert ingestion: receipts that make a sender's retry idempotent

Revision ID: 0002_ingest
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0002_ingest'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=24), nullable=False),
    sa.Column('received_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_receipts')),
    sa.UniqueConstraint('digest', name=op.f('uq_alert_receipts_digest'))
    )
    with op.batch_alter_table('alert_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_receipts_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_receipts_received_at'))
    op.drop_table('alert_receipts')
