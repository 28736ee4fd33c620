"""The console tests' fixed desk (people, groups, incidents) and a ready App over it.

Everything is made through the real services on a real SQLite file with a fixed clock, so
keys, times and countdowns are the same on every run.
"""

from __future__ import annotations

from pathlib import Path

from incidentdesk.config import Config
from incidentdesk.domain.enums import Role
from incidentdesk.runtime import Runtime
from incidentdesk.services import directory
from incidentdesk.services import incidents as svc
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.store.engine import Database, open_database
from incidentdesk.store.migrate import ensure_schema
from tests.support.clock import Clock

MARKUP_TITLES = ["[@click=app.quit]x[/]", "[bold red]x", "\x1b[31mred escape\x1b[0m and [link=http://evil]y[/link]"]


def open_db(path: Path) -> Database:
    db = open_database(f"sqlite:///{path}")
    ensure_schema(db.engine)
    return db


def desk_in(tmp_path: Path, **options) -> tuple[Database, Clock, dict]:
    """The small desk (`build` with `options`) in tmp_path/desk.db on a clock of its own: (db, clock, keys)."""
    clock = Clock()
    db = open_db(tmp_path / "desk.db")
    return db, clock, build(db, clock, **options)


def ctx_for(db: Database, login: str, clock: Clock, config: Config | None = None) -> ServiceContext:
    return ServiceContext(db, config or Config(), load_actor(db, login), clock)


def build(db: Database, clock: Clock, *, extra: int = 0, markup: bool = False, long_timeline: bool = False,
          major: bool = False, vendor: bool = False, review: bool = False, oncall: bool = False) -> dict:
    """A small desk: groups, people, a handful of incidents in different states. Returns keys by name."""
    root = ServiceContext(db, Config(), load_actor(db, "root-setup"), clock)
    directory.add_user(root, "root-setup", role=Role.ADMIN)
    admin = ctx_for(db, "root-setup", clock)
    directory.add_group(admin, "Service Desk", tier=1, manager="ines")
    directory.add_group(admin, "Network Operations", tier=2, manager="marco")
    directory.add_group(admin, "Platform SRE", tier=2, manager="marco")
    directory.add_user(admin, "tess", role=Role.TRIAGE_CAPTAIN, name="Tess Alvarez", groups=["Service Desk"])
    directory.add_user(admin, "ana", role=Role.RESPONDER, name="Ana Lima", groups=["Service Desk"])
    directory.add_user(admin, "chen", role=Role.RESPONDER, name="Chen Wei", groups=["Network Operations"])
    directory.add_user(admin, "ines", role=Role.INCIDENT_MANAGER, name="Ines Carvalho", groups=["Service Desk"])
    directory.add_service(admin, "VPN", owner_group="Network Operations")
    directory.add_service(admin, "Email", owner_group="Service Desk")
    directory.add_category(admin, "Network/VPN/GlobalProtect")
    directory.add_category(admin, "Email/Exchange/Outlook")
    tess, ana, chen = (ctx_for(db, n, clock) for n in ("tess", "ana", "chen"))
    keys: dict[str, str] = {}
    keys["vpn"] = svc.log_incident(ana, svc.Intake(
        title="VPN gateway unreachable for all remote staff", impact="high", urgency="high",
        affected_service="VPN", category="Network/VPN/GlobalProtect", ci="gp-gw-eu1",
        symptoms="No remote user can connect", impacted="all remote staff", group="Network Operations",
        description="Gateway does not answer since 08:50", recent_changes="CHG-1182 config push at 08:45"))
    clock.advance(minutes=3)
    keys["mail"] = svc.log_incident(ana, svc.Intake(
        title="Outlook cannot connect to Exchange", impact="medium", urgency="high", affected_service="Email",
        category="Email/Exchange/Outlook", group="Service Desk"))
    clock.advance(minutes=2)
    keys["printer"] = svc.log_incident(ana, svc.Intake(title="Floor 3 printer jams", impact="low", urgency="low",
                                                       group="Service Desk"))
    svc.acknowledge(ana, keys["printer"], comment="on it")
    clock.advance(minutes=2)
    keys["wifi"] = svc.log_incident(tess, svc.Intake(title="Office Wi-Fi slow on floor 2", impact="medium",
                                                     urgency="medium", group="Service Desk"))
    svc.acknowledge(ana, keys["wifi"])
    svc.start_work(ana, keys["wifi"])
    clock.advance(minutes=1)
    keys["resolved"] = svc.log_incident(ana, svc.Intake(title="Password reset mails late", impact="low",
                                                        urgency="medium", group="Service Desk"))
    svc.resolve(ana, keys["resolved"], code="workaround", notes="Resent from the backup relay")
    keys["held"] = svc.log_incident(ana, svc.Intake(title="Laptop battery swelling", impact="low", urgency="high",
                                                    group="Service Desk"))
    svc.hold(ana, keys["held"], reason="waiting for user")
    if long_timeline:
        svc.acknowledge(chen, keys["vpn"], comment="Looking now")
        for i in range(25):
            clock.advance(minutes=1)
            svc.comment(chen if i % 2 else tess, keys["vpn"], f"Update {i + 1}: checked gateway node {i % 4}; "
                        "still failing over to the secondary.")
        svc.escalate(chen, keys["vpn"], kind="functional", to_group="Platform SRE", reason="needs platform",
                     summary="Restarted gp-gw-eu1 twice, failover to eu2 fails with TLS errors; logs in comments.")
        svc.escalate(tess, keys["vpn"], kind="hierarchical", summary="All remote staff down for 30 minutes; "
                     "need a decision on rollback of CHG-1182.", reason="business impact")
    if major:
        from incidentdesk.services.major import declare_major

        declare_major(tess, keys["vpn"], reason="All remote staff cut off", commander="ines")
    if vendor:  # the Exchange incident waits on the mail vendor
        from incidentdesk.services.vendor import set_vendor

        set_vendor(ana, keys["mail"], vendor="Contoso Mail [Cloud]", vendor_ticket="CS-44871",
                   vendor_url="https://status.contoso.example/incidents/44871", vendor_status="investigating")
        svc.hold(ana, keys["mail"], reason="waiting for vendor: awaiting their fix")
    if review:  # the VPN outage: a major, resolved, its review half written
        from incidentdesk.services import pir
        from incidentdesk.services.major import declare_major

        ines = ctx_for(db, "ines", clock)
        if not major:
            declare_major(tess, keys["vpn"], reason="All remote staff cut off", commander="ines")
        svc.take(chen, keys["vpn"])
        clock.advance(minutes=20)
        svc.comment(chen, keys["vpn"], "Rolled back CHG-1182 on gp-gw-eu1")
        clock.advance(minutes=15)
        svc.resolve(chen, keys["vpn"], code="permanent_fix", notes="CHG-1182 rolled back; gateway answers")
        pir.edit_review(ines, keys["vpn"], summary="A config push (CHG-1182) cut every remote user off the VPN.",
                        users="all remote staff (about 900)", slowed="The change was not linked to the alert.")
        pir.add_follow_up(ines, keys["vpn"], action="Canary config pushes on one gateway first", owner="chen",
                          due="2026-12-15")
    if markup:
        for i, title in enumerate(MARKUP_TITLES):
            keys[f"markup{i}"] = svc.log_incident(ana, svc.Intake(title=title, impact="high", urgency="medium",
                                                                  description=title, group="Service Desk"))
            svc.comment(ana, keys[f"markup{i}"], title)
    if oncall:
        add_rotations(db, clock)
    for i in range(extra):
        svc.log_incident(ana, svc.Intake(title=f"Bulk incident {i + 1:03d}", impact="low", urgency="low",
                                         group="Service Desk"))
    clock.advance(minutes=10)
    return keys


def add_rotations(db: Database, clock: Clock) -> None:
    """Service Desk: weekly, Monday 09:00 Europe/London (tess, ana, ines), with an override and a swap;
    Network Operations: daily 08:00 UTC (chen alone)."""
    from datetime import timedelta

    from incidentdesk.services import oncall

    tess, ana = ctx_for(db, "tess", clock), ctx_for(db, "ana", clock)
    oncall.set_rotation(tess, "Service Desk", cadence="weekly", handoff_day="monday", handoff_time="09:00",
                        time_zone="Europe/London", start="2026-11-23", members=("tess", "ana", "ines"))
    oncall.set_rotation(tess, "Network Operations", cadence="daily", handoff_time="08:00", time_zone="UTC",
                        start="2026-11-01", members=("chen",))
    monday = clock.now.replace(hour=9, minute=0, second=0, microsecond=0)
    oncall.add_override(tess, "Service Desk", person="ines", start=monday + timedelta(days=1),
                        end=monday + timedelta(days=1, hours=8), reason="Tess at the supplier review")
    oncall.swap(ana, "Service Desk", shift=monday + timedelta(days=8), with_person="ines", reason="take my week")


def make_app(db: Database, login: str, clock: Clock, config: Config | None = None, tick_seconds: float = 0,
             display_name: str | None = None, **options):
    """`display_name`: what the header calls the database (default: its real path)."""
    from incidentdesk.tui.app import IncidentDeskApp

    config = config or Config()
    runtime = Runtime(config, db, ServiceContext(db, config, load_actor(db, login), clock), display_name=display_name)
    return IncidentDeskApp(runtime, clock=clock, cursor_blink=False, tick_seconds=tick_seconds, **options)
