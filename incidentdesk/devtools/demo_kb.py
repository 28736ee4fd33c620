"""The demo's knowledge base and on-call rotations (`incidentdesk demo`): a few articles on the demo's
most frequent faults, so the Knowledge tab has articles beside the similar resolved incidents and K
has something to find; and two rotations, so the header and O show who is on call."""

from __future__ import annotations

from datetime import timedelta

from incidentdesk.services import kb

ARTICLES = (
    dict(title="VPN gateway unreachable: fail over, then restart the gateway", category="Network/VPN/GlobalProtect",
         ci="gp-gw-eu1", tags=("vpn", "globalprotect"), body=(
             "## Symptoms\nNo remote user can connect; the gateway does not answer.\n\n"
             "## Workaround\n1. Fail over to the standby gateway (`gp-gw-eu2`).\n"
             "2. Restart the GlobalProtect service on the failed one.\n\n"
             "## Check\nA test login from outside the office succeeds.")),
    dict(title="Outlook cannot connect to Exchange: recreate the profile", category="Email/Exchange/Outlook",
         ci="exch-mbx-02", tags=("outlook", "exchange"), body=(
             "## Symptoms\nOutlook shows 'Trying to connect' while webmail works.\n\n"
             "## Fix\n1. Close Outlook.\n2. Control Panel → Mail → Show Profiles: add a new profile.\n"
             "3. Start Outlook with the new profile; remove the old one when mail arrives.")),
    dict(title="Checkout page times out: check the payment gateway first", category="Web/Storefront/Checkout",
         ci="web-prod", tags=("checkout", "payments"), body=(
             "## Symptoms\nCustomers cannot complete orders; p99 latency over 30 s.\n\n"
             "## Diagnosis\nMost checkout timeouts are the payments gateway (`pay-gw-prod`): look at its 502 rate "
             "before the web tier.\n\n## Fix\nRoll back the last change on the gateway; scale the web pool if "
             "it is saturated.")),
)


def add_demo_articles(ctx) -> int:
    for article in ARTICLES:
        kb.write_article(ctx, **article)
    return len(ARTICLES)


def add_demo_rotations(ctx, anchor) -> int:
    """Service Desk weekly (Monday 09:00, Europe/London) and Network Operations daily (08:00 UTC)."""
    from incidentdesk.services import oncall

    monday = (anchor - timedelta(days=anchor.weekday())).date().isoformat()
    oncall.set_rotation(ctx, "Service Desk", cadence="weekly", handoff_day="monday", handoff_time="09:00",
                        time_zone="Europe/London", start=monday, members=("tess", "ana", "ben"))
    oncall.set_rotation(ctx, "Network Operations", cadence="daily", handoff_time="08:00", time_zone="UTC",
                        start=monday, members=("chen", "omar"))
    return 2
