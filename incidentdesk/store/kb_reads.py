"""Reading the knowledge base: articles listed and shown, searches, an incident's suggestions and links.

Every function takes the Database and opens its own read session, so the console calls them from
thread workers (tui/kb_reads.py) and the CLI directly. Searching itself is store/kb_search.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from incidentdesk.domain import kb as rules
from incidentdesk.domain.errors import NotFound
from incidentdesk.store.kb_models import KbArticle, KbLink
from incidentdesk.store.kb_search import Hit, search_articles, similar_incidents
from incidentdesk.store.models import Incident


@dataclass
class ArticleDetail:
    key: str
    title: str
    body: str
    category: str | None
    ci: str | None
    tags: str
    author: str
    created_at: datetime
    updated_at: datetime
    updated_by: str
    helpful: int
    version: int
    retired: bool
    source_incident: str | None
    slug: str | None = None
    fixed: list[str] = field(default_factory=list)   # incidents it fixed ("this fixed it")

    def to_json(self) -> dict:
        out = asdict(self)
        for name in ("created_at", "updated_at"):
            out[name] = out[name].isoformat()
        return out


def _detail(s, a: KbArticle, with_links: bool = True) -> ArticleDetail:
    fixed = []
    if with_links:
        fixed = list(s.scalars(select(Incident.key).join(KbLink, KbLink.incident_id == Incident.id)
                               .where(KbLink.article_id == a.id).order_by(KbLink.linked_at)))
    return ArticleDetail(a.key, a.title, a.body, a.category, a.ci, a.tags, a.author, a.created_at, a.updated_at,
                         a.updated_by, a.helpful_count, a.version, a.retired_at is not None, a.source_incident,
                         a.slug, fixed)


def load_article(db, key: str) -> ArticleDetail:
    number = rules.parse_key(key)
    with db.read() as s:
        a = s.get(KbArticle, number)
        if a is None:
            raise NotFound(f"no article {rules.format_key(number)}: incidentdesk kb list shows them")
        return _detail(s, a)


def list_articles(db, *, limit: int = 100, include_retired: bool = False, category: str | None = None,
                  ) -> list[ArticleDetail]:
    """Most helpful first, then most recently updated."""
    with db.read() as s:
        q = select(KbArticle)
        if not include_retired:
            q = q.where(KbArticle.retired_at.is_(None))
        if category:
            q = q.where(KbArticle.category == category)
        q = q.order_by(KbArticle.helpful_count.desc(), KbArticle.updated_at.desc(), KbArticle.id).limit(limit)
        return [_detail(s, a, with_links=False) for a in s.scalars(q)]


def search(db, query: str, *, limit: int = 20) -> list[Hit]:
    """The knowledge screen's and `kb search`'s search: every word must match (the last as a prefix)."""
    terms = rules.search_terms(query)
    with db.read() as s:
        return search_articles(s, terms, limit=limit)


@dataclass
class Suggestions:
    incident: str
    articles: list[Hit]
    incidents: list[Hit]
    linked: list[str]           # articles already marked "this fixed it" on this incident

    def to_json(self) -> dict:
        return {"incident": self.incident, "articles": [h.to_json() for h in self.articles],
                "incidents": [h.to_json() for h in self.incidents], "linked": self.linked}


def suggestions(db, key: str, *, articles: int = 5, incidents: int = 5) -> Suggestions:
    """What may help with incident `key`: articles and resolved incidents sharing words with its title
    and symptoms (any word), the same category or CI ranked higher."""
    from incidentdesk.domain.keys import parse_key

    number = parse_key(key)
    with db.read() as s:
        row = s.execute(select(Incident.key, Incident.title, Incident.symptoms, Incident.category, Incident.ci,
                               Incident.affected_service).where(Incident.id == number)).first()
        if row is None:
            raise NotFound(f"no incident {key}: check the key (incidentdesk list shows them)")
        terms = rules.search_terms(f"{row.title} {row.symptoms or ''} {row.ci or ''}")
        ci = row.ci or row.affected_service
        found_articles = search_articles(s, terms, limit=articles, any_word=True, category=row.category, ci=ci)
        found_incidents = similar_incidents(s, terms, limit=incidents, category=row.category, ci=row.ci,
                                            exclude=number)
        linked = list(s.scalars(select(KbArticle.key).join(KbLink, KbLink.article_id == KbArticle.id)
                                .where(KbLink.incident_id == number).order_by(KbLink.linked_at)))
        return Suggestions(row.key, found_articles, found_incidents, linked)


def incident_for_article(db, key: str) -> dict:
    """A resolved incident's fields an article is prefilled from (domain/kb.draft_from_incident)."""
    from incidentdesk.domain.keys import parse_key

    number = parse_key(key)
    with db.read() as s:
        inc = s.get(Incident, number)
        if inc is None:
            raise NotFound(f"no incident {key}: check the key (incidentdesk list shows them)")
        return {"key": inc.key, "title": inc.title, "symptoms": inc.symptoms, "description": inc.description,
                "resolution_notes": inc.resolution_notes, "category": inc.category, "ci": inc.ci,
                "affected_service": inc.affected_service, "status": inc.status}


def fixed_by_article_count(db) -> int:
    """Incidents with at least one "this fixed it" article (first-contact-resolution analysis reads this)."""
    with db.read() as s:
        return s.scalar(select(func.count(func.distinct(KbLink.incident_id)))) or 0
