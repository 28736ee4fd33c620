"""The whole incidentdesk.toml: one field per section, each a Struct in its own module.

Adding a section (say `[notify]`):
  1. a module `incidentdesk/config/notify.py` with `class Notify(Section)` (config/base.py):
     its keys as annotated fields with defaults and `doc(...)` help, checks in `__post_init__`
     (raise `bad(key, value, "what is allowed")`);
  2. one line here: `notify: Notify = Notify()`;
  3. `python -m incidentdesk.config.reference --write` to refresh the README's table (a test holds
     the README to the schema).
Its settings are then `config.schema.notify` for every command, validated at start-up, with
unknown keys refused and `config show` printing them (a secret is masked if its key is one of config/base.py SECRET_KEYS).
"""

from __future__ import annotations

from typing import Annotated

from incidentdesk.config.audit import Audit
from incidentdesk.config.base import Section, doc
from incidentdesk.config.cmdb import Cmdb
from incidentdesk.config.console import Console
from incidentdesk.config.database import Database
from incidentdesk.config.general import General
from incidentdesk.config.handover import Handover
from incidentdesk.config.ingest import Ingest
from incidentdesk.config.keys import Keys
from incidentdesk.config.notify import Notify
from incidentdesk.config.major import Major
from incidentdesk.config.pir import Pir
from incidentdesk.config.problems import Problems
from incidentdesk.config.priority import PriorityMatrix
from incidentdesk.config.sla import Sla


class Schema(Section):
    general: General = General()
    database: Database = Database()
    console: Console = Console()
    keys: Keys = {}
    priority_matrix: Annotated[PriorityMatrix, doc("impact -> urgency -> priority")] = PriorityMatrix()
    sla: Sla = Sla()
    ingest: Ingest = Ingest()
    audit: Audit = Audit()
    notify: Notify = Notify()
    major: Major = Major()
    pir: Pir = Pir()
    handover: Handover = Handover()
    cmdb: Cmdb = Cmdb()
    problems: Problems = Problems()
