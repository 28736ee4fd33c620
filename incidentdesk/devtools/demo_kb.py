"""The demo's knowledge base (`incidentdesk demo`): a few articles on the demo's most frequent faults,
so the Knowledge tab has articles beside the similar resolved incidents, and K has something to find."""

from __future__ import annotations

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
