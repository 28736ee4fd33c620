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


HOSTILE_BODY = ("## Fix\n\nRestart the [@click=app.quit]gateway[/] agent. [bold red]not bold[/]\n\n"
                "Escape: \x1b]0;owned\x07 \x1b[31mred\x1b[0m\n\n[a link](https://evil.example/x')\n")


def knowledge_desk(db, clock, keys: dict) -> dict:
    """The console desk (tests/support/desk.build) plus articles and a resolved VPN incident like keys['vpn']."""
    from tests.support.desk import ctx_for

    ana, chen = ctx_for(db, "ana", clock), ctx_for(db, "chen", clock)
    out = dict(keys)
    out["kb_vpn"] = kb.write_article(chen, title="GlobalProtect gateway unreachable: restart the portal",
                                     body=HOSTILE_BODY, category="Network/VPN/GlobalProtect", ci="gp-gw-eu1",
                                     tags=["vpn", "gateway"])
    out["kb_mail"] = kb.write_article(ana, title="Outlook cannot connect: clear the profile cache",
                                      body="1. Close Outlook\n2. Delete the OST file\n", category="Email/Exchange/Outlook")
    clock.advance(minutes=1)
    out["old_vpn"] = resolved_incident(chen, "VPN gateway unreachable after config push",
                                       "Rolled back the config push on gp-gw-eu1; users reconnected",
                                       symptoms="remote users cannot connect", category="Network/VPN/GlobalProtect",
                                       ci="gp-gw-eu1")
    return out
