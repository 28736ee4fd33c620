"""One entry point per format name, as the CLI and the receiver spell them."""

from __future__ import annotations

from collections.abc import Callable

from incidentdesk.domain.alerts import AlertBatch
from incidentdesk.ingest.alertmanager import parse_alertmanager
from incidentdesk.ingest.common import decode_json
from incidentdesk.ingest.events_v2 import parse_events_v2
from incidentdesk.ingest.grafana import parse_grafana

PARSERS: dict[str, Callable[..., AlertBatch]] = {
    "alertmanager": parse_alertmanager,
    "events-v2": parse_events_v2,
    "grafana": parse_grafana,
}
FORMATS = tuple(PARSERS)


def parse_body(fmt: str, body: bytes, *, digest: str = "") -> AlertBatch:
    data = decode_json(body)
    if fmt == "events-v2":
        return parse_events_v2(data, body_digest=digest)
    return PARSERS[fmt](data)
