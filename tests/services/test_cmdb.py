"""The category tree, changes, recent-changes window and an incident's CMDB links, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from incidentdesk.services import categories, cmdb, cmdb_import
from incidentdesk.services import incidents as svc
from incidentdesk.store import cmdb as reads
from incidentdesk.store import queries
from incidentdesk.store.audit import verify_audit
from tests.support.cmdb import ESTATE, write_csv


@pytest.fixture
def desk(make_ctx):
    ann = make_ctx("ann", groups=("Platform SRE", "Network"))
    admin = make_ctx("root", role=Role.ADMIN)
    return admin, ann


def _log(ctx, **fields):
    return svc.log_incident(ctx, svc.Intake(title=fields.pop("title", "it broke"), impact="low", urgency="low",
                                            **fields))


def test_no_tree_means_free_text(desk):
    _, ann = desk
    key = _log(ann, category="Anything/At/All")
    assert queries.incident_detail(ann.db, key).category == "Anything/At/All"


def test_unknown_and_retired_categories_are_refused_with_the_nearest(desk):
    admin, ann = desk
    categories.add_category(admin, "Network/VPN/GlobalProtect")
    categories.add_category(admin, "Email/Exchange/Outlook")
    with pytest.raises(ValidationError, match=r"unknown category 'Network/VPN/GlobalProtct'; nearest: "
                                              r"Network/VPN/GlobalProtect") as info:
        _log(ann, category="Network/VPN/GlobalProtct")
    assert info.value.field == "category"
    assert _log(ann, category="Network/VPN") and _log(ann, category=" Email / Exchange ")  # a parent is a node too
    old = _log(ann, category="Email/Exchange/Outlook")
    categories.retire_category(admin, "Email/Exchange")
    with pytest.raises(ValidationError, match="'Email/Exchange/Outlook' is retired"):
        _log(ann, category="Email/Exchange/Outlook")
    assert queries.incident_detail(ann.db, old).category == "Email/Exchange/Outlook"  # old ones keep it
    assert [c.path for c in reads.list_categories(ann.db) if c.retired] == ["Email/Exchange", "Email/Exchange/Outlook"]
    categories.retire_category(admin, "Email/Exchange/Outlook", undo=True)  # brings its parent back too
    assert _log(ann, category="Email/Exchange/Outlook")
    assert reads.live_category_paths(ann.db) == ["Email", "Email/Exchange", "Email/Exchange/Outlook", "Network",
                                                 "Network/VPN", "Network/VPN/GlobalProtect"]
    with pytest.raises(ValidationError, match="not retired"):
        categories.retire_category(admin, "Network", undo=True)
    assert list(verify_audit(ann.db)) == []  # retire and restore are on the directory trail


def test_rename_relabels_incidents_and_the_subtree_in_one_go(desk):
    admin, ann = desk
    categories.add_category(admin, "Network/VPN/GlobalProtect")
    categories.add_category(admin, "Network/Wifi")
    leaf, mid, other = (_log(ann, category=c) for c in ("Network/VPN/GlobalProtect", "Network/VPN", "Network/Wifi"))
    assert categories.rename_category(admin, "Network/VPN", name="Remote Access") == "Network/Remote Access"
    got = {k: queries.incident_detail(ann.db, k).category for k in (leaf, mid, other)}
    assert got == {leaf: "Network/Remote Access/GlobalProtect", mid: "Network/Remote Access", other: "Network/Wifi"}
    assert reads.live_category_paths(ann.db) == ["Network", "Network/Remote Access",
                                                 "Network/Remote Access/GlobalProtect", "Network/Wifi"]
    with pytest.raises(ValidationError, match="unknown category 'Network/VPN'"):
        _log(ann, category="Network/VPN")
    assert list(verify_audit(ann.db)) == []  # the trail replays to the renamed tree
    with pytest.raises(ValidationError, match="exists already"):
        categories.rename_category(admin, "Network/Wifi", name="Remote Access")
    with pytest.raises(ValidationError, match="one level"):
        categories.rename_category(admin, "Network/Wifi", name="a/b")
    with pytest.raises(PermissionDenied):
        categories.rename_category(ann, "Network/Wifi", name="WLAN")


def test_category_default_group_routes_new_incidents(desk):
    admin, ann = desk
    categories.add_category(admin, "Network/VPN", default_group="Network")
    categories.add_category(admin, "Network/VPN/GlobalProtect")
    key = _log(ann, category="Network/VPN/GlobalProtect")  # the nearest parent's group
    assert queries.incident_detail(ann.db, key).group == "Network"
    assert queries.incident_detail(ann.db, _log(ann, category="Network/VPN", group="Platform SRE")).group == "Platform SRE"


def _estate(admin, tmp_path):
    cmdb_import.import_cis(admin, str(write_csv(tmp_path / "estate.csv", ESTATE)))


def test_recent_changes_cover_dependencies_within_the_window(desk, db, clock, tmp_path):
    admin, ann = desk
    _estate(admin, tmp_path)
    now = clock()
    h = lambda n: now - timedelta(hours=n)  # noqa: E731
    on_san = cmdb.new_change(ann, "SAN firmware", cis=("san-1",), status="completed", planned_start=h(30),
                             planned_end=h(29))
    on_gw = cmdb.new_change(ann, "gw deploy", cis=("pay-gw",), status="in_progress", actual_start=h(1))
    cmdb.new_change(ann, "too old", cis=("pay-db",), status="completed", planned_start=h(80), planned_end=h(73))
    long_one = cmdb.new_change(ann, "long window", cis=("lb-1",), planned_start=h(100), planned_end=h(70))
    cmdb.new_change(ann, "cancelled", cis=("pay-db",), status="cancelled", planned_start=h(2))
    cmdb.new_change(ann, "future", cis=("pay-db",), planned_start=now + timedelta(hours=5))
    cmdb.new_change(ann, "elsewhere", cis=("laptop-7",), planned_start=h(1))
    view = reads.ci_detail(db, "pay-gw", now=now, hours=72)
    assert [c.key for c in view.changes] == [on_gw, on_san, long_one]  # newest start first
    assert [c.key for c in reads.ci_detail(db, "pay-gw", now=now, hours=24).changes] == [on_gw]
    assert [c.key for c in reads.ci_detail(db, "san-1", now=now).changes] == [on_san]  # not what depends on it


def test_change_rules(desk, tmp_path):
    admin, ann = desk
    _estate(admin, tmp_path)
    with pytest.raises(ValidationError, match="unknown CI nope"):
        cmdb.new_change(ann, "x", cis=("nope",))
    now = ann.now()
    with pytest.raises(ValidationError, match="planned window ends before it starts"):
        cmdb.new_change(ann, "x", planned_start=now, planned_end=now - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="unknown status 'done'"):
        cmdb.new_change(ann, "x", status="done")
    assert reads.list_changes(ann.db) == []  # nothing half-written by the refusals
    key = cmdb.new_change(ann, "Rotate certs", cis=("lb-1",), risk="high")
    assert key == "CHG-000001"
    cmdb.update_change(ann, "chg-1", status="rolled_back", cis=("lb-1", "pay-gw"))
    got = reads.change_detail(ann.db, key)
    assert (got.status, got.risk, got.cis) == ("rolled_back", "high", ("lb-1", "pay-gw"))
    with pytest.raises(NotFound):
        cmdb.update_change(ann, "CHG-000404", status="completed")


def test_link_incident_to_its_causing_change(desk, tmp_path):
    admin, ann = desk
    _estate(admin, tmp_path)
    change = cmdb.new_change(ann, "gw deploy", cis=("pay-gw",))
    inc = _log(ann, ci="pay-gw")
    cmdb.link_change(ann, inc, change=change)
    assert reads.caused_by(ann.db, inc).key == change
    assert reads.change_detail(ann.db, change).incidents == (inc,)
    events = queries.incident_detail(ann.db, inc).timeline
    assert (events[0].kind, events[0].text) == ("caused_by_change", f"caused by {change}")
    with pytest.raises(ValidationError, match="already linked"):
        cmdb.link_change(ann, inc, change=change)
    with pytest.raises(NotFound, match="no change CHG-000009"):
        cmdb.link_change(ann, inc, change="CHG-000009")
    cmdb.link_change(ann, inc, change=change, undo=True)
    assert reads.caused_by(ann.db, inc) is None
    assert list(verify_audit(ann.db)) == []


def test_recategorise_checks_the_tree(desk):
    admin, ann = desk
    categories.add_category(admin, "Apps/Payments")
    inc = _log(ann)
    with pytest.raises(ValidationError, match="nearest: Apps/Payments"):
        cmdb.recategorise(ann, inc, category="Apps/Paymnts")
    cmdb.recategorise(ann, inc, category="Apps/Payments", ci="pay-gw")
    d = queries.incident_detail(ann.db, inc)
    assert (d.category, d.ci, d.timeline[0].kind) == ("Apps/Payments", "pay-gw", "categorised")
    with pytest.raises(ValidationError, match="nothing to change"):
        cmdb.recategorise(ann, inc, category="Apps/Payments")
