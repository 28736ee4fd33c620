"""The incident detail's links and known errors: the same from SQLAlchemy (both backends) and plain sqlite3."""

from __future__ import annotations

from incidentdesk.services import incidents as svc
from incidentdesk.services import links, problems
from incidentdesk.store import plainsql, queries
from incidentdesk.store.fastpath import connect


def test_detail_names_known_errors_parent_and_children(db, make_ctx, tmp_path):
    ann = make_ctx("ann")
    log = lambda title, **kw: svc.log_incident(ann, svc.Intake(title=title, impact="low", urgency="low", **kw))  # noqa: E731
    parent, child = log("VPN down", ci="vpn-gw"), log("VPN down for me", ci="vpn-gw")
    matching = log("VPN flaky", ci="vpn-gw")
    links.link_parent(ann, child, parent=parent)
    prb = problems.create_problem(ann, incidents=[parent])
    problems.mark_known_error(ann, problem=prb, workaround="reconnect to vpn2.example.com")
    d = queries.incident_detail(db, parent)
    assert d.children == (child,) and d.known_errors == ((prb, "VPN down", "reconnect to vpn2.example.com", True),)
    c = queries.incident_detail(db, child)
    assert (c.folded_under, c.link_kind, c.parent_id) == (parent, "child", d.id)
    assert queries.incident_detail(db, matching).known_errors == (
        (prb, "VPN down", "reconnect to vpn2.example.com", False),)
    if db.engine.dialect.name == "sqlite":   # `show` and the console's first screen read the same through sqlite3
        conn = connect(__import__("pathlib").Path(db.engine.url.database))
        try:
            for key in (parent, child, matching):
                plain, _ = plainsql.incident_detail(conn, key)
                assert plain == queries.incident_detail(db, key)
        finally:
            conn.close()
    assert queries.incident_detail(db, parent).to_json()["known_errors"][0][0] == prb
