"""`[audit]`: where the checkpoint key and the checkpoint file live, and whether to log to syslog."""

from __future__ import annotations

from typing import Annotated

from incidentdesk.config.base import Section, doc


class Audit(Section):
    key_file: Annotated[str | None, doc(
        "the HMAC key signing checkpoints (default: audit.key in the config dir; INCIDENTDESK_AUDIT_KEY wins)")] = None
    checkpoint_file: Annotated[str | None, doc(
        "where checkpoints are appended (default: audit-checkpoints.jsonl in the data dir)")] = None
    syslog: Annotated[bool, doc("also log each checkpoint's summary to syslog (auth facility)")] = False
