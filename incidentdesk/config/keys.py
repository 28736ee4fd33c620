"""`[keys]`: the console's key bindings remapped, binding id = key ("incident.acknowledge" = "A").

A table of strings rather than a Struct: the binding ids belong to the console (tui/), which the
config may not import; the console says which ids it knows.
"""

from __future__ import annotations

from typing import Annotated

from incidentdesk.config.base import doc

Keys = Annotated[dict[str, str], doc('binding id = key, e.g. "incident.acknowledge" = "A" (ids: `incidentdesk config keys`; an unknown id is refused)')]
