"""Fixtures shared by the service tests."""

from __future__ import annotations

import pytest

from incidentdesk.domain.enums import Role
from incidentdesk.services import directory


@pytest.fixture
def team(db, make_ctx):
    """An admin, a captain, two responders, and groups in three tiers."""
    admin = make_ctx("adm", Role.ADMIN)
    directory.add_group(admin, "Service Desk", tier=1, manager="ines")
    directory.add_group(admin, "Platform SRE", tier=2, manager="marco")
    directory.add_group(admin, "Database Engineering", tier=3)
    ann = make_ctx("ann", Role.RESPONDER, groups=("Service Desk",))
    bob = make_ctx("bob", Role.RESPONDER, groups=("Platform SRE",))
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, groups=("Service Desk",))
    mgr = make_ctx("mgr", Role.INCIDENT_MANAGER)
    return type("Team", (), dict(admin=admin, ann=ann, bob=bob, cap=cap, mgr=mgr, db=db))
