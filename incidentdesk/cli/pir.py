"""`incidentdesk pir KEY`: a post-incident review as Markdown (for a wiki or chat), or `--json`.

Changing a review is done by the generated commands (pir-edit, pir-follow-up, pir-done,
pir-highlight: services/catalog/pir.py); this only reads. The rendering is domain/pir_markdown.py.
"""

from __future__ import annotations

import sys

from incidentdesk.cli.common import print_json, runtime


def cmd_pir(args) -> int:
    from incidentdesk.domain.pir_markdown import render_markdown, review_json
    from incidentdesk.store.pir import load_review

    rt = runtime(args)
    review = load_review(rt.db, args.key)
    if args.json:
        print_json(review_json(review))
    else:
        sys.stdout.write(render_markdown(review))
    return 0


def register(commands) -> None:
    p = commands.add("pir", help="a post-incident review as Markdown (wiki, chat) or JSON",
                     description="Print the post-incident review of KEY as Markdown: headings, a timeline "
                                 "table, follow-ups as a checklist. Edit it with pir-edit, pir-follow-up, "
                                 "pir-done and pir-highlight, or P in the console.")
    p.add_argument("key", metavar="KEY", help="the incident, e.g. INC-000123")
    p.add_argument("--json", action="store_true", help="the review as JSON")
    p.set_defaults(handler=cmd_pir)
