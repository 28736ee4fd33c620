"""Knowledge-base use cases: write, edit and retire an article; "this fixed it"; import a folder of Markdown.

Each is one transaction. The search indexes follow in that same transaction by themselves (the
migration's triggers: store/kb_search.py), so a saved article is found at once and a failed save
leaves nothing behind in them. An edit names the version it started from: if someone saved in
between, it is refused (EditConflict naming who and when) and nothing is written — the console
keeps the typed text in its editor. "This fixed it" is an action on the incident: the link row
(counted by first-contact-resolution analysis), the article's helpful count and a timeline event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from incidentdesk.domain import kb as rules
from incidentdesk.domain.enums import EventKind, Role
from incidentdesk.domain.errors import DomainError, EditConflict, NotFound, PermissionDenied, ValidationError
from incidentdesk.domain.roles import at_least
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.timeline import append_event
from incidentdesk.store.kb_models import KbArticle, KbLink

MAX_IMPORT_BYTES = 1_000_000


def _fields(title, body, category, ci, tags) -> dict:
    return {"title": rules.check_title(title), "body": rules.check_body(body), "category": rules.check("category", category),
            "ci": rules.check("ci", ci), "tags": rules.normalise_tags(tags)}


def _new_article(s, ctx: ServiceContext, values: dict, *, slug=None, source_incident=None) -> KbArticle:
    now = ctx.now()
    # the database numbers it (concurrent writers never collide); its key follows from that number
    article = KbArticle(key=f"KB-new-{uuid4().hex[:12]}", slug=slug, author=ctx.actor.login,
                        source_incident=source_incident, created_at=now, updated_at=now, updated_by=ctx.actor.login,
                        helpful_count=0, **values)
    s.add(article)
    s.flush()
    # not through the ORM, which would count it as an edit (version 2 before anyone edited it)
    key = rules.format_key(article.id)
    s.execute(update(KbArticle).where(KbArticle.id == article.id).values(key=key)
              .execution_options(synchronize_session=False))
    set_committed_value(article, "key", key)
    return article


def write_article(ctx: ServiceContext, *, title: str, body: str = "", category: str | None = None,
                  ci: str | None = None, tags=(), from_incident: str | None = None) -> str:
    """A new article; returns its key. `from_incident`: turned from that incident (its fields fill what is not given)."""
    source = None
    if from_incident:
        from incidentdesk.store.kb_reads import incident_for_article

        incident = incident_for_article(ctx.db, from_incident)
        if incident["status"] not in rules.INDEXED_STATUSES:
            raise ValidationError(f"{incident['key']} is {incident['status']}: an article is made from a resolved "
                                  "incident (its resolution notes say how it was fixed)", field="from_incident")
        draft = rules.draft_from_incident(incident)
        title, body = title or draft["title"], body or draft["body"]
        category, ci, source = category or draft["category"], ci or draft["ci"], incident["key"]
    values = _fields(title, body, category, ci, tags)
    with ctx.db.write() as s:
        return _new_article(s, ctx, values, source_incident=source).key


def _locked(s, key: str) -> KbArticle:
    number = rules.parse_key(key)
    article = s.scalar(select(KbArticle).where(KbArticle.id == number).with_for_update())
    if article is None:
        raise NotFound(f"no article {rules.format_key(number)}: incidentdesk kb list shows them")
    return article


def _conflict(article: KbArticle) -> EditConflict:
    when = article.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return EditConflict(f"{article.key} was changed by {article.updated_by} at {when} (now version "
                        f"{article.version}); nothing was saved — read it again (kb show {article.key}) and save on top",
                        key=article.key, changed_by=article.updated_by, changed_at=article.updated_at)


def edit_article(ctx: ServiceContext, article: str, *, title: str | None = None, body: str | None = None,
                 category: str | None = None, ci: str | None = None, tags=None,
                 version: int | None = None) -> int:
    """Change what is given (None: unchanged; "" clears category/CI); returns the new version.

    `version`: the version the editor started from; refused (EditConflict) if the article moved on."""
    from sqlalchemy.orm.exc import StaleDataError

    try:
        with ctx.db.write() as s:
            a = _locked(s, article)
            if version is not None and a.version != version:
                raise _conflict(a)
            if a.retired_at is not None:
                raise ValidationError(f"{a.key} is retired; it cannot be edited", field="article")
            changes = {}
            if title is not None:
                changes["title"] = rules.check_title(title)
            if body is not None:
                changes["body"] = rules.check_body(body)
            if category is not None:
                changes["category"] = rules.check("category", category)
            if ci is not None:
                changes["ci"] = rules.check("ci", ci)
            if tags is not None:
                changes["tags"] = rules.normalise_tags(tags)
            changes = {k: v for k, v in changes.items() if getattr(a, k) != v}
            if not changes:
                raise ValidationError(f"{a.key} already says this; nothing to change", field="body")
            for name, value in changes.items():
                setattr(a, name, value)
            a.updated_at, a.updated_by = ctx.now(), ctx.actor.login
            s.flush()
            return a.version
    except StaleDataError:
        with ctx.db.read() as s:
            raise _conflict(s.get(KbArticle, rules.parse_key(article))) from None


def retire_article(ctx: ServiceContext, article: str) -> str:
    """Take an article out of search and suggestions (kept, with its links): its author or a triage captain+."""
    with ctx.db.write() as s:
        a = _locked(s, article)
        if a.author != ctx.actor.login and not at_least(ctx.actor, Role.TRIAGE_CAPTAIN):
            raise PermissionDenied(f"{ctx.actor.login} may not retire {a.key}: only its author ({a.author}) "
                                   "or a triage captain or higher")
        if a.retired_at is not None:
            raise ValidationError(f"{a.key} is retired already", field="article")
        a.retired_at, a.retired_by = ctx.now(), ctx.actor.login
        a.updated_at, a.updated_by = a.retired_at, ctx.actor.login
        return a.key


def mark_fixed(ctx: ServiceContext, key: str, *, article: str, expected_version: int | None = None) -> int:
    """"This fixed it": link `article` to incident `key`, count it helpful, say so on the timeline.

    Like a comment it never conflicts (it changes nothing anyone typed): `expected_version` is ignored."""
    from incidentdesk.services.incident_edit import _editing

    number = rules.parse_key(article)
    with _editing(ctx, key, None) as (s, inc, now):
        a = s.get(KbArticle, number)
        if a is None:
            raise NotFound(f"no article {rules.format_key(number)}: incidentdesk kb list shows them")
        if a.retired_at is not None:
            raise ValidationError(f"{a.key} is retired; link a current article", field="article")
        if s.scalar(select(KbLink.id).where(KbLink.incident_id == inc.id, KbLink.article_id == a.id)):
            raise ValidationError(f"{a.key} is already recorded as fixing {inc.key}", field="article")
        s.add(KbLink(incident_id=inc.id, article_id=a.id, linked_by=ctx.actor.login, linked_at=now))
        # not through the ORM: a helpful vote must not make someone's open edit of the article a conflict
        s.execute(update(KbArticle).where(KbArticle.id == a.id)
                  .values(helpful_count=KbArticle.helpful_count + 1).execution_options(synchronize_session=False))
        append_event(s, inc, ctx.actor, EventKind.KNOWLEDGE, now, text=f"fixed by {a.key}: {a.title}",
                     after={"article": a.key})
        return inc.version + 1


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)   # (file name, why)

    def to_json(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": [{"file": f, "reason": r} for f, r in self.rejected]}


def _read(path: Path) -> rules.ParsedArticle:
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise ValidationError(f"larger than {MAX_IMPORT_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValidationError("not UTF-8 text") from None
    return rules.parse_markdown(text)


def import_folder(ctx: ServiceContext, directory: str) -> ImportReport:
    """Every *.md file of `directory` as an article, matched by file name (slug): new ones created,
    changed ones updated, the same left alone — so running it twice changes nothing. Files that cannot
    be read are reported with why and skipped; the rest is saved in one transaction."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ValidationError(f"{directory} is not a folder", field="directory")
    report = ImportReport()
    parsed: dict[str, tuple[str, dict]] = {}
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".md", ".markdown") and p.is_file()):
        try:
            slug = rules.slugify(path.name)
            if slug in parsed:
                raise ValidationError(f"same name as {parsed[slug][0]}")
            article = _read(path)
        except (DomainError, OSError) as exc:
            report.rejected.append((path.name, str(exc)))
            continue
        parsed[slug] = (path.name, {"title": article.title, "body": article.body, "category": article.category,
                                    "ci": article.ci, "tags": article.tags})
    with ctx.db.write() as s:
        existing = {a.slug: a for a in s.scalars(select(KbArticle).where(KbArticle.slug.in_(list(parsed))))} \
            if parsed else {}
        for slug, (name, values) in parsed.items():
            a = existing.get(slug)
            if a is None:
                report.created.append(_new_article(s, ctx, values, slug=slug).key)
            elif all(getattr(a, k) == v for k, v in values.items()):
                report.unchanged.append(a.key)
            else:
                for k, v in values.items():
                    setattr(a, k, v)
                a.updated_at, a.updated_by = ctx.now(), ctx.actor.login
                report.updated.append(a.key)
    return report
