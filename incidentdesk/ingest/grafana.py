"""Grafana alerting's webhook contact point: Alertmanager's shape plus title/state/message and
per-alert dashboard/panel/silence URLs and values.

https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
"""

from __future__ import annotations

from incidentdesk.domain.alerts import AlertBatch
from incidentdesk.ingest.alertmanager import parse_grouped
from incidentdesk.ingest.common import Reader, type_name
from incidentdesk.ingest.errors import PayloadError

URL_FIELDS = ("silenceURL", "dashboardURL", "panelURL", "imageURL", "valueString")


def parse_grafana(data) -> AlertBatch:
    if isinstance(data, dict) and "evalMatches" in data and "alerts" not in data:
        raise PayloadError(["this is a legacy Grafana alerting payload (evalMatches); use a unified alerting "
                            "webhook contact point"])
    batch = parse_grouped(data, "grafana", version=None, extra_alert_fields=URL_FIELDS)
    r = Reader()
    for key in ("title", "state", "message"):
        r.string(data, key, "")
    org = data.get("orgId")
    if org is not None and (isinstance(org, bool) or not isinstance(org, int)):
        r.fail(f"'orgId' must be a number, not {type_name(org)}")
    r.check()
    return batch
