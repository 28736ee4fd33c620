"""Knowledge base: articles, their links to incidents, and each backend's full-text indexes

Revision ID: 0015_kb
Revises: 0008_vendor_pir

Two tables (kb_articles, kb_links), then the search indexes, which are each engine's own and so
not in the models (store/kb_search.SEARCH_OBJECTS names them for the model/migration comparison):
- SQLite: FTS5 external-content tables `kb_fts` (over kb_articles, retired ones left out) and
  `incident_fts` (over resolved and closed incidents: title, symptoms, resolution notes), with
  triggers that keep them in step inside the writing transaction. The incident triggers fire only
  on UPDATE OF the indexed columns or the status, and do nothing unless the incident is or was
  resolved/closed, so acknowledging, commenting or escalating pays nothing.
- PostgreSQL: a generated tsvector column on kb_articles (NULL once retired) with a GIN index, and a side table
  `incident_search` (one tsvector per resolved/closed incident, GIN) filled by a trigger with the
  same narrow firing rule; TRUNCATE/DELETE of incidents cascades to it.
Existing resolved incidents are indexed here once.
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0015_kb'
down_revision = '0009_metrics'
branch_labels = None
depends_on = None

INDEXED = "('resolved', 'closed')"
KB_COLS = "title, tags, body, category, ci"
INC_COLS = "title, symptoms, resolution_notes"

SQLITE_UP = [
    f"CREATE VIRTUAL TABLE kb_fts USING fts5({KB_COLS}, content='kb_articles', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    # bm25 weights by column: title, tags, body, category, ci
    "INSERT INTO kb_fts(kb_fts, rank) VALUES('rank', 'bm25(8.0, 4.0, 1.0, 2.0, 2.0)')",
    f"""CREATE TRIGGER kb_fts_insert AFTER INSERT ON kb_articles WHEN new.retired_at IS NULL BEGIN
        INSERT INTO kb_fts(rowid, {KB_COLS}) VALUES (new.id, new.title, new.tags, new.body, new.category, new.ci);
    END""",
    f"""CREATE TRIGGER kb_fts_delete AFTER DELETE ON kb_articles WHEN old.retired_at IS NULL BEGIN
        INSERT INTO kb_fts(kb_fts, rowid, {KB_COLS})
        VALUES ('delete', old.id, old.title, old.tags, old.body, old.category, old.ci);
    END""",
    f"""CREATE TRIGGER kb_fts_update AFTER UPDATE OF {KB_COLS}, retired_at ON kb_articles BEGIN
        INSERT INTO kb_fts(kb_fts, rowid, {KB_COLS})
        SELECT 'delete', old.id, old.title, old.tags, old.body, old.category, old.ci WHERE old.retired_at IS NULL;
        INSERT INTO kb_fts(rowid, {KB_COLS})
        SELECT new.id, new.title, new.tags, new.body, new.category, new.ci WHERE new.retired_at IS NULL;
    END""",
    f"CREATE VIRTUAL TABLE incident_fts USING fts5({INC_COLS}, content='incidents', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "INSERT INTO incident_fts(incident_fts, rank) VALUES('rank', 'bm25(4.0, 2.0, 1.0)')",
    f"""CREATE TRIGGER incident_fts_insert AFTER INSERT ON incidents WHEN new.status IN {INDEXED} BEGIN
        INSERT INTO incident_fts(rowid, {INC_COLS}) VALUES (new.id, new.title, new.symptoms, new.resolution_notes);
    END""",
    f"""CREATE TRIGGER incident_fts_delete AFTER DELETE ON incidents WHEN old.status IN {INDEXED} BEGIN
        INSERT INTO incident_fts(incident_fts, rowid, {INC_COLS})
        VALUES ('delete', old.id, old.title, old.symptoms, old.resolution_notes);
    END""",
    f"""CREATE TRIGGER incident_fts_update AFTER UPDATE OF {INC_COLS}, status ON incidents
        WHEN old.status IN {INDEXED} OR new.status IN {INDEXED} BEGIN
        INSERT INTO incident_fts(incident_fts, rowid, {INC_COLS})
        SELECT 'delete', old.id, old.title, old.symptoms, old.resolution_notes WHERE old.status IN {INDEXED};
        INSERT INTO incident_fts(rowid, {INC_COLS})
        SELECT new.id, new.title, new.symptoms, new.resolution_notes WHERE new.status IN {INDEXED};
    END""",
    f"INSERT INTO incident_fts(rowid, {INC_COLS}) SELECT id, {INC_COLS} FROM incidents WHERE status IN {INDEXED}",
]

# NULL for a retired article: out of the index, as on SQLite
PG_KB_VECTOR = ("CASE WHEN retired_at IS NULL THEN setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
                "setweight(to_tsvector('english'::regconfig, coalesce(tags, '') || ' ' || coalesce(category, '') "
                "|| ' ' || coalesce(ci, '')), 'B') || "
                "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C') END")
PG_INC_VECTOR = ("setweight(to_tsvector('english'::regconfig, coalesce({r}.title, '')), 'A') || "
                 "setweight(to_tsvector('english'::regconfig, coalesce({r}.symptoms, '')), 'B') || "
                 "setweight(to_tsvector('english'::regconfig, coalesce({r}.resolution_notes, '')), 'C')")

PG_UP = [
    f"ALTER TABLE kb_articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({PG_KB_VECTOR}) STORED",
    "CREATE INDEX ix_kb_articles_search_vector ON kb_articles USING gin (search_vector)",
    """CREATE TABLE incident_search (
        incident_id integer PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
        search_vector tsvector NOT NULL)""",
    "CREATE INDEX ix_incident_search_search_vector ON incident_search USING gin (search_vector)",
    f"""CREATE FUNCTION incident_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.status IN {INDEXED} THEN
            INSERT INTO incident_search(incident_id, search_vector) VALUES (NEW.id, {PG_INC_VECTOR.format(r="NEW")})
            ON CONFLICT (incident_id) DO UPDATE SET search_vector = EXCLUDED.search_vector;
        ELSE
            DELETE FROM incident_search WHERE incident_id = NEW.id;
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER incident_search_insert AFTER INSERT ON incidents FOR EACH ROW
        WHEN (NEW.status IN {INDEXED}) EXECUTE FUNCTION incident_search_sync()""",
    f"""CREATE TRIGGER incident_search_update AFTER UPDATE OF {INC_COLS}, status ON incidents FOR EACH ROW
        WHEN (OLD.status IN {INDEXED} OR NEW.status IN {INDEXED}) EXECUTE FUNCTION incident_search_sync()""",
    f"""INSERT INTO incident_search(incident_id, search_vector)
        SELECT i.id, {PG_INC_VECTOR.format(r="i")} FROM incidents i WHERE i.status IN {INDEXED}""",
]


def upgrade() -> None:
    op.create_table(
        'kb_articles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=20), nullable=False),
        sa.Column('slug', sa.String(length=200), nullable=True),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('category', sa.String(length=300), nullable=True),
        sa.Column('ci', sa.String(length=200), nullable=True),
        sa.Column('tags', sa.String(length=500), nullable=False),
        sa.Column('author', sa.String(length=64), nullable=False),
        sa.Column('source_incident', sa.String(length=20), nullable=True),
        sa.Column('created_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('helpful_count', sa.Integer(), nullable=False),
        sa.Column('retired_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.Column('retired_by', sa.String(length=64), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_articles')),
        sa.UniqueConstraint('key', name=op.f('uq_kb_articles_key')),
        sa.UniqueConstraint('slug', name=op.f('uq_kb_articles_slug')),
    )
    op.create_table(
        'kb_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('linked_by', sa.String(length=64), nullable=False),
        sa.Column('linked_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'],
                                name=op.f('fk_kb_links_article_id_kb_articles'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_kb_links_incident_id_incidents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_links')),
        sa.UniqueConstraint('incident_id', 'article_id', name='uq_kb_links_incident_article'),
    )
    op.create_index(op.f('ix_kb_links_incident_id'), 'kb_links', ['incident_id'])
    op.create_index(op.f('ix_kb_links_article_id'), 'kb_links', ['article_id'])
    statements = PG_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in ("DROP TRIGGER IF EXISTS incident_search_update ON incidents",
                          "DROP TRIGGER IF EXISTS incident_search_insert ON incidents",
                          "DROP FUNCTION IF EXISTS incident_search_sync()", "DROP TABLE IF EXISTS incident_search"):
            op.execute(statement)
    else:
        for name in ("incident_fts_update", "incident_fts_delete", "incident_fts_insert",
                     "kb_fts_update", "kb_fts_delete", "kb_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS incident_fts")
        op.execute("DROP TABLE IF EXISTS kb_fts")
    op.drop_index(op.f('ix_kb_links_article_id'), table_name='kb_links')
    op.drop_index(op.f('ix_kb_links_incident_id'), table_name='kb_links')
    op.drop_table('kb_links')
    op.drop_table('kb_articles')
