"""From an alert's labels to a well-formed incident: service/CI/category, impact and urgency, and
who gets it.

Pure rules, read once from config and applied per new incident. Routing is an ordered list and
the first matching rule wins, so the config reads top to bottom like a firewall: specific rules
first, a catch-all last.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from incidentdesk.domain.alert_labels import SOURCES, LabelMapping
from incidentdesk.domain.enums import Level, Severity
from incidentdesk.domain.errors import ValidationError


@dataclass(frozen=True)
class SeverityMapping:
    impact: Level
    urgency: Level
    severity: Severity


# Events API v2 severities, plus the words Prometheus rules most often put in a severity label.
DEFAULT_SEVERITY_TABLE: dict[str, SeverityMapping] = {
    "critical": SeverityMapping(Level.HIGH, Level.HIGH, Severity.SEV1),
    "page": SeverityMapping(Level.HIGH, Level.HIGH, Severity.SEV1),
    "error": SeverityMapping(Level.HIGH, Level.MEDIUM, Severity.SEV2),
    "high": SeverityMapping(Level.HIGH, Level.MEDIUM, Severity.SEV2),
    "warning": SeverityMapping(Level.MEDIUM, Level.MEDIUM, Severity.SEV3),
    "medium": SeverityMapping(Level.MEDIUM, Level.MEDIUM, Severity.SEV3),
    "info": SeverityMapping(Level.LOW, Level.LOW, Severity.SEV4),
    "low": SeverityMapping(Level.LOW, Level.LOW, Severity.SEV4),
}
# An alert with no severity, or one the table does not know, is treated as a warning: loud enough
# to be seen, not so loud that a mislabelled rule pages as P1.
DEFAULT_SEVERITY_KEY = "default"
DEFAULT_FALLBACK = SeverityMapping(Level.MEDIUM, Level.MEDIUM, Severity.SEV3)


@dataclass(frozen=True)
class Route:
    """One routing rule. Every condition given must hold; a rule with none matches everything."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    labels_re: Mapping[str, re.Pattern] = field(default_factory=dict)
    service: str | None = None
    category: str | None = None  # a category path prefix: "Infrastructure" matches "Infrastructure/Network"
    source: str | None = None  # alertmanager | events-v2 | grafana
    group: str | None = None
    tier: int | None = None
    assignee: str | None = None
    assign: str | None = None  # "oncall": the group's current on-call (when no assignee is named)

    def matches(self, labels: Mapping[str, str], service: str | None, category: str | None, source: str) -> bool:
        if self.source is not None and self.source != source:
            return False
        for key, value in self.labels.items():
            if labels.get(key) != value:
                return False
        for key, pattern in self.labels_re.items():
            if key not in labels or pattern.fullmatch(labels[key]) is None:
                return False
        if self.service is not None and (service or "").casefold() != self.service.casefold():
            return False
        if self.category is not None and not _category_within(category, self.category):
            return False
        return True


def _category_within(category: str | None, prefix: str) -> bool:
    if not category:
        return False
    cat, pre = category.casefold().strip("/"), prefix.casefold().strip("/")
    return cat == pre or cat.startswith(pre + "/")


@dataclass(frozen=True)
class Decision:
    """Everything routing decides for a new incident raised by an alert."""

    service: str | None
    ci: str | None
    category: str | None
    impact: Level
    urgency: Level
    severity: Severity
    group: str | None
    tier: int | None
    assignee: str | None
    rule: str | None  # the name of the rule that matched, for the timeline
    assign_oncall: bool = False  # no assignee named: the group's current on-call gets it (store/oncall.py)


def pick_label(labels: Mapping[str, str], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = labels.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def map_severity(value: str | None, table: Mapping[str, SeverityMapping]) -> SeverityMapping:
    if value is not None:
        found = table.get(value.strip().casefold())
        if found is not None:
            return found
    return table.get(DEFAULT_SEVERITY_KEY, DEFAULT_FALLBACK)


def first_match(rules: Sequence[Route], labels: Mapping[str, str], service: str | None, category: str | None,
                source: str) -> Route | None:
    for rule in rules:
        if rule.matches(labels, service, category, source):
            return rule
    return None


def decide(labels: Mapping[str, str], source: str, *, rules: Sequence[Route] = (),
           severity_table: Mapping[str, SeverityMapping] = DEFAULT_SEVERITY_TABLE,
           mapping: LabelMapping = LabelMapping(), severity: str | None = None,
           default_group: str | None = None) -> Decision:
    """Map labels to service/CI/category and impact/urgency, then route (first matching rule wins).

    `severity` overrides the label lookup (Events API v2 carries it as a field, not a label).
    """
    service = pick_label(labels, mapping.service)
    ci = pick_label(labels, mapping.ci)
    category = pick_label(labels, mapping.category)
    sev = map_severity(severity if severity is not None else pick_label(labels, mapping.severity), severity_table)
    rule = first_match(rules, labels, service, category, source)
    return Decision(
        service=service, ci=ci, category=category, impact=sev.impact, urgency=sev.urgency, severity=sev.severity,
        group=rule.group if rule and rule.group else default_group,
        tier=rule.tier if rule else None, assignee=rule.assignee if rule else None,
        rule=rule.name if rule else None,
        assign_oncall=bool(rule and rule.assign == ASSIGN_ONCALL and not rule.assignee),
    )


# ---- reading the rules from config (plain dicts from TOML) ----

def _str_map(value, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValidationError(f"{where} must be a table of label = \"value\" strings")
    return dict(value)


def _opt_str(table: Mapping, key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{where}.{key} must be a non-empty string")
    return value.strip()


RULE_KEYS = {"name", "match", "match_re", "service", "category", "source", "group", "tier", "assignee", "assign"}
ASSIGN_ONCALL = "oncall"


def rules_from_config(items: Sequence[Mapping] | None) -> list[Route]:
    """`[[ingest.routes]]` tables -> rules, refusing typos (an unknown key would silently match everything)."""
    rules: list[Route] = []
    for index, item in enumerate(items or ()):
        where = f"[[ingest.routes]] #{index + 1}"
        if not isinstance(item, Mapping):
            raise ValidationError(f"{where} must be a table")
        unknown = set(item) - RULE_KEYS
        if unknown:
            raise ValidationError(f"{where} has unknown keys {sorted(unknown)}; use {sorted(RULE_KEYS)}")
        patterns = {}
        for key, text in _str_map(item.get("match_re"), f"{where}.match_re").items():
            try:
                patterns[key] = re.compile(text)
            except re.error as exc:
                raise ValidationError(f"{where}.match_re.{key} is not a valid regular expression ({exc})") from None
        source = _opt_str(item, "source", where)
        if source is not None and source not in SOURCES:
            raise ValidationError(f"{where}.source must be one of {', '.join(SOURCES)}")
        assign = _opt_str(item, "assign", where)
        if assign is not None and assign != ASSIGN_ONCALL:
            raise ValidationError(f'{where}.assign must be "{ASSIGN_ONCALL}" (the group\'s current on-call)')
        tier = item.get("tier")
        if tier is not None and (isinstance(tier, bool) or tier not in (1, 2, 3)):
            raise ValidationError(f"{where}.tier must be 1, 2 or 3")
        rules.append(Route(
            name=_opt_str(item, "name", where) or f"rule {index + 1}",
            labels=_str_map(item.get("match"), f"{where}.match"), labels_re=patterns,
            service=_opt_str(item, "service", where), category=_opt_str(item, "category", where), source=source,
            group=_opt_str(item, "group", where), tier=tier, assignee=_opt_str(item, "assignee", where),
            assign=assign,
        ))
    return rules


def severity_table_from_config(table: Mapping | None) -> dict[str, SeverityMapping]:
    """`[ingest.severity]`: name = { impact = "high", urgency = "high", severity = "SEV1" }; merged over defaults."""
    result = dict(DEFAULT_SEVERITY_TABLE)
    for name, row in (table or {}).items():
        where = f"[ingest.severity] {name}"
        if not isinstance(row, Mapping):
            raise ValidationError(f"{where} must be a table with impact, urgency and optionally severity")
        try:
            impact = Level(str(row["impact"]).lower())
            urgency = Level(str(row["urgency"]).lower())
            sev = Severity(str(row["severity"]).upper()) if "severity" in row else result.get(
                name.casefold(), DEFAULT_FALLBACK).severity
        except KeyError as exc:
            raise ValidationError(f"{where} needs {exc.args[0]}") from None
        except ValueError:
            raise ValidationError(f"{where}: impact/urgency are high|medium|low, severity SEV1..SEV4") from None
        result[name.casefold()] = SeverityMapping(impact, urgency, sev)
    return result


def label_mapping_from_config(table: Mapping | None) -> LabelMapping:
    """`[ingest.mapping]`: service_labels / ci_labels / category_labels / severity_labels lists."""
    table = table or {}
    base = LabelMapping()
    values = {}
    for attr in ("service", "ci", "category", "severity"):
        key = f"{attr}_labels"
        value = table.get(key)
        if value is None:
            values[attr] = getattr(base, attr)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            values[attr] = tuple(value)
        else:
            raise ValidationError(f"[ingest.mapping] {key} must be a list of label names")
    return LabelMapping(**values)
