"""The problems screen's dialogs, generated from the catalog (services/catalog/problems.py).

Each problem use case's parameters become fields (tui/actions.form_field, as every dialog's are),
prefilled from the selected problem; what the screen already knows — which problem, the version it
last read, the incidents marked in the queue — is not asked but handed to the service as is, so an
edit that raced another is refused by the service rather than silently overwriting it.
"""

from __future__ import annotations

from incidentdesk.tui.formspec import FormSpec

FIXED = ("problem", "version", "incidents")   # filled in by the screen, never typed


def problem_form(name: str, problem, marked: dict[int, str], pickers, config) -> tuple[FormSpec, dict]:
    """(the dialog for use case `name` on `problem`, the values the screen fills in itself)."""
    from incidentdesk.services.catalog import BY_NAME
    from incidentdesk.tui.actions import form_field

    uc = BY_NAME[name]
    current = {}
    if problem is not None and name != "problem_new":
        current = {"title": problem.title, "statement": problem.statement, "root_cause": problem.root_cause,
                   "workaround": problem.workaround, "owner": problem.owner}
    fields = [form_field(p, None, pickers, config, current) for p in uc.params if p.name not in FIXED]
    fixed: dict = {}
    if "problem" in {p.name for p in uc.params}:
        fixed["problem"] = problem.key
        fixed["version"] = problem.version
    if "incidents" in {p.name for p in uc.params}:
        fixed["incidents"] = list(marked.values())
    if name == "problem_new":
        subject = f"from {len(marked)} marked incident(s): {', '.join(marked.values())}" if marked else \
            "no incidents marked (space in the queue marks them)"
    elif name == "problem_link":
        subject = f"{problem.key}: link {', '.join(marked.values())}"
    else:
        subject = f"{problem.key}  {problem.title}"
    spec = FormSpec(uc.dialog_title or uc.title, fields, subject=subject, submit_label=uc.submit)
    return spec, fixed
