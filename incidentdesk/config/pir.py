"""`[pir]`: post-incident reviews (services/pir.py) — whether a major incident needs one to close."""

from __future__ import annotations

from typing import Annotated

from incidentdesk.config.base import Section, doc


class Pir(Section):
    required: Annotated[bool, doc(
        "a major incident cannot be closed until its post-incident review is complete "
        "(a summary and at least one contributing cause)")] = True
