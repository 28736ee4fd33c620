"""Vendor incidents and post-incident reviews

Revision ID: 0008_vendor_pir
Revises: 0007_major_roles

Four nullable columns on `incidents` (the vendor, their ticket, status link and status: no row
is rewritten), and the review's own tables: one review per incident (versioned), the timeline
events it marks as highlights, and its numbered follow-up actions. Plain ALTER TABLE / CREATE
TABLE on both backends.
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0008_vendor_pir'
down_revision = '0007_major_roles'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('incidents', sa.Column('vendor', sa.String(length=200), nullable=True))
    op.add_column('incidents', sa.Column('vendor_ticket', sa.String(length=100), nullable=True))
    op.add_column('incidents', sa.Column('vendor_url', sa.String(length=2000), nullable=True))
    op.add_column('incidents', sa.Column('vendor_status', sa.String(length=500), nullable=True))
    op.create_table(
        'pir_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('impact_duration', sa.String(length=100), nullable=False),
        sa.Column('impact_users', sa.Text(), nullable=False),
        sa.Column('impact_services', sa.Text(), nullable=False),
        sa.Column('slowed', sa.Text(), nullable=False),
        sa.Column('missing', sa.Text(), nullable=False),
        sa.Column('causes', sa.JSON(), nullable=False),
        sa.Column('created_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_pir_reviews_incident_id_incidents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pir_reviews')),
        sa.UniqueConstraint('incident_id', name=op.f('uq_pir_reviews_incident_id')),
    )
    op.create_table(
        'pir_highlights',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('event_seq', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['review_id'], ['pir_reviews.id'],
                                name=op.f('fk_pir_highlights_review_id_pir_reviews'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pir_highlights')),
        sa.UniqueConstraint('review_id', 'event_seq', name='uq_pir_highlights_review_seq'),
    )
    op.create_table(
        'pir_follow_ups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=500), nullable=False),
        sa.Column('owner', sa.String(length=64), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('done_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.Column('done_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['review_id'], ['pir_reviews.id'],
                                name=op.f('fk_pir_follow_ups_review_id_pir_reviews'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pir_follow_ups')),
        sa.UniqueConstraint('review_id', 'number', name='uq_pir_follow_ups_review_number'),
    )


def downgrade() -> None:
    op.drop_table('pir_follow_ups')
    op.drop_table('pir_highlights')
    op.drop_table('pir_reviews')
    for name in ('vendor_status', 'vendor_url', 'vendor_ticket', 'vendor'):
        op.drop_column('incidents', name)
