"""Vendor incidents: the supplier an incident waits on, their ticket, status page and status.

Pure rules shared by the services (checking what is stored), the console and the CLI (showing
it), and whoever summarises an incident for others (stakeholder updates, the handover):
`vendor_line` is the one sentence that says where the vendor stands. A hold whose reason is
"waiting for vendor" (alone or with details, `waiting for vendor: RMA shipped`) links to the
vendor fields; `is_vendor_hold` is the one test for that, also for the queue's filter.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from incidentdesk.domain import limits
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.text import is_unsafe, one_line

VENDOR_HOLD = "waiting for vendor"
FIELDS = ("vendor", "vendor_ticket", "vendor_url", "vendor_status")


def is_vendor_hold(reason: str | None) -> bool:
    """True for `waiting for vendor` and `waiting for vendor: details` (any case), never a longer word."""
    text = " ".join((reason or "").lower().split())
    return text == VENDOR_HOLD or text.startswith(VENDOR_HOLD + ":")


def check_url(url: str | None) -> str | None:
    """The status link, if it is an absolute http(s) URL with a host and no spaces or controls; else refused."""
    if url is None or not url.strip():
        return None
    url = url.strip()
    limits.check("vendor_url", url, parameter="vendor_url")
    if any(ch.isspace() or is_unsafe(ch) for ch in url):
        raise ValidationError("the vendor status link may not contain spaces or control characters; "
                              "paste the link alone", field="vendor_url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise ValidationError(f"the vendor status link {one_line(url, 80)!r} is not an http:// or https:// "
                              "address; give the full link, e.g. https://status.example.com/incidents/123",
                              field="vendor_url")
    return url


def ticket_ref(vendor: str | None, ticket: str | None) -> str:
    """How a vendor ticket is named in one breath: `Acme Cloud ticket 4471`, `ticket 4471`, `Acme Cloud`."""
    vendor, ticket = one_line(vendor), one_line(ticket)
    if vendor and ticket:
        return f"{vendor} ticket {ticket}"
    return f"ticket {ticket}" if ticket else vendor


def vendor_line(vendor: str | None, ticket: str | None, status: str | None, url: str | None) -> str | None:
    """One plain line on where the vendor stands, for any summary; None when no vendor is recorded.

    `Vendor: Acme Cloud ticket 4471 — status: investigating — https://status.acme.example/4471`.
    Control characters are removed; the caller still renders the text literally (it is untrusted).
    """
    ref = ticket_ref(vendor, ticket)
    status, url = one_line(status), one_line(url)
    if not (ref or status or url):
        return None
    parts = [ref or "vendor not named"]
    if status:
        parts.append(f"status: {status}")
    if url:
        parts.append(url)
    return "Vendor: " + " — ".join(parts)
