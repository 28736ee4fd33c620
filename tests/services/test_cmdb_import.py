"""CI and change imports on both backends: idempotent, rejected rows reported, bad files write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import PermissionDenied, ValidationError
from incidentdesk.services import cmdb_import
from incidentdesk.store import cmdb as reads
from incidentdesk.store.cmdb_models import ConfigurationItem
from tests.support.cmdb import ESTATE, counts, write_csv, write_json


@pytest.fixture
def admin(make_ctx):
    make_ctx("ann", groups=("Platform SRE",))
    return make_ctx("root", role=Role.ADMIN)


def test_import_creates_then_reimport_changes_nothing(admin, db, tmp_path):
    path = write_csv(tmp_path / "cis.csv", ESTATE)
    first = cmdb_import.import_cis(admin, str(path))
    assert (first.created, first.updated, first.unchanged, first.rejected) == (5, 0, 0, [])
    before = counts(db)
    assert before == {"cis": 5, "edges": 3, "changes": 0, "change_cis": 0}
    with db.read() as s:
        stamps = dict(s.execute(select(ConfigurationItem.name, ConfigurationItem.updated_at)).all())
    again = cmdb_import.import_cis(admin, str(path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert counts(db) == before
    with db.read() as s:
        assert dict(s.execute(select(ConfigurationItem.name, ConfigurationItem.updated_at)).all()) == stamps


def test_reimport_updates_by_name_and_replaces_dependencies(admin, db, tmp_path):
    cmdb_import.import_cis(admin, str(write_csv(tmp_path / "a.csv", ESTATE)))
    changed = [{**ESTATE[0], "criticality": "high", "depends_on": "pay-db"}, ESTATE[2]]
    report = cmdb_import.import_cis(admin, str(write_json(tmp_path / "b.json", changed)))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    view = reads.ci_detail(db, "pay-gw", now=admin.now())
    assert view.criticality == "high" and view.depends_on == ("pay-db",)
    assert reads.ci_detail(db, "lb-1", now=admin.now()).depended_on_by == ()
    assert counts(db)["cis"] == 5  # nothing renamed or duplicated


def test_rejected_rows_are_reported_and_the_rest_imported(admin, db, tmp_path):
    rows = [
        {"name": "ok-1", "type": "server"},
        {"name": "typo", "type": "sever"},
        {"name": "", "type": "server"},
        {"name": "orphan", "type": "server", "owner": "nobody"},
        {"name": "needs-typo", "depends_on": "typo"},      # its dependency was rejected: so is it
        {"name": "self", "depends_on": "self"},
        {"name": "ok-1", "type": "database"},               # the name twice in one file
        {"name": "ok-2", "depends_on": "ok-1", "criticality": "urgent"},
    ]
    report = cmdb_import.import_cis(admin, str(write_csv(tmp_path / "r.csv", rows)))
    assert report.created == 1
    reasons = {(r.line, r.name): r.reason for r in report.rejected}
    assert list(reasons) == [(3, "typo"), (4, ""), (5, "orphan"), (6, "needs-typo"), (7, "self"), (8, "ok-1"),
                             (9, "ok-2")]
    assert "unknown type 'sever'" in reasons[(3, "typo")]
    assert "CI name is required" in reasons[(4, "")]
    assert "owner 'nobody'" in reasons[(5, "orphan")]
    assert "depends on unknown CI typo" in reasons[(6, "needs-typo")]
    assert "depends on itself" in reasons[(7, "self")]
    assert "line 2 too" in reasons[(8, "ok-1")]
    assert "unknown criticality 'urgent'" in reasons[(9, "ok-2")]
    assert [c.name for c in reads.list_cis(db)] == ["ok-1"]
    assert report.lines()[0].startswith("rejected line 3 (typo): unknown type")


def test_strict_refuses_the_whole_file(admin, db, tmp_path):
    path = write_csv(tmp_path / "s.csv", [{"name": "good"}, {"name": "bad", "type": "nope"}])
    with pytest.raises(ValidationError, match="1 row.s. rejected .first: line 3.*--strict: nothing imported"):
        cmdb_import.import_cis(admin, str(path), strict=True)
    assert counts(db)["cis"] == 0


@pytest.mark.parametrize("content, fmt, message", [
    ('[{"name": "a"}, {"name": ', "json", "not valid JSON"),
    ('{"name": "a"}', "json", "JSON must be a list of objects"),
    ('name,type\n"a,server\nb,server\n', "csv", "not valid CSV"),
    ("", "csv", "empty file"),
    (b"name\n\xff\xfe\n", "csv", "not UTF-8"),
])
def test_a_bad_file_is_one_error_and_nothing_written(admin, db, tmp_path, content, fmt, message):
    path = tmp_path / f"bad.{fmt}"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ValidationError, match=message) as info:
        cmdb_import.import_cis(admin, str(path))
    assert "\n" not in str(info.value)
    assert counts(db)["cis"] == 0


def test_dependency_cycles_are_tolerated_and_walked_once(admin, db, tmp_path):
    rows = [{"name": "dns", "depends_on": "ad"}, {"name": "ad", "depends_on": "dns"}, {"name": "app", "depends_on": "ad"}]
    report = cmdb_import.import_cis(admin, str(write_csv(tmp_path / "c.csv", rows)))
    assert report.created == 3 and not report.rejected
    view = reads.ci_detail(db, "dns", now=admin.now())
    assert view.depends_on == ("ad",) and view.depended_on_by == ("ad",)
    assert reads.ci_detail(db, "ad", now=admin.now()).depended_on_by == ("app", "dns")


def test_only_admins_import(make_ctx, tmp_path):
    ann = make_ctx("ann")
    with pytest.raises(PermissionDenied, match="import CIs"):
        cmdb_import.import_cis(ann, str(write_csv(tmp_path / "x.csv", [{"name": "a"}])))


def test_export_reads_back_as_the_same_estate(admin, db, tmp_path):
    cmdb_import.import_cis(admin, str(write_csv(tmp_path / "a.csv", ESTATE)))
    exported = reads.export_cis(db)
    report = cmdb_import.import_cis(admin, str(write_json(tmp_path / "e.json", {"cis": exported})))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert reads.export_cis(db) == exported


CHANGE_COLUMNS = ("key", "ref", "title", "status", "risk", "implementer", "cis", "planned_start", "planned_end",
                  "actual_start", "actual_end")


def test_change_import_is_idempotent_by_ref_and_key(admin, db, tmp_path):
    cmdb_import.import_cis(admin, str(write_csv(tmp_path / "a.csv", ESTATE)))
    rows = [
        {"ref": "SN-1", "title": "DB patch", "status": "completed", "cis": "pay-db", "risk": "high",
         "planned_start": "2026-11-23 07:00", "planned_end": "2026-11-23 08:00"},
        {"ref": "SN-2", "title": "LB config", "cis": "lb-1;pay-gw", "actual_start": "2026-11-23T06:00:00+00:00"},
        {"title": "no ref"},
        {"ref": "SN-3", "title": "unknown CI", "cis": "nope"},
        {"ref": "SN-4", "title": "backwards", "planned_start": "2026-11-23 09:00", "planned_end": "2026-11-23 08:00"},
        {"key": "CHG-000099", "title": "not there"},
    ]
    path = write_csv(tmp_path / "chg.csv", rows, CHANGE_COLUMNS)
    report = cmdb_import.import_changes(admin, str(path))
    assert report.created == 2
    assert [(r.line, r.name) for r in report.rejected] == [(4, ""), (5, "SN-3"), (6, "SN-4"), (7, "CHG-000099")]
    assert "needs its key" in report.rejected[0].reason and "unknown CI nope" in report.rejected[1].reason
    assert "ends before it starts" in report.rejected[2].reason
    again = cmdb_import.import_changes(admin, str(path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert counts(db)["changes"] == 2
    first = reads.change_detail(db, "CHG-000001")
    assert (first.ref, first.cis, first.risk) == ("SN-1", ("pay-db",), "high")
    update = write_csv(tmp_path / "u.csv", [{"key": "CHG-000002", "title": "LB config", "status": "rolled back",
                                             "cis": "lb-1"}], CHANGE_COLUMNS)
    assert cmdb_import.import_changes(admin, str(update)).updated == 1
    second = reads.change_detail(db, "CHG-000002")
    assert (second.status, second.cis, second.ref) == ("rolled_back", ("lb-1",), "SN-2")
