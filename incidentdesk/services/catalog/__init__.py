"""The use-case catalog: every use case declared once, by area.

The CLI's subcommands and the console's dialogs, keys and palette are generated from USE_CASES
(cli/usecases.py, tui/actions.py); spec.py says what a declaration holds. Importing this package
imports no SQLAlchemy and no service module. A new area (problems, knowledge, on-call...) is one
module declaring its USE_CASES, plus its line in AREAS.
"""

from __future__ import annotations

from incidentdesk.services.catalog import cmdb, directory, handover, incidents, kb, major, notify, oncall, pir, problems, requests
from incidentdesk.services.catalog.spec import UseCase, invoke, unique_names

__all__ = ["AREAS", "BY_NAME", "USE_CASES", "UseCase", "invoke"]

AREAS = (
    incidents,
    major,
    directory,
    notify,
    pir,
    handover,
    requests,
    oncall,
    cmdb,
    problems,
    kb,
)

USE_CASES: tuple[UseCase, ...] = tuple(uc for area in AREAS for uc in area.USE_CASES)
BY_NAME: dict[str, UseCase] = unique_names(USE_CASES)
