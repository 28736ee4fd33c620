from incidentdesk.domain.enums import Role
from incidentdesk.services import incidents as svc
from incidentdesk.store import queries


def test_log_and_acknowledge_round_trip(db, make_ctx):
    ctx = make_ctx("alice", Role.RESPONDER, groups=("Service Desk",))
    key = svc.log_incident(ctx, svc.Intake(title="Mail down", impact="high", urgency="medium", group="Service Desk"))
    svc.acknowledge(ctx, key)
    detail = queries.incident_detail(db, key)
    assert detail.priority == 2
    assert detail.status == "acknowledged"
    assert [e.kind for e in detail.timeline] == ["acknowledged", "created"]
    assert list(queries.verify_audit(db)) == []
