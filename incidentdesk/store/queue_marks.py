"""The queue row's marks computed in SQL: recurring (↻) and how many incidents are folded under it.

Recurring is SQL text per backend (store/recurring_sql.py, shared with the plain-sqlite3 fast
path), wrapped here as a column expression that compiles to that text; folded is an ordinary
correlated count read along ix_incidents_parent (store/queries.fold_counts says what folding hides
from a view: "14 folded under 3 parents").
"""

from __future__ import annotations

from sqlalchemy import Boolean, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from incidentdesk.store.models import Incident
from incidentdesk.store.recurring_sql import recurring_sql


class Recurring(ColumnElement):
    """domain/recurring.py's rule for the row being read (outer table `incidents`)."""

    type = Boolean()
    inherit_cache = True   # cached by its two numbers (below): compiled once per shape, like any statement
    _traverse_internals = [("count", InternalTraversal.dp_plain_obj), ("days", InternalTraversal.dp_plain_obj),
                           ("by_category", InternalTraversal.dp_plain_obj)]

    def __init__(self, count: int, days: int, by_category: bool = True) -> None:
        self.count, self.days, self.by_category = int(count), int(days), bool(by_category)


@compiles(Recurring)
def _compile_recurring(element: Recurring, compiler, **kw) -> str:
    return recurring_sql(compiler.dialect.name, element.count, element.days, element.by_category)


_child = aliased(Incident, name="folded")
FOLDED = (select(func.count()).select_from(_child)
          .where(_child.parent_id == Incident.id, _child.is_open.is_(True)).scalar_subquery())
