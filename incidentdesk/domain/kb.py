"""Knowledge-base rules with no I/O: article keys, field limits, tags, slugs, Markdown front matter,
search terms and highlight markers.

Search text is untrusted: it is reduced here to plain words (letters, digits, underscore) before
either backend sees it, so neither FTS5's query syntax (`"`, `*`, `NEAR`, column filters) nor
PostgreSQL's tsquery operators (`&|!:*()`) can be typed into a query. Both backends then get
the same words, joined by their own AND / OR.

Highlights come back from the engines (FTS5 snippet(), ts_headline) between two private-use
characters, MARK_START and MARK_END, which no terminal interprets; `split_marks` turns a snippet
into (text, highlighted) pieces so the console styles the matches and shows the text literally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from incidentdesk.domain.errors import NotFound, ValidationError
from incidentdesk.domain.text import one_line, strip_control

PREFIX = "KB"
_KEY = re.compile(r"^\s*(?:KB-?)?0*(\d+)\s*$", re.IGNORECASE)
MARK_START, MARK_END = "\ue000", "\ue001"

# field -> (what a person calls it, the most characters it may have): the columns of store/kb_models.py
LIMITS = {"title": ("article title", 300), "category": ("category", 300), "ci": ("CI or service", 200),
          "tags": ("tags", 500), "slug": ("file name", 200)}
MAX_BODY = 200_000          # characters: a runbook, not a log dump
MAX_TERMS = 16              # words taken from an incident for its suggestions
INDEXED_STATUSES = ("resolved", "closed")  # incidents searchable for "how was it fixed last time"

# Words too common to say anything about an incident (both engines drop their own stop words too;
# these are dropped first so the OR of an incident's words stays short).
STOP_WORDS = frozenset("""
a an and are as at be been but by can cannot could did do does for from had has have how i if in into is
it its me my no not of on or our out so than that the their them then there these they this to too up us
was we were what when where which while who why will with you your after again all also any because
before being both each few further here just more most now only other over same should some such very
""".split())


def format_key(number: int) -> str:
    return f"{PREFIX}-{number:06d}"


def parse_key(text: str) -> int:
    """Accept KB-000012, kb-12 or 12; the number."""
    match = _KEY.match(str(text or ""))
    if not match:
        raise NotFound(f"{text!r} is not an article key: use the form KB-000012 (incidentdesk kb list)")
    return int(match.group(1))


def check(field: str, value: str | None) -> str | None:
    """`value` on one line (None if empty), refused if over the field's limit."""
    text = one_line(value) if value is not None else ""
    if not text:
        return None
    what, most = LIMITS[field]
    if len(text) > most:
        raise ValidationError(f"{what} is {len(text)} characters; at most {most}", field=field)
    return text


def check_title(value: str | None) -> str:
    title = check("title", value)
    if not title:
        raise ValidationError("an article needs a title", field="title")
    return title


def check_body(value: str | None) -> str:
    body = strip_control(value or "").replace("\r\n", "\n").strip("\n")
    if len(body) > MAX_BODY:
        raise ValidationError(f"the body is {len(body)} characters; at most {MAX_BODY}", field="body")
    return body


def normalise_tags(values) -> str:
    """Tags as stored and searched: lower case, unique, in the order given, joined by ", "."""
    if values is None:
        return ""
    if isinstance(values, str):
        values = [values]
    seen: list[str] = []
    for value in values:
        for tag in re.split(r"[,\n]", strip_control(str(value))):
            tag = " ".join(tag.split()).lower().lstrip("#")
            if tag and tag not in seen:
                seen.append(tag)
    return check("tags", ", ".join(seen)) or ""


def slugify(name: str) -> str:
    """A file's name as the key that makes an import idempotent: `Disk Full.md` -> `disk-full`."""
    stem = re.sub(r"\.(md|markdown)$", "", name.strip(), flags=re.IGNORECASE)
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    if not slug:
        raise ValidationError(f"{name!r} gives no usable name (letters or digits)", field="slug")
    return slug[:LIMITS["slug"][1]]


@dataclass(frozen=True)
class ParsedArticle:
    title: str
    body: str
    category: str | None = None
    ci: str | None = None
    tags: str = ""


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def parse_markdown(text: str) -> ParsedArticle:
    """An article from a Markdown file: `---` front matter (title, category, ci/service, tags) if any,
    else the first `# heading` as the title (removed from the body). Refused without a title."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    meta: dict[str, str] = {}
    match = _FRONT.match(text)
    if match:
        for line in match.group(1).splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, sep, value = line.partition(":")
            if not sep:
                raise ValidationError(f"front matter line {line.strip()!r} is not `name: value`", field="front matter")
            meta[name.strip().lower()] = value.strip().strip("\"'")
        text = text[match.end():]
    title = meta.get("title")
    if not title:
        heading = _HEADING.search(text)
        if heading is None:
            raise ValidationError("no title: give `title:` in front matter or start with a `# heading`", field="title")
        title = heading.group(1)
        text = text[:heading.start()] + text[heading.end():]
    tags = meta.get("tags", "").strip("[]")
    return ParsedArticle(title=check_title(title), body=check_body(text), category=check("category", meta.get("category")),
                         ci=check("ci", meta.get("ci") or meta.get("service")), tags=normalise_tags(tags))


def search_terms(text: str | None, *, limit: int = MAX_TERMS) -> list[str]:
    """The words of `text` a query may use: lower case, no stop words or one-letter words, unique."""
    words: list[str] = []
    for word in re.findall(r"\w+", (text or "").lower()):
        if len(word) > 1 and word not in STOP_WORDS and word not in words and not word.isdigit():
            words.append(word[:64])
        if len(words) >= limit:
            break
    return words


def split_marks(snippet: str | None) -> list[tuple[str, bool]]:
    """A snippet's pieces, (text, is a match), with control characters removed from the text."""
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{MARK_START}{MARK_END}]", snippet or "")):
        part = strip_control(part).replace("\n", " ")
        if part:
            pieces.append((part, i % 2 == 1))
    return pieces


def boost(score: float, category: str | None, ci: str | None, want_category: str | None, want_ci: str | None) -> float:
    """An engine's score (higher is better) raised for the same CI (x1.5), category (x1.5) or service (x1.2)."""
    factor = 1.0
    if want_ci and ci and ci.lower() == want_ci.lower():
        factor += 0.5
    if want_category and category:
        if category.lower() == want_category.lower():
            factor += 0.5
        elif category.split("/")[0].lower() == want_category.split("/")[0].lower():
            factor += 0.2
    return score * factor


def draft_from_incident(incident: dict) -> dict:
    """An article prefilled from a resolved incident: its title, symptoms, how it was fixed, its category and CI."""
    sections = [f"Turned into an article from {incident['key']}."]
    if incident.get("symptoms"):
        sections.append("## Symptoms\n\n" + incident["symptoms"].strip())
    if incident.get("description"):
        sections.append("## Details\n\n" + incident["description"].strip())
    sections.append("## Resolution\n\n" + (incident.get("resolution_notes") or "(not written yet)").strip())
    return {"title": (incident.get("title") or "")[:LIMITS["title"][1]], "body": "\n\n".join(sections) + "\n",
            "category": incident.get("category") or "", "ci": incident.get("ci") or incident.get("affected_service") or "",
            "tags": "", "from_incident": incident["key"]}
