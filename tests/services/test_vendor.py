"""Vendor incidents on SQLite and PostgreSQL: recorded at intake or later, a vendor hold names the ticket, the filter."""

from __future__ import annotations

import pytest

from incidentdesk.domain.errors import EditConflict, ValidationError
from incidentdesk.services import incidents as svc
from incidentdesk.services import vendor
from incidentdesk.store import queries
from incidentdesk.store.queries import QueueFilter


def _log(ctx, **kw):
    fields = dict(title="Mail relay down", impact="high", urgency="medium", group="Service Desk")
    fields.update(kw)
    return svc.log_incident(ctx, svc.Intake(**fields))


def _waiting(db) -> list[str]:
    return [r.key for r in queries.queue_page(db, QueueFilter(waiting_vendor=True)).rows]


def test_vendor_at_intake_and_later(team):
    key = _log(team.ann, vendor=" Acme Cloud ", vendor_ticket="CS-1", vendor_url="https://status.acme.example/1")
    d = queries.incident_detail(team.db, key)
    assert (d.vendor, d.vendor_ticket, d.vendor_url, d.vendor_status) == (
        "Acme Cloud", "CS-1", "https://status.acme.example/1", None)
    assert d.timeline[0].after["vendor"] == "Acme Cloud"
    v = vendor.set_vendor(team.ann, key, vendor_status="investigating", expected_version=d.version)
    d = queries.incident_detail(team.db, key)
    assert v == d.version and d.vendor_status == "investigating" and d.vendor == "Acme Cloud"
    ev = d.timeline[0]
    assert (ev.kind, ev.before, ev.after) == ("vendor", {"vendor_status": None}, {"vendor_status": "investigating"})
    assert "Acme Cloud ticket CS-1" in ev.text
    json = d.to_json()
    assert (json["vendor"], json["vendor_ticket"], json["vendor_status"]) == ("Acme Cloud", "CS-1", "investigating")

    vendor.clear_vendor(team.ann, key)
    d = queries.incident_detail(team.db, key)
    assert (d.vendor, d.vendor_ticket, d.vendor_url, d.vendor_status) == (None, None, None, None)
    assert d.timeline[0].before["vendor"] == "Acme Cloud"  # the timeline keeps them
    with pytest.raises(ValidationError, match="no vendor details to clear"):
        vendor.clear_vendor(team.ann, key)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example/", "status.acme.example", "https://",
                                 "https://a b.example/", "https://acme.example/\x1b[31m", "file:///etc/passwd"])
def test_status_link_must_be_http(team, url):
    key = _log(team.ann)
    before = queries.incident_detail(team.db, key)
    with pytest.raises(ValidationError) as err:
        vendor.set_vendor(team.ann, key, vendor="Acme", vendor_url=url)
    assert err.value.field == "vendor_url" and "\n" not in str(err.value)
    after = queries.incident_detail(team.db, key)
    assert (after.version, after.vendor) == (before.version, None)  # nothing half-written
    with pytest.raises(ValidationError):
        _log(team.ann, vendor="Acme", vendor_url=url)


def test_limits_and_conflicts(team):
    key = _log(team.ann)
    with pytest.raises(ValidationError, match="vendor ticket id is 101 characters long; the limit is 100") as err:
        vendor.set_vendor(team.ann, key, vendor="Acme", vendor_ticket="x" * 101)
    assert err.value.field == "vendor_ticket"
    with pytest.raises(ValidationError, match="name the vendor or their ticket"):
        vendor.set_vendor(team.ann, key, vendor_status="down")
    with pytest.raises(ValidationError, match="give the vendor"):
        vendor.set_vendor(team.ann, key)
    v = queries.incident_detail(team.db, key).version
    vendor.set_vendor(team.bob, key, vendor="Acme", expected_version=v)
    with pytest.raises(EditConflict, match="changed by bob"):
        vendor.set_vendor(team.ann, key, vendor="Other", expected_version=v)
    assert queries.incident_detail(team.db, key).vendor == "Acme"


def test_vendor_hold_names_the_ticket_and_filters(team):
    a = _log(team.ann, title="a")
    b = _log(team.ann, title="b", vendor="Cisco", vendor_ticket="TAC-9")
    c = _log(team.ann, title="c")
    svc.take(team.ann, a)
    svc.hold(team.ann, a, reason="waiting for vendor: RMA shipped", vendor="Acme Cloud", vendor_ticket="CS-7")
    svc.take(team.ann, b)
    svc.hold(team.ann, b, reason="Waiting for vendor")                       # recorded before: named
    svc.take(team.ann, c)
    svc.hold(team.ann, c, reason="waiting for vendorless tool")              # not a vendor hold
    da, db_ = queries.incident_detail(team.db, a), queries.incident_detail(team.db, b)
    assert (da.vendor, da.vendor_ticket) == ("Acme Cloud", "CS-7")
    held = da.timeline[0]
    assert held.kind == "held" and held.text == "waiting for vendor: RMA shipped — Acme Cloud ticket CS-7"
    assert held.after["reason"] == "waiting for vendor: RMA shipped" and held.after["vendor_ticket"] == "CS-7"
    assert db_.timeline[0].text == "Waiting for vendor — Cisco ticket TAC-9"
    assert da.hold_reason == "waiting for vendor: RMA shipped"   # the reason itself (and the SLA pause) unchanged
    assert sorted(_waiting(team.db)) == sorted([a, b])
    assert queries.queue_count(team.db, QueueFilter(waiting_vendor=True)) == 2
    svc.resume(team.ann, a)
    assert _waiting(team.db) == [b]


def test_vendor_hold_without_a_vendor_still_holds_and_says_so(team):
    key = _log(team.ann)
    svc.take(team.ann, key)
    svc.hold(team.ann, key, reason="waiting for vendor")
    d = queries.incident_detail(team.db, key)
    assert d.status == "on_hold" and d.vendor is None
    assert d.timeline[0].text == "waiting for vendor — vendor and ticket not named yet"
    assert _waiting(team.db) == [key]
