"""Knowledge-base use cases, declared once (services/kb.py).

Writing, editing and retiring articles are the command line's `kb new|edit|retire`; the console
writes and edits articles in the knowledge screen's editor (K: tui/screens/kb.py), which calls the
same services. "This fixed it" is an action on the incident (`kb fixed KEY ARTICLE`; in the
console, F on an article of the incident pane's Knowledge tab). Reading — `kb list|show|search`,
`kb import DIR` — is hand-written (cli/kb.py).
"""

from __future__ import annotations

from incidentdesk.services.catalog.spec import Kind, Param, Subject, UseCase

IN_KB_SCREEN = "written and edited in the knowledge screen (K), whose editor saves the whole article"


def _kb():
    from incidentdesk.services import kb

    return kb


def article_record(db, key: str) -> dict:
    """The article as `incidentdesk kb show KEY --json` prints it."""
    from incidentdesk.store.kb_reads import load_article

    return load_article(db, key).to_json()


def incident_record(db, key: str) -> dict:
    from incidentdesk.store import queries

    return queries.incident_detail(db, key).to_json()


def _content(required: bool) -> tuple[Param, ...]:
    return (
        Param("title", "Title", required=required, help="what the article solves, as someone would search for it"),
        Param("body", "Body (Markdown)", Kind.AREA, help="symptoms, cause, the fix step by step"),
        Param("category", "Category", Kind.CATEGORY, placeholder="Service/System/Application"),
        Param("ci", "CI or service", flag="--ci", help="the configuration item or service it is about"),
        Param("tags", "Tags", Kind.LIST, flag="--tag", help="one per --tag" + ("" if required else "; replaces them")),
    )


USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "kb_new", "New article", "write a knowledge-base article (--from KEY: prefilled from a resolved incident)",
        lambda: _kb().write_article, subject=Subject.NONE, command=("kb", "new"), console=IN_KB_SCREEN,
        printed="{key}", record=article_record,   # the key alone, as `new` prints it: scripts read it
        params=_content(False) + (
            Param("from_incident", "From incident", flag="--from",
                  help="a resolved incident: its title, symptoms, resolution notes, category and CI fill what "
                       "is not given"),
        ),
    ),
    UseCase(
        "kb_edit", "Edit article", "change an article's title, body, category, CI or tags",
        lambda: _kb().edit_article, subject=Subject.NONE, command=("kb", "edit"), console=IN_KB_SCREEN,
        names="article", printed="{key}: article saved", record=article_record,
        params=(Param("article", "Article", required=True, positional=True, help="e.g. KB-000012"),) + _content(False)
        + (Param("version", "Version edited", Kind.INT, minimum=1,
                 help="refuse if the article changed since this version (kb show prints it)"),),
    ),
    UseCase(
        "kb_retire", "Retire article", "take an article out of search and suggestions (its author or a captain)",
        lambda: _kb().retire_article, subject=Subject.NONE, command=("kb", "retire"), console=IN_KB_SCREEN,
        names="article", printed="{key}: article retired", record=article_record,
        params=(Param("article", "Article", required=True, positional=True, help="e.g. KB-000012"),),
    ),
    UseCase(
        "kb_fixed", "This fixed it", "record that a knowledge-base article fixed this incident (counts it helpful)",
        lambda: _kb().mark_fixed, command=("kb", "fixed"), conflicts=False, record=incident_record,
        console="the incident pane's Knowledge tab: F on the article that fixed it",
        printed="{key}: fixed by {article}", done="{key}: fixed by {article}",
        params=(Param("article", "Article", required=True, positional=True, help="e.g. KB-000012"),),
    ),
)
