"""Full-text search of articles and resolved incidents, with each backend's own engine behind one interface.

SQLite: FTS5 (`kb_fts`, `incident_fts`: bm25 with column weights set in migration 0015, snippet()).
PostgreSQL: tsvector + GIN (`kb_articles.search_vector`, `incident_search.search_vector`: ts_rank,
ts_headline). Both indexes are kept in step by triggers in the writing transaction, so an edit is
found at once and a rolled-back edit never is.

A query is done in two steps on both backends: the engine ranks its matches and returns the best
ids with their scores (the bare FTS query, which the benchmark measures alone); then only those rows
are read and given their highlighted snippet. Suggestions take CANDIDATES ids and re-rank them with
the category/CI boost (domain/kb.boost) before highlighting the few kept; a plain search keeps the
engine's order and takes just the rows shown. Either way highlighting and boosting cost a few rows'
work, whatever the number of matches.
Words come from domain/kb.search_terms, so no query syntax reaches either engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

from incidentdesk.domain.kb import MARK_END, MARK_START

CANDIDATES = 50

# What the migration creates outside the models (the comparison of models and migrations skips them).
SEARCH_OBJECTS = frozenset({"kb_fts", "incident_fts", "incident_search", "search_vector",
                            "ix_kb_articles_search_vector", "ix_incident_search_search_vector"})


def outside_models(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic include_object hook: False for the search indexes (and FTS5's shadow tables)."""
    if name is None:
        return True
    return not (name in SEARCH_OBJECTS or name.startswith(("kb_fts_", "incident_fts_")))


@dataclass
class Hit:
    """One search result: an article (key KB-…) or a resolved incident (INC-…, with how it was fixed)."""

    kind: str                 # "article" | "incident"
    id: int
    key: str
    title: str
    score: float
    category: str | None = None
    ci: str | None = None
    snippet: str = ""         # the matched text, matches between MARK_START and MARK_END
    helpful: int = 0
    resolution_notes: str | None = None
    resolved_at: object = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        from incidentdesk.domain.kb import split_marks

        out = {"kind": self.kind, "key": self.key, "title": self.title, "score": round(self.score, 4),
               "category": self.category, "ci": self.ci,
               "snippet": "".join(f"**{t}**" if hit else t for t, hit in split_marks(self.snippet))}
        if self.kind == "article":
            out["helpful"] = self.helpful
        else:
            out["resolution_notes"] = self.resolution_notes
        return out


def _fts5_query(terms: list[str], any_word: bool) -> str:
    if any_word:
        return " OR ".join(f'"{t}"' for t in terms)
    # every word, the last as a prefix: results while typing
    return " ".join(f'"{t}"' for t in terms[:-1]) + (" " if len(terms) > 1 else "") + f'"{terms[-1]}"*'


_FTS5 = {"article": "kb_fts", "incident": "incident_fts"}
# the column a snippet is cut from: an article's body; an incident's symptoms (its notes are shown whole)
_SNIPPET_COLUMN = {"article": 2, "incident": 1}


class SqliteSearch:
    """FTS5: `rank` is bm25 with the migration's weights (lower is better; negated into a score).

    snippet() runs only for the rows shown: in the ranked query itself when the engine's order is final
    (a plain search), else for the few rows left after the boost (suggestions).
    """

    def bare(self, s: Session, kind: str, terms: list[str], *, any_word: bool, limit: int = CANDIDATES):
        table = _FTS5[kind]
        return s.execute(text(f"SELECT rowid, -rank FROM {table} WHERE {table} MATCH :q ORDER BY rank LIMIT :n"),
                         {"q": _fts5_query(terms, any_word), "n": limit}).all()

    def candidates(self, s: Session, kind: str, terms: list[str], *, any_word: bool, limit: int = CANDIDATES,
                   final: bool = False):
        if not final:
            return [(row[0], row[1], None) for row in self.bare(s, kind, terms, any_word=any_word, limit=limit)]
        # the engine's order is the final one: FTS5 sorts by rank itself, so snippet() runs for these rows only
        table = _FTS5[kind]
        return s.execute(text(
            f"SELECT rowid, -rank, snippet({table}, {_SNIPPET_COLUMN[kind]}, '{MARK_START}', '{MARK_END}', '…', 14) "
            f"FROM {table} WHERE {table} MATCH :q ORDER BY rank LIMIT :n"),
            {"q": _fts5_query(terms, any_word), "n": limit}).all()

    def snippets(self, s: Session, kind: str, terms: list[str], ids: list[int], *, any_word: bool) -> dict:
        # each rowid is sought within the MATCH: a few rows, after the boost re-ranked the candidates
        table = _FTS5[kind]
        rows = s.execute(text(
            f"SELECT rowid, snippet({table}, {_SNIPPET_COLUMN[kind]}, '{MARK_START}', '{MARK_END}', '…', 14) "
            f"FROM {table} WHERE {table} MATCH :q AND rowid IN ({','.join(str(int(i)) for i in ids)})"),
            {"q": _fts5_query(terms, any_word)}).all()
        return dict(rows)


_HEADLINE = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=8, "
             "MaxFragments=2, FragmentDelimiter=' … '")
_PG_TABLE = {"article": ("kb_articles", "id"), "incident": ("incident_search", "incident_id")}
_PG_TEXT = {"article": ("kb_articles", "t.body"), "incident": ("incidents", "coalesce(t.symptoms, '')")}


def _tsquery(terms: list[str], any_word: bool) -> str:
    if any_word:
        return " | ".join(terms)
    return " & ".join(terms[:-1] + [terms[-1] + ":*"])


class PostgresSearch:
    """tsvector + GIN: ts_rank over the weighted vectors; ts_headline only for the rows shown."""

    def bare(self, s: Session, kind: str, terms: list[str], *, any_word: bool, limit: int = CANDIDATES):
        table, pk = _PG_TABLE[kind]
        return s.execute(text(
            f"SELECT {pk}, ts_rank(search_vector, q) AS r FROM {table}, to_tsquery('english', :q) q "
            "WHERE search_vector @@ q ORDER BY r DESC LIMIT :n"), {"q": _tsquery(terms, any_word), "n": limit}).all()

    def candidates(self, s: Session, kind: str, terms: list[str], *, any_word: bool, limit: int = CANDIDATES,
                   final: bool = False):
        return [(row[0], row[1], None) for row in self.bare(s, kind, terms, any_word=any_word, limit=limit)]

    def snippets(self, s: Session, kind: str, terms: list[str], ids: list[int], *, any_word: bool) -> dict:
        table, body = _PG_TEXT[kind]
        rows = s.execute(text(f"SELECT t.id, ts_headline('english', {body}, q, :opts) "
                              f"FROM {table} t, to_tsquery('english', :q) q WHERE t.id = ANY(:ids)"),
                         {"q": _tsquery(terms, any_word), "ids": list(ids), "opts": _HEADLINE}).all()
        return dict(rows)


_DETAILS = {
    "article": "SELECT id, key, title, category, ci, helpful_count FROM kb_articles WHERE id IN ({ids})",
    "incident": "SELECT id, key, title, category, ci, resolution_notes, resolved_at FROM incidents WHERE id IN ({ids})",
}


def engine_for(s: Session) -> SqliteSearch | PostgresSearch:
    return PostgresSearch() if s.get_bind().dialect.name == "postgresql" else SqliteSearch()


def _hit(kind: str, row, score: float, snippet: str | None) -> Hit:
    if kind == "article":
        return Hit(kind, row[0], row[1], row[2], score, row[3], row[4], snippet or "", helpful=row[5])
    return Hit(kind, row[0], row[1], row[2], score, row[3], row[4], snippet or "",
               resolution_notes=row[5], resolved_at=row[6])


def ranked(s: Session, kind: str, terms: list[str], *, limit: int, any_word: bool, category: str | None = None,
           ci: str | None = None, exclude: int | None = None) -> list[Hit]:
    """The best `limit` matches of `kind`: the engine's candidates, boosted by category/CI, highlighted."""
    from incidentdesk.domain.kb import boost

    if not terms:
        return []
    engine = engine_for(s)
    final = category is None and ci is None and exclude is None  # nothing to re-rank: the engine's order stands
    found = [c for c in engine.candidates(s, kind, terms, any_word=any_word,
                                          limit=limit if final else max(limit, CANDIDATES), final=final)
             if c[0] != exclude]
    if not found:
        return []
    ids = ",".join(str(int(c[0])) for c in found)
    rows = {row[0]: row for row in s.execute(text(_DETAILS[kind].format(ids=ids))).all()}
    hits = [_hit(kind, rows[c[0]], float(c[1]), c[2]) for c in found if c[0] in rows]
    for hit in hits:
        hit.score = boost(hit.score, hit.category, hit.ci, category, ci)
    hits.sort(key=lambda h: (-h.score, h.id))
    hits = hits[:limit]
    missing = [h.id for h in hits if not h.snippet]
    if missing:
        found_snippets = engine.snippets(s, kind, terms, missing, any_word=any_word)
        for hit in hits:
            hit.snippet = hit.snippet or found_snippets.get(hit.id, "")
    return hits


def search_articles(s: Session, terms: list[str], *, limit: int = 20, any_word: bool = False,
                    category: str | None = None, ci: str | None = None) -> list[Hit]:
    """Articles matching every word (the last as a prefix), or any word; ranked, boosted, highlighted."""
    return ranked(s, "article", terms, limit=limit, any_word=any_word, category=category, ci=ci)


def similar_incidents(s: Session, terms: list[str], *, limit: int = 5, category: str | None = None,
                      ci: str | None = None, exclude: int | None = None) -> list[Hit]:
    """Resolved/closed incidents sharing words with `terms`, ranked, boosted, with their resolution notes."""
    return ranked(s, "incident", terms, limit=limit, any_word=True, category=category, ci=ci, exclude=exclude)
