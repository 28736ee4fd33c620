"""`incidentdesk kb list|show|search|suggest|import`: reading the knowledge base, and importing Markdown.

Writing (`kb new|edit|retire`, `kb fixed KEY ARTICLE`) is generated from the catalog
(services/catalog/kb.py). Everything printed from the database goes through domain/text.printable,
so an article's body cannot drive the terminal; matches are shown between ** ** in plain output.
"""

from __future__ import annotations

import sys

from incidentdesk.cli.common import print_json, print_list, runtime


def _hit_line(hit) -> str:
    from incidentdesk.domain.kb import split_marks
    from incidentdesk.domain.text import printable

    snippet = "".join(f"**{t}**" if marked else t for t, marked in split_marks(hit.snippet))
    return f"{hit.key}  {hit.score:7.3f}  {printable(hit.title, 70)}\n      {printable(snippet, 160)}"


def cmd_list(args) -> int:
    from incidentdesk.store.kb_reads import list_articles

    rows = list_articles(runtime(args).db, limit=args.limit, include_retired=args.all, category=args.category)
    return print_list(args, rows, _article_line,
                      empty="no articles yet: incidentdesk kb new, kb import DIR, or K in the console")


def _article_line(a) -> str:
    from incidentdesk.domain.text import printable

    mark = " (retired)" if a.retired else ""
    return f"{a.key}  +{a.helpful:<3} {a.updated_at:%Y-%m-%d}  {printable(a.title, 70)}{mark}"


def cmd_show(args) -> int:
    from incidentdesk.domain.text import printable, strip_control
    from incidentdesk.store.kb_reads import load_article

    a = load_article(runtime(args).db, args.article)
    if args.json:
        print_json(a.to_json())
        return 0
    print(f"{a.key}  {printable(a.title)}{'  (retired)' if a.retired else ''}")
    print(f"  category {printable(a.category) or '-'}; CI/service {printable(a.ci) or '-'}; tags {printable(a.tags) or '-'}")
    print(f"  by {printable(a.author)}, updated {a.updated_at:%Y-%m-%d %H:%M} UTC by {printable(a.updated_by)}; "
          f"version {a.version}; helpful {a.helpful}")
    if a.source_incident:
        print(f"  from {a.source_incident}")
    if a.fixed:
        print(f"  fixed: {', '.join(a.fixed)}")
    print()
    sys.stdout.write(strip_control(a.body) + "\n")
    return 0


def cmd_search(args) -> int:
    from incidentdesk.domain.errors import ValidationError
    from incidentdesk.domain.kb import search_terms
    from incidentdesk.store.kb_reads import search

    query = " ".join(args.words)
    if not search_terms(query):
        raise ValidationError(f"nothing to search for in {query!r}: give words (not only short or common ones)")
    hits = search(runtime(args).db, query, limit=args.limit)
    return print_list(args, hits, _hit_line, empty="no article matches")


def cmd_suggest(args) -> int:
    from incidentdesk.domain.text import printable
    from incidentdesk.store.kb_reads import suggestions

    found = suggestions(runtime(args).db, args.key)
    if args.json:
        print_json(found.to_json())
        return 0
    print(f"articles for {found.incident}:" if found.articles else f"no article matches {found.incident}")
    for hit in found.articles:
        linked = "  [fixed it]" if hit.key in found.linked else ""
        print(_hit_line(hit) + linked)
    print("similar resolved incidents:" if found.incidents else "no similar resolved incident")
    for hit in found.incidents:
        print(_hit_line(hit))
        print(f"      resolution: {printable(hit.resolution_notes, 160) or '-'}")
    return 0


def cmd_import(args) -> int:
    from incidentdesk.domain.text import printable
    from incidentdesk.services.kb import import_folder

    rt = runtime(args)
    report = import_folder(rt.ctx, args.directory)
    if args.json:
        print_json(report.to_json())
    else:
        print(f"{len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
              f"{len(report.rejected)} rejected")
        for name, reason in report.rejected:
            print(f"  rejected {printable(name)}: {printable(reason)}")
    return 1 if report.rejected else 0


def register(commands) -> None:
    p = commands.add(("kb", "list"), help="articles, most helpful first")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--category", help="only this category")
    p.add_argument("--all", action="store_true", help="retired articles too")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)
    p = commands.add(("kb", "show"), help="one article: its fields and Markdown body")
    p.add_argument("article", metavar="ARTICLE", help="e.g. KB-000012")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)
    p = commands.add(("kb", "search"), help="full-text search, ranked, matches marked **like this**",
                     description="Articles containing every word (the last one also as a prefix), best first.")
    p.add_argument("words", nargs="+", metavar="WORD")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)
    p = commands.add(("kb", "suggest"), help="articles and similar resolved incidents for an incident")
    p.add_argument("key", metavar="KEY", help="the incident, e.g. INC-000123")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_suggest)
    p = commands.add(("kb", "import"), help="import a folder of Markdown files (idempotent by file name)",
                     description="Each *.md file becomes an article: its title from `title:` front matter or "
                                 "its first `# heading`; category, ci/service and tags from front matter. A file "
                                 "imported before (same name) is updated if it changed. Files that cannot be "
                                 "imported are listed with why (exit status 1); the others are saved.")
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)
