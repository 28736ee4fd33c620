"""people audit: the directory trail (people, roles, groups, categories, services), hash-chained

Revision ID: 0004_people_audit
Revises: 0003_major_incidents

On a database that already holds people, groups, categories or services, the trail starts
with one `baseline` record per subject giving its state at the upgrade (actor
"schema-upgrade"), so that `audit verify` can hold every later row to the trail. Incident
numbers already missing at the upgrade (PostgreSQL numbers lost to rolled-back transactions
before numbers were made gap-free) are recorded in one sealed `baseline` record too, and are
not reported as deleted incidents.
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types
from incidentdesk.domain.audit import NUMBERS_SUBJECT, chained_directory_record


revision = '0004_people_audit'
down_revision = '0003_major_incidents'
branch_labels = None
depends_on = None

UPGRADER = "schema-upgrade"


def upgrade() -> None:
    trail = op.create_table('directory_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('real_actor', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_events')),
    sa.UniqueConstraint('seq', name=op.f('uq_directory_events_seq'))
    )
    _baseline(op.get_bind(), trail)


def _baseline(conn, trail) -> None:
    subjects = []
    groups_of: dict[int, list[str]] = {}
    names = dict(conn.execute(sa.text("SELECT id, name FROM groups")).all())
    for user_id, group_id in conn.execute(sa.text("SELECT user_id, group_id FROM group_members")).all():
        groups_of.setdefault(user_id, []).append(names[group_id])
    for uid, login, name, role in conn.execute(sa.text("SELECT id, login, name, role FROM users ORDER BY login")):
        subjects.append(("user", login, {"name": name, "role": role, "groups": sorted(groups_of.get(uid, []))}))
    for name, tier, manager, description in conn.execute(
            sa.text("SELECT name, tier, manager, description FROM groups ORDER BY name")):
        subjects.append(("group", name, {"tier": tier, "manager": manager, "description": description or ""}))
    for path, default_group in conn.execute(sa.text("SELECT path, default_group FROM categories ORDER BY path")):
        subjects.append(("category", path, {"default_group": default_group}))
    for name, owner, description in conn.execute(
            sa.text("SELECT name, owner_group, description FROM services ORDER BY name")):
        subjects.append(("service", name, {"owner_group": owner, "description": description or ""}))
    ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM incidents ORDER BY id"))]
    present = set(ids)
    missing = [n for n in range(1, (ids[-1] if ids else 0) + 1) if n not in present]
    if missing:
        subjects.append((NUMBERS_SUBJECT, "missing before the trail began", {"missing": missing}))
    at = datetime.now(UTC)
    prev = None
    rows = []
    for seq, (subject_type, subject, state) in enumerate(subjects, start=1):
        record = chained_directory_record(prev, seq=seq, at=at, actor=UPGRADER, real_actor=UPGRADER,
                                          kind="baseline", subject_type=subject_type, subject=subject,
                                          after=state)
        prev = record["hash"]
        rows.append(record)
    if rows:
        op.bulk_insert(trail, rows)


def downgrade() -> None:
    op.drop_table('directory_events')
