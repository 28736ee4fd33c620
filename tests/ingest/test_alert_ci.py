"""Alerts map to CIs by label ([cmdb] alert_ci_labels), through the real receiver, on both backends."""

from __future__ import annotations

from incidentdesk.domain.enums import Role
from incidentdesk.services import cmdb_import

from tests.support.cmdb import ESTATE, write_csv
from tests.support.payloads import am_alert, am_payload


def _estate(make_ctx, tmp_path) -> None:
    make_ctx("ann", groups=("Platform SRE",))
    cmdb_import.import_cis(make_ctx("root", role=Role.ADMIN), str(write_csv(tmp_path / "estate.csv", ESTATE)))


def _ci_of(rx, response) -> str | None:
    assert response.status_code == 200, response.text
    [key] = response.json()["created"]
    return rx.incident(key).ci


def test_first_label_naming_a_known_ci_wins(start_receiver, make_ctx, tmp_path):
    _estate(make_ctx, tmp_path)
    rx = start_receiver()
    # the default labels are ci, instance, host: `instance` is a scrape address, `host` names the CI
    hit = rx.am(am_payload([am_alert("fp-1", instance="10.0.0.7:9100", host="pay-db")], group="A"))
    assert _ci_of(rx, hit) == "pay-db"
    both = rx.am(am_payload([am_alert("fp-2", ci="lb-1", host="pay-db")], group="B"))
    assert _ci_of(rx, both) == "lb-1"  # in the configured order
    # no label names a known CI: the CI text comes from [ingest.mapping] ci_labels as before
    miss = rx.am(am_payload([am_alert("fp-3", instance="web9:9100", host="unknown-box")], group="C"))
    assert _ci_of(rx, miss) == "web9:9100"


def test_labels_are_configurable(start_receiver, make_ctx, tmp_path):
    _estate(make_ctx, tmp_path)
    rx = start_receiver(config={"cmdb": {"alert_ci_labels": ["asset"]}})
    hit = rx.am(am_payload([am_alert("fp-1", host="pay-db", asset="san-1")], group="A"))
    assert _ci_of(rx, hit) == "san-1"
    not_listed = rx.am(am_payload([am_alert("fp-2", instance="10.0.0.7:9100", host="pay-db")], group="B"))
    assert _ci_of(rx, not_listed) == "10.0.0.7:9100"  # host is no longer looked up: [ingest.mapping]'s first label
