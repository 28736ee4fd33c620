"""A post-incident review written out: Markdown to paste into a wiki or chat, and a JSON record.

Pure functions of a domain/pir_review.Review. Everything in a review is untrusted text (titles from
alerts, what people typed), so each value is escaped for where it lands: in a table cell a `|`
would start a new column and a backtick a code span, in a paragraph a leading `#` or `-` a
heading or list; newlines in a cell would end the row. Control characters are removed first.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from incidentdesk.domain.pir import kind_words
from incidentdesk.domain.pir_review import Entry, Review
from incidentdesk.domain.text import one_line, strip_control

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def inline(text: str | None) -> str:
    """One line of untrusted text, with Markdown's inline syntax (and table pipes) escaped."""
    return _INLINE.sub(r"\\\1", one_line(text))


def block(text: str | None, empty: str = "_Not written yet._") -> str:
    """Several lines of untrusted text as one paragraph, each line's own breaks kept (hard breaks)."""
    lines = [line.strip() for line in strip_control(text).splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return empty
    out = []
    for line in lines:
        escaped = _INLINE.sub(r"\\\1", " ".join(line.split()))
        out.append(_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped))
    return "  \n".join(out)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def _entry_row(e: Entry) -> str:
    what = kind_words(e.kind)
    if e.highlight:
        what = f"★ {what}"
    details = inline(e.text) or "—"
    if e.note:
        details += f" — **note:** {inline(e.note)}"
    return f"| {_when(e.at)} | {inline(e.actor)} | {what} | {details} |"


def render_markdown(r: Review) -> str:
    title = inline(r.title)
    status = "complete" if r.complete else f"draft — still needs {' and '.join(r.missing_parts())}"
    edited = f", last edited by {inline(r.updated_by)} {_when(r.updated_at)} UTC" if r.exists else ""
    lines = [
        f"# Post-incident review: {r.key} — {title}",
        "",
        f"**Priority** P{r.priority} · **Severity** {r.severity} · **Status** {r.status.replace('_', ' ')}"
        f" · **Commander** {inline(r.commander) or '—'}  ",
        f"**Review:** {status} (version {r.version}{edited})",
        "",
        "## Summary", "", block(r.summary), "",
        "## Impact", "",
        f"- **Duration:** {inline(r.duration) or '—'}",
        f"- **Users:** {inline(r.impact_users) or '—'}",
        f"- **Services:** {inline(r.impact_services or r.affected_service) or '—'}",
        "",
        "## Timeline", "",
    ]
    shown = [e for e in r.timeline if e.highlight or e.stakeholder_update] if r.highlights else list(r.timeline)
    if shown:
        lines += ["| When (UTC) | Who | What | Details |", "| --- | --- | --- | --- |"]
        lines += [_entry_row(e) for e in shown]
        left = len(r.timeline) - len(shown)
        if left:
            lines += ["", f"_Highlights (★) and stakeholder updates; {left} other events: "
                          f"`incidentdesk show {r.key}`._"]
    else:
        lines.append("_No events._")
    lines += ["", "## What slowed the response", "", block(r.slowed), "",
              "## What information was missing", "", block(r.missing), "",
              "## Contributing causes", ""]
    lines += [f"{i}. {inline(c)}" for i, c in enumerate(r.causes, 1)] or ["_None recorded yet._"]
    lines += ["", "## Follow-up actions", ""]
    for f in r.follow_ups:
        due = f"due {f.due_on.isoformat()}" if f.due_on else "no due date"
        done = f" — done {_when(f.done_at)} by {inline(f.done_by)}" if f.done else ""
        lines.append(f"- [{'x' if f.done else ' '}] {inline(f.action)} — owner **{inline(f.owner)}**, {due}{done}")
    if not r.follow_ups:
        lines.append("_None yet._")
    return "\n".join(lines) + "\n"


def _iso(value):
    return value.isoformat() if isinstance(value, datetime | date) else value


def review_json(r: Review) -> dict:
    """The review as `incidentdesk pir KEY --json` prints it."""
    return {
        "key": r.key, "title": r.title, "priority": f"P{r.priority}", "severity": r.severity, "status": r.status,
        "is_major": r.is_major, "commander": r.commander, "exists": r.exists, "version": r.version,
        "updated_by": r.updated_by, "updated_at": _iso(r.updated_at),
        "complete": r.complete, "missing": r.missing_parts(),
        "summary": r.summary,
        "impact": {"duration": r.duration, "duration_written": r.impact_duration, "users": r.impact_users,
                   "services": r.impact_services},
        "slowed": r.slowed, "missing_information": r.missing, "causes": list(r.causes),
        "timeline": [{"seq": e.seq, "at": _iso(e.at), "actor": e.actor, "kind": e.kind, "text": e.text,
                      "highlight": e.highlight, "note": e.note, "stakeholder_update": e.stakeholder_update}
                     for e in r.timeline],
        "follow_ups": [{"number": f.number, "action": f.action, "owner": f.owner, "due": _iso(f.due_on),
                        "done": f.done, "done_at": _iso(f.done_at), "done_by": f.done_by} for f in r.follow_ups],
    }
