"""Problems, known errors and incident links

Revision ID: 0014_problems
Revises: 0008_vendor_pir

The problem records and their links to incidents (two new tables), and on `incidents` two
nullable columns for an incident folded under another (parent_id, link_kind: child | duplicate)
with the indexes recurring detection and folding read (CI / category by creation time, children
by parent). Plain ALTER TABLE on both backends; parent_id has no foreign key (SQLite
could add one only by rebuilding the table, and incidents are never deleted).
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0014_problems'
down_revision = '0013_cmdb'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('incidents', sa.Column('parent_id', sa.Integer(), nullable=True))
    op.add_column('incidents', sa.Column('link_kind', sa.String(length=12), nullable=True))
    # (ci, created_at) is 0013_cmdb's ix_incidents_ci: recurring detection reads it too
    op.create_index('ix_incidents_category_created', 'incidents', ['category', 'created_at'])
    op.create_index('ix_incidents_parent', 'incidents', ['parent_id', 'is_open'])
    op.create_table(
        'problems',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=500), nullable=False),
        sa.Column('statement', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('root_cause', sa.Text(), nullable=False),
        sa.Column('workaround', sa.Text(), nullable=False),
        sa.Column('owner', sa.String(length=64), nullable=True),
        sa.Column('created_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('known_error_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.Column('resolved_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.Column('closed_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.Column('from_follow_up', sa.String(length=40), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_problems')),
    )
    op.create_index(op.f('ix_problems_status'), 'problems', ['status'])
    op.create_table(
        'problem_incidents',
        sa.Column('problem_id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('linked_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('linked_by', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['problem_id'], ['problems.id'],
                                name=op.f('fk_problem_incidents_problem_id_problems'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_problem_incidents_incident_id_incidents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('problem_id', 'incident_id', name=op.f('pk_problem_incidents')),
    )
    op.create_index(op.f('ix_problem_incidents_incident_id'), 'problem_incidents', ['incident_id'])


def downgrade() -> None:
    op.drop_table('problem_incidents')
    op.drop_index(op.f('ix_problems_status'), table_name='problems')
    op.drop_table('problems')
    op.drop_index('ix_incidents_parent', table_name='incidents')
    op.drop_index('ix_incidents_category_created', table_name='incidents')
    op.drop_column('incidents', 'link_kind')
    op.drop_column('incidents', 'parent_id')
