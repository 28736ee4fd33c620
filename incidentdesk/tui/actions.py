"""Every action the console offers, generated from the use-case catalog (services/catalog).

Each use case with a console key becomes an Action: its key binding (id `incident.<name>`, which
users remap under [keys]), its dialog (a FormSpec built from the use case's parameters), and its
run, which hands the dialog's values to the catalog's `invoke` — the same conversion and service
call the CLI makes. The palette, the help screen and the key bar are built from ACTIONS, so a use
case added to the catalog appears everywhere at once. Two use cases may share a key (hold and
resume, declaring and standing down a major incident): the action then does whichever the
selected incident's state calls for (`use_case_for`).

This is glue, not rules: dialogs collect what the services need, the domain says what can
succeed now, and the services decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text

from incidentdesk.domain import lifecycle
from incidentdesk.domain.enums import Level
from incidentdesk.domain.priority import derive_priority
from incidentdesk.services.catalog import USE_CASES
from incidentdesk.services.catalog.spec import Kind, Param, Subject, UseCase, invoke
from incidentdesk.tui.format import literal, palette

if TYPE_CHECKING:
    from incidentdesk.tui.formspec import FormField, FormSpec
    from incidentdesk.config import Config
    from incidentdesk.services.context import ServiceContext
    from incidentdesk.store.queries import GroupView, IncidentDetail, PersonView


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

    def options(self, kind: Kind) -> list[tuple[Text, str]]:
        """The pick list for a parameter of this kind."""
        if kind is Kind.PERSON:
            return self.people_options()
        if kind is Kind.GROUP:
            return self.group_options()
        names = self.categories if kind is Kind.CATEGORY else self.services
        return [(literal(name), name) for name in names]


# --- previews: what the dialog's values will do, shown as they are picked ----------------------

def priority_preview(matrix) -> Callable[[dict], Text | None]:
    def preview(values: dict) -> Text | None:
        if not values.get("impact") or not values.get("urgency"):
            return None
        prio = derive_priority(Level(values["impact"]), Level(values["urgency"]), matrix)
        return Text.assemble(("Resulting priority: ", "bold"), (f"P{prio}", palette().priority[prio] or "bold"))
    return preview


PRESET = "preset"  # the pick list's field, in front of a parameter with presets (the hold's reasons)


def hold_reason(values: dict, name: str = "reason") -> str:
    """The reason the hold records: the chosen one, then what was typed (`waiting for user: no answer`)."""
    chosen = (values.get(PRESET) or "").strip()
    typed = (values.get(name) or "").strip()
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


def _pausing_reasons(config: Config, param: Param) -> list[FormField]:
    """The hold's reason: the configured pausing reasons to pick from, then details or another reason."""
    from incidentdesk.tui.formspec import FormField  # (the dialogs' own module: not needed for the first screen)

    reasons = [(literal(f"{r} — pauses the SLA clock"), r) for r in config.sla.pausing_reasons]
    return [
        FormField(PRESET, param.label, "select", reasons, placeholder="another reason (type it below)",
                  help="these pause the SLA clock ([sla] pausing_reasons); other reasons do not"),
        FormField(param.name, "Details, or another reason", "text", placeholder="e.g. user away until 14:00"),
    ]


# Parameters whose `presets` name a configured list: how the dialog offers it, and its preview.
PRESETS: dict[str, tuple[Callable[[Config, Param], list[FormField]], Callable[[Config], Callable]]] = {
    "pausing_reasons": (_pausing_reasons, lambda config: hold_preview(config.sla)),
}

# Console wording for a key that several use cases share (each use case is declared in the catalog).
SHARED_KEYS = {
    "hold": ("Hold / resume", "put on hold with a reason, or resume"),
    "major": ("Major incident", "declare a major incident with a commander, or stand it down"),
}


# --- dialogs, generated --------------------------------------------------------------------

_TEXT_KINDS = {Kind.TEXT: "text", Kind.TIME: "text", Kind.AREA: "area", Kind.FLAG: "check"}


def _subject(d: IncidentDetail | None) -> str:
    return f"{d.key}  {d.title}" if d else ""


def form_field(param: Param, d, pickers: Pickers, config: Config, prefilled: dict | None = None) -> FormField:
    """One dialog field for a catalog parameter, prefilled from the incident where the catalog says so."""
    from incidentdesk.tui.formspec import FormField  # (the dialogs' own module: not needed for the first screen)

    value = getattr(d, param.initial, None) if d is not None and param.initial else None
    if value is None and prefilled:
        value = prefilled.get(param.name) or None
    if value is None:
        value = param.default if param.default is not None else param.suggest
    label, placeholder = param.label, param.placeholder
    if param.kind in _TEXT_KINDS:
        if param.kind is Kind.TIME:  # typed without a zone, a time is the site's (domain/moments.py)
            label, placeholder = f"{label} ({config.time_zone})", placeholder or "YYYY-MM-DD HH:MM"
        return FormField(param.name, label, _TEXT_KINDS[param.kind], required=param.required,
                         placeholder=placeholder, value=value, help=param.help)
    if param.kind in (Kind.CHOICE, Kind.INT):
        options = [(text, value_) for value_, text in param.options()]
        if not options:  # a number without a list of values
            return FormField(param.name, label, "int", required=param.required, placeholder=placeholder,
                             value=value, lo=param.minimum, hi=param.maximum, help=param.help)
        # A choice that always has a value (a default, or the incident's own) offers no blank.
        required = param.required or param.default is not None or param.initial is not None
        return FormField(param.name, label, "select", options, required=required, placeholder=placeholder,
                         value=None if value is None else str(value), help=param.help)
    if param.kind is Kind.LIST:  # several values: one per line (the CLI gives the option once per value)
        if isinstance(value, (list, tuple)):
            value = "\n".join(map(str, value))
        return FormField(param.name, label, "area", required=param.required, placeholder=placeholder or "one per line",
                         value=value or None, help=(param.help + "; " if param.help else "") + "one per line")
    if param.kind is Kind.CATEGORY:  # typed with fuzzy completion from the tree; free text when there is none
        return FormField(param.name, label, "pick", pickers.options(param.kind), required=param.required,
                         placeholder=placeholder or ("type to search the categories" if pickers.categories else ""),
                         value=value, help=param.help)
    if param.kind in (Kind.PERSON, Kind.GROUP, Kind.SERVICE):
        options = pickers.options(param.kind)
        left_out = getattr(d, param.exclude, None) if d is not None and param.exclude else None
        if left_out is not None:
            options = [o for o in options if o[1] != left_out]
        return FormField(param.name, label, "select", options, required=param.required, placeholder=placeholder,
                         value=value, help=param.help)
    raise ValueError(f"the console has no field for {param.kind} parameters ({param.name})")


def build_form(uc: UseCase, d, pickers: Pickers, config: Config) -> FormSpec:
    """The dialog for `uc` on `d` (None for a use case on no incident)."""
    from incidentdesk.tui.formspec import FormField, FormSpec  # (the dialogs' own module: not needed for the first screen)

    fields: list[FormField] = []
    preview = None
    prefilled = uc.prefill(d) if uc.prefill is not None and d is not None else None
    for param in uc.params:
        if param.presets is not None:
            make_fields, make_preview = PRESETS[param.presets]
            fields += make_fields(config, param)
            preview = make_preview(config)
        else:
            fields.append(form_field(param, d, pickers, config, prefilled))
    names = {p.name for p in uc.params}
    if {"impact", "urgency"} <= names:
        preview = priority_preview(config.priority_matrix)
    return FormSpec(uc.dialog_title or uc.title, fields, subject=_subject(d) if uc.subject is Subject.INCIDENT else "",
                    submit_label=uc.submit, preview=preview)


def raw_values(uc: UseCase, values: dict) -> dict:
    """The dialog's values as the catalog's parameters take them (a preset and its details become one)."""
    raw = dict(values)
    for param in uc.params:
        if param.presets is not None:
            raw[param.name] = hold_reason(values, param.name)
    return raw


# --- actions --------------------------------------------------------------------------------

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
    use_cases: tuple[UseCase, ...] = ()


def use_case_for(action: Action, d) -> UseCase:
    """The use case `action`'s key means for `d` (a detail or a queue row): `h` resumes one on hold."""
    return _choose(action.use_cases, d)


def _choose(use_cases: tuple[UseCase, ...], d) -> UseCase:
    if d is not None:
        for uc in use_cases:
            if uc.when is None or uc.when(d):
                return uc
    return use_cases[0]


def situation(d) -> lifecycle.Situation:
    """What the domain needs to judge an action on `d`: a detail, or a queue row while its detail loads."""
    return lifecycle.Situation(key=d.key, status=d.status, assignee=d.assignee, reporter=getattr(d, "reporter", None),
                               is_major=d.is_major, commander=getattr(d, "commander", None),
                               deputy=getattr(d, "deputy", None), comms_lead=getattr(d, "comms_lead", None),
                               resolved_at=getattr(d, "resolved_at", None), group=d.group,
                               acknowledged=d.acknowledged_at is not None)


def why_not(action: Action, d, actor, config: Config, now: datetime) -> str | None:
    """None if `action` can succeed on `d` now, else why not — decided by the domain, as the service would."""
    if not action.needs_incident:
        return None
    uc = use_case_for(action, d)
    reason = uc.why_not(situation(d), actor, now=now, reopen_window=config.reopen_window)
    if reason is None and uc.name == "close" and d.is_major and config.schema.pir.required \
            and getattr(d, "pir_missing", ()):   # a queue row does not know: the service decides
        from incidentdesk.domain.pir import refusal_for

        reason = refusal_for(d.key, d.pir_version > 0, d.pir_missing)
    return reason


def footer_labels(action: Action, d) -> tuple[str, str]:
    """(label, short label) for the key bar, naming what the key does to `d` now."""
    if d is not None and len(action.use_cases) > 1:
        uc = use_case_for(action, d)
        return uc.title, uc.short or uc.title
    return action.label, action.short or action.label


def _form(use_cases: tuple[UseCase, ...]):
    def form(d, pickers: Pickers, config: Config) -> FormSpec:
        uc = _choose(use_cases, d)
        return build_form(uc, d if uc.subject is Subject.INCIDENT else None, pickers, config)
    return form


def _run(use_cases: tuple[UseCase, ...]):
    def run(ctx, d, values: dict) -> str | tuple[str, str]:
        uc = _choose(use_cases, d)
        if uc.subject is Subject.INCIDENT:
            outcome = invoke(uc, ctx, raw_values(uc, values), key=d.key, expected_version=d.version)
            return outcome.text(uc.done)
        outcome = invoke(uc, ctx, raw_values(uc, values))
        return outcome.text(uc.done), outcome.key
    return run


def build_actions(use_cases=USE_CASES) -> list[Action]:
    """One Action per console key, in the catalog's order; use cases sharing a binding share an Action."""
    grouped: dict[str, list[UseCase]] = {}
    for uc in use_cases:
        if uc.key is not None:
            grouped.setdefault(uc.binding_name, []).append(uc)
    actions = []
    for name, listed in grouped.items():
        cases = tuple(listed)
        first = cases[0]
        label, description = SHARED_KEYS.get(name, (first.title, first.summary))
        actions.append(Action(
            name, first.key, label, description,
            form=_form(cases) if any(uc.params for uc in cases) else None, run=_run(cases),
            needs_incident=first.subject is Subject.INCIDENT, short=first.short or first.title, rank=first.rank,
            use_cases=cases))
    return actions


ACTIONS: list[Action] = build_actions()
BY_NAME = {a.name: a for a in ACTIONS}
