"""queue_position: a row's place in the filtered queue, for every sort (the console's "101–200 of 235")."""

from __future__ import annotations

import pytest

from incidentdesk.domain.enums import Role
from incidentdesk.services import directory
from incidentdesk.services import incidents as svc
from incidentdesk.store import queries
from incidentdesk.store.position import queue_position
from incidentdesk.store.rows import QueueFilter

LEVELS = ("high", "medium", "low")


@pytest.fixture
def queue(db, make_ctx, clock):
    admin = make_ctx("adm", Role.ADMIN)
    directory.add_group(admin, "Service Desk", tier=1)
    ann = make_ctx("ann", Role.RESPONDER, groups=("Service Desk",))
    for i in range(14):
        svc.log_incident(ann, svc.Intake(title=f"thing {i}", impact=LEVELS[i % 3], urgency=LEVELS[i // 3 % 3],
                                         group="Service Desk" if i % 2 else None))
        if i % 4 == 0:
            clock.advance(minutes=3)  # some share a creation time, so ties are broken by id
    return db


def _everything(db, flt: QueueFilter) -> list:
    rows, page = [], queries.queue_page(db, flt, limit=5)
    while True:
        rows += page.rows
        if not page.has_more:
            return rows
        page = queries.queue_page(db, flt, after=page.rows[-1].cursor(flt.sort), limit=5)


@pytest.mark.parametrize("sort", ["priority", "newest", "updated", "due"])
def test_position_is_the_rows_index_in_the_filtered_order(queue, sort):
    for flt in (QueueFilter(sort=sort), QueueFilter(sort=sort, group="Service Desk")):
        rows = _everything(queue, flt)
        assert len(rows) == (14 if flt.group is None else 7)
        assert [queue_position(queue, flt, r.cursor(sort)) for r in rows] == list(range(len(rows)))
