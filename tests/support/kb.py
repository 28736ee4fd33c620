"""Knowledge-base test data: a few articles and resolved incidents with known words."""

from __future__ import annotations

from incidentdesk.domain.enums import Level
from incidentdesk.services import incidents as svc
from incidentdesk.services import kb


def resolved_incident(ctx, title: str, notes: str, *, symptoms: str = "", category: str | None = None,
                      ci: str | None = None) -> str:
    key = svc.log_incident(ctx, svc.Intake(title=title, impact=Level.LOW, urgency=Level.LOW, symptoms=symptoms,
                                           category=category, ci=ci))
    svc.resolve(ctx, key, code="permanent_fix", notes=notes)
    return key


def articles(ctx) -> dict[str, str]:
    """Three articles; 'vpn' is in the title of one, the tags of another and the body of the third."""
    return {
        "title": kb.write_article(ctx, title="VPN client cannot connect", body="Restart the agent.",
                                  category="Network/VPN/Client", ci="vpn-gw01"),
        "tags": kb.write_article(ctx, title="Remote access checklist", body="Check the token first.",
                                 tags=["vpn", "remote"]),
        "body": kb.write_article(ctx, title="Laptop slow after update",
                                 body="Unrelated, but the vpn agent may also use CPU."),
    }
