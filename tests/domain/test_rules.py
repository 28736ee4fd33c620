"""Pure rules: priority matrix, lifecycle, reopen window, roles, keys, text."""

from datetime import UTC, datetime, timedelta

import pytest

from incidentdesk.config import parse_config
from incidentdesk.domain import lifecycle
from incidentdesk.domain.enums import OPEN_STATUSES, Level, Role, Status
from incidentdesk.domain.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from incidentdesk.domain.keys import format_key, parse_key
from incidentdesk.domain.priority import DEFAULT_MATRIX, derive_priority, matrix_from_config, parse_priority
from incidentdesk.domain.roles import Actor, at_least, can_manage_others, require, require_owner_or_captain
from incidentdesk.domain.text import one_line, strip_control

H, M, L = Level.HIGH, Level.MEDIUM, Level.LOW
S = Status


@pytest.mark.parametrize("impact,urgency,expected", [
    (H, H, 1), (H, M, 2), (M, H, 2), (H, L, 3), (M, M, 3), (L, H, 3), (M, L, 4), (L, M, 4), (L, L, 4),
])
def test_default_priority_matrix(impact, urgency, expected):
    assert derive_priority(impact, urgency) == expected
    assert derive_priority(impact.value, urgency.value) == expected


def test_matrix_override_from_config_keeps_other_cells():
    matrix = matrix_from_config({"low": {"high": "P2"}, "MEDIUM": {"low": 3}})
    assert derive_priority(L, H, matrix) == 2
    assert derive_priority(M, L, matrix) == 3
    assert derive_priority(H, H, matrix) == 1
    assert DEFAULT_MATRIX[(L, H)] == 3  # the default is not mutated
    config = parse_config({"priority_matrix": {"high": {"medium": "P1"}}})
    assert derive_priority(H, M, config.priority_matrix) == 1


def test_matrix_override_rejects_nonsense():
    with pytest.raises(ValidationError):
        matrix_from_config({"high": {"high": "P9"}})
    with pytest.raises(ValidationError, match=r"\[priority_matrix\] unknown key \"huge\""):
        parse_config({"priority_matrix": {"huge": {"high": "P1"}}})


@pytest.mark.parametrize("text,expected", [("P1", 1), ("p4", 4), ("2", 2), (3, 3)])
def test_parse_priority(text, expected):
    assert parse_priority(text) == expected


def test_parse_priority_rejects():
    with pytest.raises(ValidationError, match="P1, P2, P3 or P4"):
        parse_priority("P5")


ALLOWED = [
    ("acknowledge", S.NEW, S.ACKNOWLEDGED), ("acknowledge", S.ON_HOLD, S.ON_HOLD),
    ("start", S.NEW, S.IN_PROGRESS), ("start", S.ACKNOWLEDGED, S.IN_PROGRESS),
    ("hold", S.NEW, S.ON_HOLD), ("hold", S.ACKNOWLEDGED, S.ON_HOLD), ("hold", S.IN_PROGRESS, S.ON_HOLD),
    ("resume", S.ON_HOLD, S.IN_PROGRESS),
    ("resolve", S.NEW, S.RESOLVED), ("resolve", S.ACKNOWLEDGED, S.RESOLVED),
    ("resolve", S.IN_PROGRESS, S.RESOLVED), ("resolve", S.ON_HOLD, S.RESOLVED),
    ("close", S.RESOLVED, S.CLOSED),
    ("reopen", S.RESOLVED, S.IN_PROGRESS),
    ("cancel", S.NEW, S.CANCELLED), ("cancel", S.ACKNOWLEDGED, S.CANCELLED),
    ("cancel", S.IN_PROGRESS, S.CANCELLED), ("cancel", S.ON_HOLD, S.CANCELLED),
]


@pytest.mark.parametrize("action,before,after", ALLOWED)
def test_every_allowed_transition(action, before, after):
    assert lifecycle.next_status(action, before, "INC-000001") is after


def _forbidden():
    allowed = {(a, b) for a, b, _ in ALLOWED}
    for action in lifecycle.TRANSITIONS:
        for status in Status:
            if (action, status) not in allowed:
                yield action, status


@pytest.mark.parametrize("action,status", list(_forbidden()))
def test_forbidden_transitions_say_what_is_allowed(action, status):
    with pytest.raises(InvalidTransition) as info:
        lifecycle.next_status(action, status, "INC-000042")
    message = str(info.value)
    assert "INC-000042" in message and status.label in message
    for possible in lifecycle.allowed_actions(status):
        assert lifecycle.ACTION_WORDS[possible] in message.split("from here you can", 1)[1]


def test_open_only_actions():
    for status in Status:
        for action in lifecycle.OPEN_ONLY_ACTIONS:
            if status in OPEN_STATUSES:
                assert lifecycle.next_status(action, status) is status
            else:
                with pytest.raises(InvalidTransition):
                    lifecycle.next_status(action, status)
        assert lifecycle.next_status("comment", status) is status


def test_closed_allows_only_comment():
    with pytest.raises(InvalidTransition, match="from here you can comment$"):
        lifecycle.next_status("reopen", S.CLOSED, "INC-000001")


def test_reopen_window():
    resolved = datetime(2026, 11, 1, tzinfo=UTC)
    window = timedelta(days=7)
    lifecycle.check_reopen_window(resolved, resolved + window, window, "INC-000001")  # the boundary is inside
    with pytest.raises(InvalidTransition, match="168 h .*log a new incident"):
        lifecycle.check_reopen_window(resolved, resolved + window + timedelta(seconds=1), window, "INC-000001")


def test_roles_rank_and_require():
    responder = Actor("ann", Role.RESPONDER)
    captain = Actor("cap", Role.TRIAGE_CAPTAIN)
    manager = Actor("mgr", Role.INCIDENT_MANAGER)
    admin = Actor("adm", Role.ADMIN)
    assert not can_manage_others(responder)
    assert can_manage_others(captain) and can_manage_others(manager) and can_manage_others(admin)
    assert at_least(admin, Role.INCIDENT_MANAGER) and not at_least(manager, Role.ADMIN)
    with pytest.raises(PermissionDenied, match="ann \\(responder\\) may not edit config: it needs the admin role"):
        require(responder, Role.ADMIN, "edit config")
    require(admin, Role.ADMIN, "edit config")


def test_owner_or_captain():
    ann = Actor("ann")
    require_owner_or_captain(ann, "ann", "bob", "reprioritise", "INC-000001")
    require_owner_or_captain(ann, None, "ann", "reprioritise", "INC-000001")
    require_owner_or_captain(Actor("cap", Role.TRIAGE_CAPTAIN), "bob", "bob", "reprioritise", "INC-000001")
    with pytest.raises(PermissionDenied, match="ann may not reprioritise INC-000001: it belongs to bob; ask a triage"):
        require_owner_or_captain(ann, "bob", "carl", "reprioritise", "INC-000001")
    assert Actor("x", real_login="root").effective_real_login == "root"
    assert Actor("x").effective_real_login == "x"


@pytest.mark.parametrize("text,number", [("INC-000123", 123), ("inc-123", 123), ("REQ-7", 7), ("42", 42),
                                         (" INC-000001 ", 1), ("inc000009", 9)])
def test_parse_key(text, number):
    assert parse_key(text) == number


@pytest.mark.parametrize("text", ["", "INC-", "ABC-12", "12x", "INC--1"])
def test_parse_key_rejects(text):
    with pytest.raises(NotFound, match="INC-000123"):
        parse_key(text)


def test_format_key():
    assert format_key("incident", 123) == "INC-000123"
    assert format_key("request", 1234567) == "REQ-1234567"


def test_strip_control():
    evil = "ok\x1b[31mred\x1b]0;title\x07 \x9b2J tab\tnew\nline\x7f\x00"
    assert strip_control(evil) == "ok[31mred]0;title 2J tab\tnew\nline"
    assert strip_control(None) == ""
    assert strip_control("[bold]markup[/] stays") == "[bold]markup[/] stays"
    assert one_line("a\n b\x1b  c", limit=4) == "a b…"
