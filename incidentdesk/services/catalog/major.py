"""Running a major incident once declared: hand command, name the deputy / comms lead, post updates.

Declaring and standing down stay with the incident lifecycle (catalog/incidents.py); these three
need a major incident (domain/lifecycle.MAJOR_ACTIONS) and its commander — or, for updates, its
deputy or communications lead — or an incident manager (domain/major.COORDINATE_ROLE). The
stakeholder-update composer is generated from `post_update` like every dialog; its fields are
pre-filled from the previous update, else the incident's intake (domain/stakeholder.prefill).
"""

from __future__ import annotations

from incidentdesk.domain import major
from incidentdesk.services.catalog.spec import Kind, Param, UseCase


def _major():
    from incidentdesk.services import major as major_service

    return major_service


def _stakeholder():
    from incidentdesk.services import stakeholder

    return stakeholder


def _record(db, key: str) -> dict:
    from incidentdesk.store import queries

    return queries.incident_detail(db, key).to_json()


def _prefill(d) -> dict:
    from incidentdesk.domain.stakeholder import prefill

    return prefill(d)


USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "post_update", "Stakeholder update",
        "post a stakeholder update (impact, who, status, workaround, next update, where to follow)",
        lambda: _stakeholder().post_update, command=("update",), key="u", role=major.COORDINATE_ROLE,
        who="for its commander, deputy or communications lead, or an incident manager",
        short="Update", rank=13, dialog_title="Stakeholder update", submit="Post update",
        printed="{key}: stakeholder update posted", done="{key}: stakeholder update posted", record=_record, prefill=_prefill, params=(
            Param("impacted", "What is impacted", Kind.AREA, required=True, placeholder="services, features, regions"),
            Param("who", "Who is impacted", Kind.AREA, required=True, placeholder="which users or customers, how many"),
            Param("status", "Current status", Kind.AREA, required=True,
                  placeholder="what we know, what we are doing now"),
            Param("workaround", "Workaround (if any)", Kind.AREA),
            Param("next_update", "Next update", Kind.TIME, flag="--next",
                  help="empty: one update cadence from now ([major] cadence by severity)"),
            Param("follow", "Where to follow", placeholder="e.g. #inc-checkout, status page URL"),
        ),
    ),
    UseCase(
        "hand_command", "Hand command", "hand command of a major incident to another person, with the reason",
        lambda: _major().hand_command, command=("hand",), key="C", role=major.COORDINATE_ROLE,
        who="for its commander or an incident manager",
        short="Hand", rank=15, dialog_title="Hand over command", submit="Hand over",
        printed="{key}: {commander} now commands it", done="{key}: {commander} now commands it", record=_record, params=(
            Param("commander", "New commander", Kind.PERSON, required=True, exclude="commander",
                  help="not the person fixing it (the assignee); the deputy may take over"),
            Param("reason", "Reason", Kind.AREA, required=True, help="e.g. end of shift, needs a senior manager"),
        ),
    ),
    UseCase(
        "major_roles", "Major roles", "name or clear a major incident's deputy and communications lead",
        lambda: _major().set_major_roles, command=("major-roles",), key="D",
        role=major.COORDINATE_ROLE, who="for its commander or an incident manager", short="Roles", rank=16,
        dialog_title="Deputy and communications lead",
        submit="Save roles", done="{key}: roles updated", record=_record, params=(
            Param("deputy", "Deputy commander", Kind.PERSON, initial="deputy", exclude="commander"),
            Param("comms_lead", "Communications lead", Kind.PERSON, initial="comms_lead"),
            Param("clear_deputy", "Clear the deputy", Kind.FLAG, default=False),
            Param("clear_comms_lead", "Clear the communications lead", Kind.FLAG, default=False),
        ),
    ),
)
