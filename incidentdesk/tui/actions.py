"""Every action the console offers: its key, its dialog, and the service call it makes.

This is glue, not rules: dialogs collect what the services need and the services decide.
The palette, the help screen and the key bindings are all built from ACTIONS, so a new
action appears everywhere at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text

from incidentdesk.domain import lifecycle
from incidentdesk.domain.enums import EscalationKind, IncidentType, Level, ResolutionCode, Severity
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.priority import derive_priority
from incidentdesk.tui.format import literal, palette
from incidentdesk.tui.formspec import FormField, FormSpec

if TYPE_CHECKING:
    from incidentdesk.config import Config
    from incidentdesk.services.context import ServiceContext
    from incidentdesk.store.queries import GroupView, IncidentDetail, PersonView


class _Services:
    """A services module, imported when the first action runs (not while the console starts)."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str):
        import importlib

        return getattr(importlib.import_module(f"incidentdesk.services.{self._module}"), name)


svc = _Services("incidents")
major = _Services("major")


@dataclass
class Pickers:
    """Directory data for the dialogs' pick lists, read once in a worker."""

    people: list[PersonView] = field(default_factory=list)
    groups: list[GroupView] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)

    # Labels are Text, never str: Select reads a str label as markup, so a name like `[@click=app.quit]`
    # would act when clicked and a group called `Ops [/] Team` would crash the dialog.
    def people_options(self) -> list[tuple[Text, str]]:
        return [(literal(f"{p.login} — {p.name}" if p.name and p.name != p.login else p.login), p.login)
                for p in self.people]

    def group_options(self) -> list[tuple[Text, str]]:
        return [(literal(f"{g.name} (tier {g.tier})"), g.name) for g in self.groups]


def _enum_options(enum_cls) -> list[tuple[str, str]]:
    return [(m.value.replace("_", " "), m.value) for m in enum_cls]


LEVELS = _enum_options(Level)
SEVERITIES = _enum_options(Severity)


def priority_preview(matrix) -> Callable[[dict], Text | None]:
    def preview(values: dict) -> Text | None:
        if not values.get("impact") or not values.get("urgency"):
            return None
        prio = derive_priority(Level(values["impact"]), Level(values["urgency"]), matrix)
        return Text.assemble(("Resulting priority: ", "bold"), (f"P{prio}", palette().priority[prio] or "bold"))
    return preview


def parse_started_at(text: str | None) -> datetime | None:
    """`2026-11-23 09:10` or ISO 8601; times without a zone are UTC."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        raise ValidationError("use YYYY-MM-DD HH:MM (UTC)", field="started_at") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int_or_none(text) -> int | None:
    text = str(text or "").strip()
    return int(text) if text else None


@dataclass(frozen=True)
class Action:
    name: str
    key: str
    label: str
    description: str
    # Builds the dialog for the selected incident (None: no dialog, run at once).
    form: Callable[[IncidentDetail | None, Pickers, Config], FormSpec] | None
    # Calls the service; returns a short message for the notification (and, for a new incident, its key).
    run: Callable[[ServiceContext, IncidentDetail | None, dict], str | tuple[str, str]]
    needs_incident: bool = True
    short: str = ""  # the footer's label when space is tight
    rank: int = 10   # the footer drops the highest rank first


def lifecycle_step(action: Action, d) -> str | None:
    """The lifecycle action (domain/lifecycle.py) this key runs on `d`: `h` resumes an incident on
    hold, `M` stands a major incident down; None for one that needs no incident (new)."""
    if not action.needs_incident:
        return None
    if action.name == "hold":
        return "resume" if d.status == "on_hold" else "hold"
    if action.name == "major":
        return "stand_down_major" if d.is_major else "declare_major"
    return action.name


def why_not(action: Action, d, actor, config: Config, now: datetime) -> str | None:
    """None if `action` can succeed on `d` (a detail, or a queue row while its detail loads) now,
    else why not — decided by the domain, as the service would decide it."""
    step = lifecycle_step(action, d)
    if step is None:
        return None
    it = lifecycle.Situation(key=d.key, status=d.status, assignee=d.assignee, reporter=getattr(d, "reporter", None),
                             is_major=d.is_major, commander=getattr(d, "commander", None),
                             resolved_at=getattr(d, "resolved_at", None), group=d.group,
                             acknowledged=d.acknowledged_at is not None)
    return lifecycle.why_not(step, it, actor, now=now, reopen_window=config.reopen_window)


def footer_labels(action: Action, d) -> tuple[str, str]:
    """(label, short label) for the key bar, naming what the key does to `d` now."""
    step = lifecycle_step(action, d) if d is not None else None
    if step == "resume":
        return "Resume", "Resume"
    if step == "stand_down_major":
        return "Stand down", "Stand down"
    if step == "hold":
        return "Hold", "Hold"
    return action.label, action.short or action.label


def _subject(d: IncidentDetail | None) -> str:
    return f"{d.key}  {d.title}" if d else ""


# --- dialogs -----------------------------------------------------------------------------

def new_form(d, pickers: Pickers, config: Config) -> FormSpec:
    services = [(s, s) for s in pickers.services]
    categories = [(c, c) for c in pickers.categories]
    return FormSpec("New incident", [
        FormField("title", "Title", required=True, placeholder="what is broken, for whom"),
        FormField("type", "Type", "select", _enum_options(IncidentType), required=True, value="incident"),
        FormField("impact", "Impact", "select", LEVELS, required=True, value="medium"),
        FormField("urgency", "Urgency", "select", LEVELS, required=True, value="medium"),
        FormField("severity", "Severity", "select", SEVERITIES, placeholder="from priority"),
        FormField("affected_service", "Affected service", "select", services),
        FormField("category", "Category", "select", categories),
        FormField("ci", "CI (asset)", placeholder="e.g. pay-gw-prod"),
        FormField("description", "Description", "area"),
        FormField("symptoms", "Symptoms", "area"),
        FormField("started_at", "Started at (UTC)", placeholder="YYYY-MM-DD HH:MM"),
        FormField("impacted", "Who / how many impacted", placeholder="e.g. all remote staff"),
        FormField("steps_to_reproduce", "Steps to reproduce", "area"),
        FormField("device_user", "Device / user", placeholder="e.g. laptop LT-2231, user j.doe"),
        FormField("recent_changes", "Recent changes", placeholder="e.g. CHG-1182 config push 09:10"),
        FormField("group", "Group", "select", pickers.group_options()),
    ], submit_label="Log incident", preview=priority_preview(config.priority_matrix))


def run_new(ctx, d, v) -> tuple[str, str]:
    key = svc.log_incident(ctx, svc.Intake(
        title=v.get("title") or "", impact=v["impact"], urgency=v["urgency"], type=v.get("type") or "incident",
        severity=v.get("severity") or None, description=v.get("description") or "",
        affected_service=v.get("affected_service") or None, symptoms=v.get("symptoms") or "",
        started_at=parse_started_at(v.get("started_at")), impacted=v.get("impacted") or "",
        steps_to_reproduce=v.get("steps_to_reproduce") or "", device_user=v.get("device_user") or "",
        recent_changes=v.get("recent_changes") or "", category=v.get("category") or None, ci=v.get("ci") or None,
        group=v.get("group") or None,
    ))
    return f"logged {key}: {v.get('title') or ''}", key


def _single(title: str, name: str, label: str, required: bool, kind: str = "area", submit: str = "Save"):
    def form(d, pickers, config) -> FormSpec:
        return FormSpec(title, [FormField(name, label, kind, required=required)], subject=_subject(d), submit_label=submit)
    return form


def assign_form(d, pickers, config) -> FormSpec:
    return FormSpec("Assign", [
        FormField("user", "Person", "select", pickers.people_options(), value=d.assignee if d else None),
        FormField("group", "Group", "select", pickers.group_options(), value=d.group if d else None),
        FormField("comment", "Comment", "text"),
    ], subject=_subject(d), submit_label="Assign")


def reprioritise_form(d, pickers, config) -> FormSpec:
    return FormSpec("Reprioritise", [
        FormField("impact", "Impact", "select", LEVELS, required=True, value=d.impact),
        FormField("urgency", "Urgency", "select", LEVELS, required=True, value=d.urgency),
        FormField("severity", "Severity", "select", SEVERITIES, required=True, value=d.severity),
        FormField("reason", "Reason", "area", required=True),
    ], subject=_subject(d), submit_label="Reprioritise", preview=priority_preview(config.priority_matrix))


def escalate_form(d, pickers, config) -> FormSpec:
    groups = [g for g in pickers.group_options() if not d or g[1] != d.group]
    return FormSpec("Escalate", [
        FormField("kind", "Kind", "select", _enum_options(EscalationKind), required=True, value="functional",
                  help="functional: to another group/tier · hierarchical: to management"),
        FormField("to_group", "To group", "select", groups),
        FormField("to_person", "To person (hierarchical)", "select", pickers.people_options()),
        FormField("reason", "Reason", "text"),
        FormField("summary", "Hand-off summary", "area", required=True,
                  help="what was tried, device/user details, logs"),
    ], subject=_subject(d), submit_label="Escalate")


def _sla_settings(config):
    from incidentdesk.domain.sla import settings_from_config  # parsed when a hold dialog opens

    return settings_from_config(config.section("sla"), config.sla_targets)


def hold_reason(values: dict) -> str:
    """The reason the hold records: the chosen one, then what was typed (`waiting for user: no answer`)."""
    chosen = (values.get("preset") or "").strip()
    typed = (values.get("reason") or "").strip()
    return f"{chosen}: {typed}" if chosen and typed else chosen or typed


def hold_preview(settings) -> Callable[[dict], Text | None]:
    """Says, as the reason is picked or typed, whether the hold pauses the SLA clock (the sweeper's own test)."""
    def preview(values: dict) -> Text | None:
        reason = hold_reason(values)
        if not reason:
            return None
        if settings.pauses(reason):
            return Text.assemble(("SLA clock: ", "bold"), ("paused while on hold", palette().paused or "bold"))
        return Text.assemble(("SLA clock: ", "bold"), "keeps running (not a pausing reason)")
    return preview


def hold_form(d, pickers, config) -> FormSpec:
    if d is not None and d.status == "on_hold":
        return FormSpec("Resume", [FormField("comment", "Comment", "text")], subject=_subject(d), submit_label="Resume")
    settings = _sla_settings(config)
    reasons = [(literal(f"{r} — pauses the SLA clock"), r) for r in settings.pausing_reasons]
    return FormSpec("Put on hold", [
        FormField("preset", "Reason", "select", reasons, placeholder="another reason (type it below)",
                  help="these pause the SLA clock ([sla] pausing_reasons); other reasons do not"),
        FormField("reason", "Details, or another reason", "text", placeholder="e.g. user away until 14:00"),
    ], subject=_subject(d), submit_label="Hold", preview=hold_preview(settings))


def resolve_form(d, pickers, config) -> FormSpec:
    return FormSpec("Resolve", [
        FormField("code", "Resolution code", "select", _enum_options(ResolutionCode), required=True,
                  value="permanent_fix"),
        FormField("notes", "Resolution notes", "area", required=True, help="what fixed it, or the workaround"),
    ], subject=_subject(d), submit_label="Resolve")


def close_form(d, pickers, config) -> FormSpec:
    return FormSpec("Close", [
        FormField("confirmed", "User confirmed the fix", "check", value=False),
        FormField("csat", "CSAT (1-5)", "select", [(str(i), str(i)) for i in range(5, 0, -1)], placeholder="not given"),
        FormField("comment", "Comment", "text"),
    ], subject=_subject(d), submit_label="Close")


def major_form(d, pickers, config) -> FormSpec:
    if d is not None and d.is_major:
        return FormSpec("Stand down major incident", [
            FormField("reason", "Reason", "area", required=True, help="why normal handling is enough now"),
        ], subject=_subject(d), submit_label="Stand down")
    people = [p for p in pickers.people_options() if not d or p[1] != d.assignee]
    return FormSpec("Declare major incident", [
        FormField("commander", "Incident commander", "select", people, placeholder="me",
                  help="coordinates the response; not the person fixing it (the assignee)"),
        FormField("reason", "Reason", "area", required=True, help="the business impact that makes it major"),
    ], subject=_subject(d), submit_label="Declare major")


# --- service calls -----------------------------------------------------------------------

def _hold_or_resume(ctx, d, v) -> str:
    if "preset" in v:
        svc.hold(ctx, d.key, reason=hold_reason(v), expected_version=d.version)
        return f"{d.key} on hold"
    svc.resume(ctx, d.key, comment=v.get("comment") or "", expected_version=d.version)
    return f"{d.key} resumed"


def _major_or_stand_down(ctx, d, v) -> str:
    if d.is_major:
        major.stand_down_major(ctx, d.key, reason=v.get("reason") or "", expected_version=d.version)
        return f"{d.key} stood down: no longer a major incident"
    major.declare_major(ctx, d.key, reason=v.get("reason") or "", commander=v.get("commander") or None,
                        expected_version=d.version)
    return f"{d.key} declared a major incident"


ACTIONS: list[Action] = [
    Action("new", "n", "New incident", "log a new incident with the structured intake form", new_form, run_new,
           needs_incident=False),
    Action("acknowledge", "a", "Acknowledge", "acknowledge (stops the response clock), optional comment",
           _single("Acknowledge", "comment", "Comment (optional)", False, "text", "Acknowledge"),
           lambda ctx, d, v: (svc.acknowledge(ctx, d.key, comment=v.get("comment") or "", expected_version=d.version),
                              f"{d.key} acknowledged")[1]),
    Action("take", "t", "Take", "take ownership (you become the assignee)", None,
           lambda ctx, d, v: (svc.take(ctx, d.key, expected_version=d.version), f"you took {d.key}")[1]),
    Action("assign", "s", "Assign", "assign to a person and/or group", assign_form,
           lambda ctx, d, v: (svc.assign(ctx, d.key, user=v.get("user"), group=v.get("group"),
                                         comment=v.get("comment") or "", expected_version=d.version),
                              f"{d.key} assigned")[1]),
    Action("reprioritise", "p", "Reprioritise", "change impact/urgency/severity with a reason", reprioritise_form,
           lambda ctx, d, v: (svc.reprioritise(ctx, d.key, reason=v.get("reason") or "", impact=v["impact"],
                                               urgency=v["urgency"], severity=v["severity"],
                                               expected_version=d.version), f"{d.key} reprioritised")[1]),
    Action("escalate", "e", "Escalate", "functional or hierarchical escalation with a hand-off summary",
           escalate_form,
           lambda ctx, d, v: (svc.escalate(ctx, d.key, kind=v["kind"], summary=v.get("summary") or "",
                                           to_group=v.get("to_group"), reason=v.get("reason") or "",
                                           to_person=v.get("to_person"), expected_version=d.version),
                              f"{d.key} escalated")[1]),
    Action("start", "w", "Start work", "move an acknowledged incident to in progress", None,
           lambda ctx, d, v: (svc.start_work(ctx, d.key, expected_version=d.version), f"{d.key} in progress")[1]),
    Action("hold", "h", "Hold / resume", "put on hold with a reason, or resume", hold_form, _hold_or_resume),
    Action("comment", "m", "Comment", "add a note to the timeline",
           _single("Comment", "text", "Comment", True, "area", "Add comment"),
           lambda ctx, d, v: (svc.comment(ctx, d.key, v.get("text") or ""), f"comment added to {d.key}")[1]),
    Action("resolve", "r", "Resolve", "resolve with a code and notes", resolve_form,
           lambda ctx, d, v: (svc.resolve(ctx, d.key, code=v["code"], notes=v.get("notes") or "",
                                          expected_version=d.version), f"{d.key} resolved")[1]),
    Action("close", "x", "Close", "close after user confirmation, with CSAT", close_form,
           lambda ctx, d, v: (svc.close(ctx, d.key, confirmed=bool(v.get("confirmed")), csat=_int_or_none(v.get("csat")),
                                        comment=v.get("comment") or "", expected_version=d.version),
                              f"{d.key} closed")[1]),
    Action("major", "M", "Major incident", "declare a major incident with a commander, or stand it down",
           major_form, _major_or_stand_down),
    Action("reopen", "o", "Reopen", "reopen a resolved incident with a reason",
           _single("Reopen", "reason", "Reason", True, "area", "Reopen"),
           lambda ctx, d, v: (svc.reopen(ctx, d.key, reason=v.get("reason") or "", expected_version=d.version),
                              f"{d.key} reopened")[1]),
    Action("cancel", "c", "Cancel", "cancel an open incident (e.g. logged by mistake) with a reason",
           _single("Cancel incident", "reason", "Reason", True, "area", "Cancel incident"),
           lambda ctx, d, v: (svc.cancel(ctx, d.key, reason=v.get("reason") or "", expected_version=d.version),
                              f"{d.key} cancelled")[1]),
]

# The key bar's short label and rank (lowest kept longest): the step that moves the incident on first.
_FOOTER = {
    "acknowledge": ("Ack", 1), "resolve": ("Resolve", 2), "escalate": ("Escalate", 3), "new": ("New", 4),
    "take": ("Take", 5), "hold": ("Hold", 6), "close": ("Close", 7), "reopen": ("Reopen", 8),
    "start": ("Start", 9), "assign": ("Assign", 10), "comment": ("Comment", 11), "reprioritise": ("Priority", 12),
    "major": ("Major", 13), "cancel": ("Cancel", 14),
}
ACTIONS = [replace(a, short=_FOOTER[a.name][0], rank=_FOOTER[a.name][1]) for a in ACTIONS]
BY_NAME = {a.name: a for a in ACTIONS}
