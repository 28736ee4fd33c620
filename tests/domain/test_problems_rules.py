"""Problem statuses, keys and the known-error match rule (domain/problems.py, domain/links.py): pure."""

from __future__ import annotations

import pytest

from incidentdesk.domain.errors import InvalidTransition, NotFound, ValidationError
from incidentdesk.domain.links import LinkKind, cascade_note, check_link
from incidentdesk.domain.problems import (
    ProblemStatus as P, check_editable, check_known_error, format_problem_key, matches, next_status, parse_problem_key,
)


def test_keys_round_trip_and_refuse_incident_keys():
    assert format_problem_key(12) == "PRB-000012"
    assert [parse_problem_key(k) for k in ("PRB-000012", "prb-12", " 12 ", "PRB12")] == [12] * 4
    with pytest.raises(NotFound, match="not a problem key"):
        parse_problem_key("INC-000012")


@pytest.mark.parametrize("step, start, end", [
    ("known_error", P.OPEN, P.KNOWN_ERROR), ("resolve", P.OPEN, P.RESOLVED),
    ("resolve", P.KNOWN_ERROR, P.RESOLVED), ("close", P.RESOLVED, P.CLOSED),
])
def test_steps(step, start, end):
    assert next_status(step, start, "PRB-000001") is end


@pytest.mark.parametrize("step, start", [("close", P.OPEN), ("known_error", P.RESOLVED), ("resolve", P.CLOSED)])
def test_refused_steps_say_what_is_possible(step, start):
    with pytest.raises(InvalidTransition, match=f"it is {start.label}; from here you can"):
        next_status(step, start, "PRB-000001")


def test_closed_is_not_editable_and_a_known_error_needs_a_workaround():
    check_editable(P.RESOLVED, "PRB-1")
    with pytest.raises(InvalidTransition, match="it is closed"):
        check_editable(P.CLOSED, "PRB-1")
    with pytest.raises(ValidationError, match="no workaround yet"):
        check_known_error("  ", "PRB-1")


def test_match_rule_ci_first_then_category():
    cis, cats = ["mx1", None], ["Email/Exchange", "Email/Outlook"]
    assert matches(cis, cats, "mx1", "Other") is True               # same CI, whatever the category
    assert matches(cis, cats, "mx2", "Email/Exchange") is False     # another CI: not by category
    assert matches(cis, cats, None, "Email/Outlook") is True        # no CI: by category
    assert matches(cis, cats, None, None) is False


def test_links_refuse_self_chains_and_parents_with_children():
    with pytest.raises(ValidationError, match="itself"):
        check_link("INC-1", "INC-1", LinkKind.CHILD, same=True, other_folded_under=None, has_children=0)
    with pytest.raises(ValidationError, match="folded under INC-9: link INC-1 to INC-9 instead"):
        check_link("INC-1", "INC-2", LinkKind.DUPLICATE, same=False, other_folded_under="INC-9", has_children=0)
    with pytest.raises(ValidationError, match="2 incident"):
        check_link("INC-1", "INC-2", LinkKind.CHILD, same=False, other_folded_under=None, has_children=2)
    assert cascade_note("INC-7", "duplicate", "fixed") == "resolved with INC-7 (duplicate of it): fixed"
