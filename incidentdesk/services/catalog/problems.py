"""Problems, known errors and incident links, declared once (services/problems.py, services/links.py).

On an incident (its KEY first, the console's selection): open a problem from it (b), mark it a
duplicate of another (L) or a child of a parent (l), unlink it (U), and turn a review's follow-up
into a problem. On a problem (PRB-… first): `problem new|link|unlink|edit|known-error|resolve|close`;
the console runs these from the problems screen (B: tui/screens/problems.py), which calls the same
use cases. `problem list` and `problem show` only read (cli/problems.py).
"""

from __future__ import annotations

from incidentdesk.domain.enums import Role
from incidentdesk.services.catalog.spec import Kind, Param, Subject, UseCase

IN_PROBLEMS_SCREEN = "run from the problems screen (B) on the selected problem"


def _problems():
    from incidentdesk.services import problems

    return problems


def _links():
    from incidentdesk.services import links

    return links


def incident_record(db, key: str) -> dict:
    from incidentdesk.store import queries

    return queries.incident_detail(db, key).to_json()


def problem_record(db, key: str) -> dict:
    """The problem as `incidentdesk problem show KEY --json` prints it."""
    from incidentdesk.store.problems import load_problem

    return load_problem(db, key).to_json()


def incident_problem_record(db, key: str) -> dict:
    """The problem just opened from incident `key` (its newest)."""
    from incidentdesk.store.problems import problem_of_incident

    return problem_of_incident(db, key).to_json()


_PROBLEM = Param("problem", "Problem", required=True, positional=True, help="the problem, e.g. PRB-000012")
_VERSION = Param("version", "Version", Kind.INT, minimum=1, maximum=2_000_000_000,
                 help="refuse if the problem is no longer at this version (problem show --json)")
_INCIDENTS = Param("incidents", "Incidents", Kind.LIST, flag="--incident", help="an incident key, once per incident")
_ON_PROBLEM = {"subject": Subject.NONE, "record": problem_record, "console": IN_PROBLEMS_SCREEN, "printed": "{key}"}

USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "problem_from_incident", "Open problem", "open a problem from this incident (linked to it)",
        lambda: _problems().problem_from_incident, command=("problem-from",), key="b", short="Problem", rank=30,
        dialog_title="Open a problem from this incident", submit="Open problem",
        done="{result} opened from {key} (B lists problems)", printed="{result}",
        record=incident_problem_record, params=(
            Param("title", "Title", placeholder="default: the incident's title"),
            Param("statement", "Problem statement", Kind.AREA, help="what keeps failing, and its impact"),
        ),
    ),
    UseCase(
        "duplicate", "Duplicate of", "mark this incident a duplicate of another (folded under it, resolved with it)",
        lambda: _links().duplicate, command=("duplicate",), key="d", rank=31, submit="Mark duplicate",
        done="{key} is a duplicate of {of}", printed="{key}: duplicate of {of}", record=incident_record,
        params=(Param("of", "Duplicate of (key)", required=True, placeholder="INC-000123"),),
    ),
    UseCase(
        "link_parent", "Link to parent", "make this incident a child of a parent (folded under it, resolved with it)",
        lambda: _links().link_parent, command=("link-parent",), key="J", rank=32, submit="Link",
        done="{key} is a child of {parent}", printed="{key}: child of {parent}", record=incident_record,
        params=(Param("parent", "Parent (key)", required=True, placeholder="INC-000123"),),
    ),
    UseCase(
        "unlink_incident", "Unlink", "unlink from its parent or original (it stands on its own again)",
        lambda: _links().unlink_incident, command=("unlink",), key="U", rank=33, done="{key} unlinked",
        printed="{key}: unlinked", record=incident_record,
    ),
    UseCase(
        "pir_follow_up_problem", "Follow-up to problem", "open a problem from follow-up N of the incident's review",
        lambda: _problems().pir_follow_up_problem, command=("pir-follow-up-problem",), printed="{result}",
        record=incident_problem_record, console="the review screen's follow-ups; on the command line",
        params=(Param("number", "Follow-up number", required=True, positional=True),),
    ),
    UseCase(
        "problem_new", "New problem", "open a problem, optionally from several incidents (--incident, once each)",
        lambda: _problems().create_problem, command=("problem", "new"), **_ON_PROBLEM, params=(
            Param("title", "Title", placeholder="default: the first incident's title"),
            Param("statement", "Problem statement", Kind.AREA),
            _INCIDENTS,
            Param("owner", "Owner", Kind.PERSON),
        ),
    ),
    UseCase(
        "problem_link", "Link incidents", "link incidents to a problem",
        lambda: _problems().link_incidents, command=("problem", "link"), **_ON_PROBLEM,
        params=(_PROBLEM, _INCIDENTS, _VERSION),
    ),
    UseCase(
        "problem_unlink", "Unlink incidents", "unlink incidents from a problem",
        lambda: _problems().unlink_incidents, command=("problem", "unlink"), **_ON_PROBLEM,
        params=(_PROBLEM, _INCIDENTS, _VERSION),
    ),
    UseCase(
        "problem_edit", "Edit problem", "set a problem's title, statement, root cause, workaround or owner",
        lambda: _problems().edit_problem, command=("problem", "edit"), **_ON_PROBLEM, params=(
            _PROBLEM, Param("title", "Title"), Param("statement", "Problem statement", Kind.AREA),
            Param("root_cause", "Root cause", Kind.AREA), Param("workaround", "Workaround", Kind.AREA),
            Param("owner", "Owner", Kind.PERSON), _VERSION,
        ),
    ),
    UseCase(
        "problem_known_error", "Known error", "mark a known error (needs a workaround: it then shows on matching "
        "incidents)", lambda: _problems().mark_known_error, command=("problem", "known-error"), **_ON_PROBLEM,
        params=(_PROBLEM, Param("workaround", "Workaround", Kind.AREA), Param("root_cause", "Root cause", Kind.AREA),
                _VERSION),
    ),
    UseCase(
        "problem_resolve", "Resolve problem", "resolve a problem and its open linked incidents, with notes",
        lambda: _problems().resolve_problem, command=("problem", "resolve"), role=Role.TRIAGE_CAPTAIN,
        **_ON_PROBLEM, params=(_PROBLEM, Param("notes", "Resolution notes", Kind.AREA, required=True), _VERSION),
    ),
    UseCase(
        "problem_close", "Close problem", "close a resolved problem",
        lambda: _problems().close_problem, command=("problem", "close"), **_ON_PROBLEM,
        params=(_PROBLEM, _VERSION),
    ),
)
