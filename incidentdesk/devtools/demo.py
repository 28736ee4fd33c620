"""A realistic demo set: services, a category taxonomy, groups in three tiers, people in every
role and a few hundred incidents across every state, with timelines made through the real
services (so they are hash-chained and obey the lifecycle like any other data).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select

from incidentdesk.devtools.demo_kb import add_demo_articles, add_demo_rotations
from incidentdesk.devtools.demo_requests import add_demo_request_types
from incidentdesk.domain.enums import Level, Role
from incidentdesk.domain.priority import derive_priority
from incidentdesk.domain.roles import Actor
from incidentdesk.services import directory
from incidentdesk.services import incidents as svc
from incidentdesk.services import major as major_svc
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.store.models import Incident

GROUPS = [
    ("Service Desk", 1, "ines"), ("Network Operations", 2, "marco"), ("Platform SRE", 2, "marco"),
    ("Application Support", 2, "ines"), ("Database Engineering", 3, "marco"), ("Security Operations", 3, "ines"),
]

PEOPLE = [
    ("ana", "Ana Lima", Role.RESPONDER, ["Service Desk"]),
    ("ben", "Ben Okafor", Role.RESPONDER, ["Service Desk"]),
    ("chen", "Chen Wei", Role.RESPONDER, ["Network Operations"]),
    ("dara", "Dara Singh", Role.RESPONDER, ["Platform SRE"]),
    ("eli", "Eli Novak", Role.RESPONDER, ["Platform SRE", "Database Engineering"]),
    ("fay", "Fay Morgan", Role.RESPONDER, ["Application Support"]),
    ("gus", "Gus Andersen", Role.RESPONDER, ["Database Engineering"]),
    ("hana", "Hana Sato", Role.RESPONDER, ["Security Operations"]),
    ("tess", "Tess Alvarez", Role.TRIAGE_CAPTAIN, ["Service Desk", "Application Support"]),
    ("omar", "Omar Haddad", Role.TRIAGE_CAPTAIN, ["Network Operations", "Platform SRE"]),
    ("ines", "Ines Carvalho", Role.INCIDENT_MANAGER, ["Service Desk"]),
    ("marco", "Marco Rossi", Role.INCIDENT_MANAGER, ["Platform SRE"]),
]

SERVICES = [
    ("Email", "Application Support"), ("VPN", "Network Operations"), ("Payments API", "Platform SRE"),
    ("Customer Website", "Platform SRE"), ("HR Portal", "Application Support"), ("Office Wi-Fi", "Network Operations"),
    ("ERP", "Application Support"), ("Identity & SSO", "Security Operations"), ("Orders Database", "Database Engineering"),
    ("Kubernetes Platform", "Platform SRE"), ("Printing", "Service Desk"), ("Laptops & Devices", "Service Desk"),
]

CATEGORIES = [
    "Email/Exchange/Outlook", "Email/Exchange/Mobile sync", "Network/VPN/GlobalProtect", "Network/Wi-Fi/Office",
    "Network/DNS/Internal", "Payments/API/Gateway", "Payments/API/Webhooks", "Web/Storefront/Checkout",
    "Web/Storefront/Search", "HR/Portal/Payslips", "ERP/Finance/Invoicing", "Identity/SSO/Okta",
    "Identity/Accounts/Password", "Database/PostgreSQL/Orders", "Platform/Kubernetes/Ingress",
    "Hardware/Laptop/Battery", "Hardware/Printer/Floor 3",
]

# title, service, category, CI, impact, urgency, symptoms
TEMPLATES = [
    ("Outlook cannot connect to Exchange", "Email", "Email/Exchange/Outlook", "exch-mbx-02", "medium", "high",
     "Outlook shows 'Trying to connect' for the whole finance floor"),
    ("Mobile mail not syncing since morning", "Email", "Email/Exchange/Mobile sync", "exch-cas-01", "low", "medium",
     "iOS mail app shows no new messages since 08:00"),
    ("VPN drops every 10 minutes", "VPN", "Network/VPN/GlobalProtect", "gp-gw-eu1", "medium", "medium",
     "Remote staff disconnected repeatedly; reconnect works"),
    ("VPN gateway unreachable for all remote staff", "VPN", "Network/VPN/GlobalProtect", "gp-gw-eu1", "high", "high",
     "No remote user can connect; gateway does not answer"),
    ("Office Wi-Fi slow on floor 2", "Office Wi-Fi", "Network/Wi-Fi/Office", "ap-f2-07", "low", "low",
     "Throughput under 1 Mbit/s near the kitchen"),
    ("Internal DNS resolution failing intermittently", "Kubernetes Platform", "Network/DNS/Internal", "dns-int-01",
     "high", "medium", "SERVFAIL for *.corp names about one query in ten"),
    ("Payments API returning 502 for 20% of requests", "Payments API", "Payments/API/Gateway", "pay-gw-prod",
     "high", "high", "Checkout failing; error budget burning fast"),
    ("Webhook deliveries to merchants delayed", "Payments API", "Payments/API/Webhooks", "pay-worker-3",
     "medium", "medium", "Queue depth growing; deliveries 40 min late"),
    ("Checkout page times out", "Customer Website", "Web/Storefront/Checkout", "web-prod", "high", "high",
     "Customers cannot complete orders; p99 over 30 s"),
    ("Site search returns no results", "Customer Website", "Web/Storefront/Search", "search-es-1", "medium", "low",
     "Search box returns empty for every query"),
    ("Payslips not visible in HR portal", "HR Portal", "HR/Portal/Payslips", "hr-app-01", "medium", "low",
     "Employees see an empty payslip list"),
    ("Invoice run failed overnight", "ERP", "ERP/Finance/Invoicing", "erp-batch-01", "medium", "high",
     "Batch job INV-NIGHTLY ended with error 17"),
    ("SSO login loop for all SaaS apps", "Identity & SSO", "Identity/SSO/Okta", "okta-tenant", "high", "high",
     "Users redirected back to the login page after MFA"),
    ("Password reset emails not arriving", "Identity & SSO", "Identity/Accounts/Password", "idp-mailer",
     "low", "medium", "Reset link email never delivered"),
    ("Orders database replication lag over 10 minutes", "Orders Database", "Database/PostgreSQL/Orders", "pg-orders-02",
     "medium", "high", "Read replicas serving stale orders"),
    ("Ingress controller restarting in prod cluster", "Kubernetes Platform", "Platform/Kubernetes/Ingress",
     "k8s-prod-ingress", "high", "medium", "CrashLoopBackOff on 2 of 3 ingress pods"),
    ("Laptop battery swelling", "Laptops & Devices", "Hardware/Laptop/Battery", "LT-4471", "low", "high",
     "Trackpad lifted; user worried about safety"),
    ("Floor 3 printer jams on every job", "Printing", "Hardware/Printer/Floor 3", "prn-f3-01", "low", "low",
     "Paper jam error on every print"),
]

REQUESTS = [
    ("New starter laptop for Priya Nair", "Laptops & Devices", "Hardware/Laptop/Battery", None),
    ("Access to ERP finance module", "ERP", "ERP/Finance/Invoicing", None),
    ("VPN access for contractor", "VPN", "Network/VPN/GlobalProtect", None),
    ("Shared mailbox for the events team", "Email", "Email/Exchange/Outlook", None),
]

TRIED = [
    "Restarted the service, checked logs (timeouts to upstream), confirmed with two users; no change.",
    "Verified the user's device and network; issue reproduces on a second device. Logs attached in ticket notes.",
    "Cleared cache, re-synced profile, checked recent changes (none in 24 h). Needs a specialist.",
    "Failed over to the secondary; errors continue. Suspect a config push at 09:10.",
]

FIXES = [
    ("workaround", "Restarted the worker pool; errors stopped. Root cause to follow in a problem record."),
    ("permanent_fix", "Rolled back the config change from this morning and added a check to the pipeline."),
    ("permanent_fix", "Replaced the failing access point; throughput back to normal."),
    ("not_reproducible", "Could not reproduce with the user on a call; asked them to report again if it recurs."),
    ("workaround", "Routed traffic to the healthy region while the vendor investigates."),
    ("duplicate", "Duplicate of an earlier incident already being worked."),
]


MAJOR_COUNT = 3
COMMANDERS = ("ines", "marco")  # the demo set's incident managers
MAJOR_REASONS = [
    "Customer-facing outage across the EU; revenue impact. Bridge opened, comms every 30 min.",
    "Whole business unit cannot work; several teams needed. Commander coordinates, resolvers keep fixing.",
    "Repeated failures with growing impact; executives asking for updates.",
]


FIRST_UPDATE = dict(
    status="Bridge open; resolvers are failing over to the standby. No data loss seen.",
    workaround="None yet", follow="#major-bridge (chat), status page",
)


class _Clock:
    """The demo's time: moves forward step by step but never past `limit` (now), so no
    event of a young incident lands in the future."""

    def __init__(self, start: datetime, limit: datetime) -> None:
        self.now = start
        self.limit = limit

    def __call__(self) -> datetime:
        return self.now

    def advance(self, rng: random.Random, lo_min: float, hi_min: float) -> None:
        step = timedelta(minutes=rng.uniform(lo_min, hi_min))
        self.now = max(self.now, min(self.now + step, self.limit - timedelta(seconds=rng.uniform(1, 60))))


def _ensure_directory(ctx: ServiceContext) -> None:
    for name, tier, manager in GROUPS:
        directory.add_group(ctx, name, tier=tier, manager=manager, description=f"Tier {tier} support")
    for login, name, role, groups in PEOPLE:
        directory.add_user(ctx, login, role=role, name=name, groups=groups)
    for name, group in SERVICES:
        directory.add_service(ctx, name, owner_group=group)
    for path in CATEGORIES:
        directory.add_category(ctx, path)


def load_demo(ctx: ServiceContext, count: int = 300, seed: int = 7) -> str:
    """Fill an empty database; the running login becomes an admin so every key can be tried."""
    with ctx.db.read() as s:
        existing = s.scalar(select(func.count()).select_from(Incident)) or 0
    if existing:
        return f"the database already holds {existing} incidents; demo data was not added"
    directory.add_user(ctx, ctx.actor.login, role=Role.ADMIN, name=ctx.actor.login, groups=[])
    admin = replace(ctx, actor=load_actor(ctx.db, ctx.actor.login, ctx.actor.effective_real_login))
    _ensure_directory(admin)
    add_demo_request_types(admin)
    directory.add_user(admin, ctx.actor.login, role=Role.ADMIN, groups=["Service Desk", "Platform SRE"])
    actors = {login: load_actor(ctx.db, login, real_login=ctx.actor.effective_real_login) for login, *_ in PEOPLE}
    members = {g: [p[0] for p in PEOPLE if g in p[3]] for g, *_ in GROUPS}
    rng = random.Random(seed)
    anchor = ctx.now()
    keys = []
    for i in range(count):
        keys.append(_one_incident(ctx, rng, anchor, i, count, actors, members))
    majors = _declare_majors(ctx, actors, anchor, random.Random(seed + 1))  # own stream: the rest stays as it was
    _demo_cmdb(admin, anchor)
    problem = _known_error(replace(ctx, actor=actors["tess"]))
    articles = add_demo_articles(replace(ctx, actor=actors["tess"]))
    add_demo_rotations(admin, anchor)
    return (f"demo: {len(GROUPS)} groups, {len(PEOPLE) + 1} people, {len(SERVICES)} services, {len(keys)} incidents "
            f"({majors} major){problem}, {articles} knowledge articles")


def _known_error(ctx: ServiceContext) -> str:
    """A known error on the CI with the most open incidents (three of them linked, its workaround shown on
    every incident on that CI), and the newest other open one folded under the oldest as its child."""
    from incidentdesk.services import links, problems

    with ctx.db.read() as s:
        ci = s.scalar(select(Incident.ci).where(Incident.is_open.is_(True), Incident.ci.is_not(None),
                                                Incident.type == "incident")
                      .group_by(Incident.ci).order_by(func.count().desc(), Incident.ci).limit(1))
        open_keys = list(s.scalars(select(Incident.key).where(Incident.is_open.is_(True), Incident.ci == ci,
                                                                Incident.is_major.is_(False)).order_by(Incident.id)))
    if ci is None or len(open_keys) < 2:
        return ""
    key = problems.create_problem(ctx, incidents=open_keys[:3], title=f"Repeated failures on {ci}",
                                  statement=f"{ci} keeps failing the same way; several incidents a week.")
    problems.mark_known_error(ctx, problem=key, workaround=f"Fail over to the standby of {ci}, then restart it.")
    if len(open_keys) > 3:
        links.link_parent(ctx, open_keys[-1], parent=open_keys[0])
    return f", problem {key} (known error on {ci})"


def _one_incident(ctx, rng, anchor, i, count, actors, members) -> str:
    # Newest incidents are the open ones; older ones have run their course.
    fate = rng.choices(
        ["new", "acknowledged", "in_progress", "on_hold", "resolved", "closed", "cancelled", "reopened"],
        weights=[8, 6, 12, 4, 10, 52, 3, 5],
    )[0]
    if rng.random() < 0.12:
        title, service, category, ci = rng.choice(REQUESTS)
        impact, urgency, kind, symptoms = "low", rng.choice(["low", "medium"]), "request", ""
    else:
        title, service, category, ci, impact, urgency, symptoms = rng.choice(TEMPLATES)
        kind = "incident"
    # Open work is young — the higher the priority, the younger (a queue of day-old P1s is not
    # a desk anyone runs); finished work spreads over the last six weeks.
    open_fates = {"new", "acknowledged", "in_progress", "on_hold", "reopened"}
    priority = derive_priority(Level(impact), Level(urgency), ctx.config.priority_matrix)
    max_open_age = {1: 1.2, 2: 4.0, 3: 30.0, 4: 72.0}[priority]
    if fate == "new":  # nobody has picked it up yet: mostly within the response target, a few just past it
        max_open_age = {1: 0.3, 2: 0.7, 3: 6.0, 4: 24.0}[priority]
    age_hours = rng.uniform(0.05, max_open_age) if fate in open_fates else rng.uniform(24, 24 * 45)
    clock = _Clock(anchor - timedelta(hours=age_hours), limit=anchor)
    captain = actors[rng.choice(["tess", "omar"])]
    reporter = actors[rng.choice(["ana", "ben", "tess"])]

    def as_(actor: Actor) -> ServiceContext:
        return replace(ctx, actor=actor, clock=clock)

    group = rng.choice(["Service Desk", "Service Desk", "Network Operations", "Platform SRE", "Application Support"])
    key = svc.log_incident(as_(reporter), svc.Intake(
        title=title, impact=impact, urgency=urgency, type=kind, affected_service=service, category=category, ci=ci,
        symptoms=symptoms, impacted=rng.choice(["one user", "about 40 users on floor 2", "all remote staff",
                                                 "every customer in the EU", "the finance team"]),
        device_user=rng.choice(["", "Windows 11 laptop LT-2231, user j.doe", "iPhone 15, user m.kim"]),
        recent_changes=rng.choice(["", "", "Config push at 09:10 (CHG-1182)", "Certificate renewed yesterday"]),
        steps_to_reproduce=rng.choice(["", "Open the app, sign in, wait 30 s"]),
        started_at=clock.now - timedelta(minutes=rng.uniform(1, 45)), group=group,
        source=rng.choice(["manual", "phone", "email", "alert"]),
    ))
    if fate == "new":
        return key
    worker = actors[rng.choice(members[group])]
    clock.advance(rng, 1, 25)
    svc.acknowledge(as_(worker), key, comment=rng.choice(["", "Looking now", "On it"]))
    if fate == "acknowledged":
        return key
    clock.advance(rng, 2, 30)
    svc.start_work(as_(worker), key)
    if rng.random() < 0.3:
        clock.advance(rng, 5, 40)
        svc.comment(as_(worker), key, rng.choice(["Collected logs from the affected host.",
                                                  "Spoke to the user; issue confirmed.",
                                                  "Vendor ticket opened, ref V-88231."]))
    if rng.random() < 0.25:
        clock.advance(rng, 5, 60)
        target = rng.choice([g for g in members if g != group and g != "Service Desk"])
        svc.escalate(as_(worker), key, kind="functional", to_group=target, summary=rng.choice(TRIED),
                     reason="needs specialist skills")
        group = target
        worker = actors[rng.choice(members[group])]
        clock.advance(rng, 2, 20)
        svc.assign(as_(captain), key, user=worker.login)
    if rng.random() < 0.08:
        clock.advance(rng, 5, 30)
        svc.escalate(as_(worker), key, kind="hierarchical", summary="Customer-facing impact growing; need a decision "
                     "on failover and a comms lead.", reason="business impact")
    if rng.random() < 0.1 and impact != "high":
        clock.advance(rng, 5, 30)
        svc.reprioritise(as_(captain), key, impact="high", reason="more users affected than reported")
    if fate == "in_progress":
        return key
    if fate == "on_hold":
        clock.advance(rng, 5, 40)
        reason = rng.choice(["waiting for user", "waiting for vendor", "waiting for change window"])
        number = int(key[-6:])
        vendor, prefix = DEMO_VENDORS[number % len(DEMO_VENDORS)] if reason == "waiting for vendor" else (None, None)
        svc.hold(as_(worker), key, reason=reason, vendor=vendor,
                 vendor_ticket=f"{prefix}-{number + 40000}" if prefix else None)
        return key
    if fate == "cancelled":
        clock.advance(rng, 5, 40)
        svc.cancel(as_(captain), key, reason="Logged twice by mistake")
        return key
    clock.advance(rng, 20, 600)
    code, notes = rng.choice(FIXES)
    svc.resolve(as_(worker), key, code=code, notes=notes)
    if fate == "reopened":
        clock.advance(rng, 30, 300)
        svc.reopen(as_(reporter), key, reason="User reports the problem is back")
        return key
    if fate == "resolved":
        return key
    clock.advance(rng, 60, 60 * 24)
    svc.close(as_(reporter), key, confirmed=rng.random() < 0.8, csat=rng.choice([None, 3, 4, 5, 5, 4, 2]))
    return key


# Who a demo incident on hold "waiting for vendor" waits on (vendor, ticket prefix): no random draw,
# so the rest of the demo data stays as it was.
DEMO_VENDORS = (("Contoso Cloud", "CS"), ("Fabrikam Networks", "TAC"), ("Northwind Telecom", "NW"))


def _declare_majors(ctx: ServiceContext, actors: dict[str, Actor], anchor: datetime, rng: random.Random) -> int:
    """The first open P1/P2 incidents being worked become major: a triage captain declares each, naming an
    incident manager who is not its assignee as commander (through the service, so the timeline has it)."""
    with ctx.db.read() as s:
        chosen = s.execute(
            select(Incident.key, Incident.assignee, Incident.updated_at, Incident.affected_service, Incident.impacted)
            .where(Incident.is_open.is_(True), Incident.priority <= 2, Incident.type == "incident",
                   Incident.assignee.is_not(None))  # being worked: a resolver and, beside them, a commander
            .order_by(Incident.priority, Incident.sla_due_at, Incident.id).limit(MAJOR_COUNT)
        ).all()
    for i, (key, assignee, updated_at, service, impacted) in enumerate(chosen):
        commander = next(c for c in COMMANDERS[i % 2:] + COMMANDERS[:i % 2] if c != assignee)
        clock = _Clock(updated_at, limit=anchor)
        clock.advance(rng, 1, 10)
        declarer = actors[("tess", "omar")[i % 2]]
        major_svc.declare_major(replace(ctx, actor=declarer, clock=clock), key, reason=MAJOR_REASONS[i],
                                commander=commander)
        if i == 0:  # the first one has its comms lead and a first stakeholder update
            from incidentdesk.services import stakeholder

            lead = next((c for c in COMMANDERS if c not in (commander, assignee)), commander)  # never the resolver
            if lead != commander:
                major_svc.set_major_roles(replace(ctx, actor=actors[commander], clock=clock), key, comms_lead=lead)
            clock.advance(rng, 5, 15)
            stakeholder.post_update(replace(ctx, actor=actors[lead], clock=clock), key, **FIRST_UPDATE,
                                    impacted=f"{service or 'the service'}, for every user of it",
                                    who=impacted or "every user of the service")
    return len(chosen)


# The CMDB behind the templates' CIs (services/cmdb_import.py): type, dependencies, and a few changes in the
# last days, so the incident pane's CI tab (and `ci show`) has something to show.
_CI_TYPES = {"LT-": "laptop", "ap-": "network", "gp-": "network", "dns": "server", "pg-": "database",
             "prn": "other", "okt": "service", "k8s": "container", "exc": "server", "sea": "database"}
_CI_DEPENDS = {"pay-gw-prod": ["pay-worker-3", "pg-orders-02", "k8s-prod-ingress"], "web-prod": ["search-es-1",
               "k8s-prod-ingress"], "k8s-prod-ingress": ["dns-int-01"], "exch-cas-01": ["exch-mbx-02", "dns-int-01"],
               "idp-mailer": ["okta-tenant"], "hr-app-01": ["okta-tenant"], "gp-gw-eu1": ["dns-int-01", "okta-tenant"]}


def _demo_cmdb(admin: ServiceContext, anchor) -> None:
    from incidentdesk.services import cmdb, cmdb_import

    owners = dict(SERVICES)
    rows = [{"name": ci, "type": _CI_TYPES.get(ci[:3], "application"), "service": service, "owner": owners.get(service),
             "criticality": "critical" if service in ("Payments API", "Customer Website") else "high",
             "depends_on": _CI_DEPENDS.get(ci, [])}
            for ci, service in {t[3]: t[1] for t in (*TEMPLATES, *REQUESTS) if t[3]}.items()]
    cmdb_import.import_ci_rows(admin, list(enumerate(rows, start=1)))
    for title, ci, hours, status, risk in (("DNS resolver upgrade", "dns-int-01", 30, "completed", "medium"),
                                           ("Ingress controller 1.11", "k8s-prod-ingress", 6, "completed", "high"),
                                           ("Exchange CU14", "exch-mbx-02", 50, "rolled_back", "high"),
                                           ("Payments worker autoscaling", "pay-worker-3", -20, "planned", "low")):
        start = anchor - timedelta(hours=hours)
        cmdb.new_change(admin, title, cis=(ci,), status=status, risk=risk, planned_start=start,
                        planned_end=start + timedelta(hours=1))
