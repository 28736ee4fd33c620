"""Routing rules and the severity table: pure, first match wins."""

from __future__ import annotations

import pytest

from incidentdesk.domain import routing
from incidentdesk.domain.enums import Level, Severity
from incidentdesk.domain.errors import ValidationError

RULES = routing.rules_from_config([
    {"name": "pg", "match": {"team": "dba"}, "match_re": {"alertname": "Postgres.*"}, "group": "Database", "tier": 2},
    {"name": "dba", "match": {"team": "dba"}, "group": "DBA Tier 1"},
    {"name": "payments", "service": "Payments", "group": "Payments", "assignee": "pat"},
    {"name": "infra", "category": "Infrastructure", "group": "Infra"},
    {"name": "grafana", "source": "grafana", "group": "Observability"},
])


def decide(labels, source="alertmanager", **kw):
    return routing.decide(labels, source, rules=RULES, **kw)


def test_first_match_wins():
    assert decide({"team": "dba", "alertname": "PostgresDown"}).rule == "pg"
    assert decide({"team": "dba", "alertname": "Postgres"}).tier == 2
    assert decide({"team": "dba", "alertname": "MySQLDown"}).rule == "dba"  # regex must match fully
    assert decide({"team": "dba", "alertname": "xPostgresDown"}).rule == "dba"
    assert decide({"service": "payments"}).group == "Payments"  # service compared case-insensitively
    assert decide({"service": "payments"}).assignee == "pat"
    assert decide({"category": "Infrastructure/Network"}).group == "Infra"
    assert decide({"category": "InfrastructureX"}).rule is None  # a path prefix, not a string prefix
    assert decide({}, source="grafana").group == "Observability"
    nothing = decide({}, default_group="Service Desk")
    assert (nothing.rule, nothing.group, nothing.tier, nothing.assignee) == (None, "Service Desk", None, None)


def test_mapping_from_labels():
    d = decide({"job": "api", "instance": "web1:9100", "category": "Apps/Web", "severity": "CRITICAL"})
    assert (d.service, d.ci, d.category) == ("api", "web1:9100", "Apps/Web")
    assert (d.impact, d.urgency, d.severity) == (Level.HIGH, Level.HIGH, Severity.SEV1)
    custom = routing.label_mapping_from_config({"service_labels": ["app"], "severity_labels": ["prio"]})
    d = decide({"app": "shop", "job": "ignored", "prio": "info"}, mapping=custom)
    assert (d.service, d.severity) == ("shop", Severity.SEV4)


def test_severity_table_and_fallback():
    table = routing.severity_table_from_config({"warning": {"impact": "low", "urgency": "high"},
                                                "default": {"impact": "low", "urgency": "low", "severity": "SEV4"}})
    assert routing.map_severity("warning", table) == routing.SeverityMapping(Level.LOW, Level.HIGH, Severity.SEV3)
    assert routing.map_severity("weird", table).severity is Severity.SEV4
    assert routing.map_severity(None, routing.DEFAULT_SEVERITY_TABLE) == routing.DEFAULT_FALLBACK
    assert decide({}, severity="error").severity is Severity.SEV2  # Events API v2 field beats labels


@pytest.mark.parametrize("bad, message", [
    ([{"mach": {"a": "b"}}], "unknown keys"),
    ([{"match_re": {"a": "("}}], "not a valid regular expression"),
    ([{"tier": 4}], "tier must be 1, 2 or 3"),
    ([{"source": "nagios"}], "source must be one of"),
    ([{"match": {"a": 1}}], "must be a table of label"),
    (["x"], "must be a table"),
])
def test_bad_rules_are_refused_with_a_reason(bad, message):
    with pytest.raises(ValidationError, match=message):
        routing.rules_from_config(bad)


def test_bad_severity_table_refused():
    with pytest.raises(ValidationError, match="needs urgency"):
        routing.severity_table_from_config({"critical": {"impact": "high"}})
    with pytest.raises(ValidationError, match="high|medium|low"):
        routing.severity_table_from_config({"critical": {"impact": "huge", "urgency": "high"}})
