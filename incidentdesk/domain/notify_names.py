"""The names a `[[notify.rule]]` may use: the events it fires on and the people it sends to.

Apart from the rules' parser (domain/notify_rules.py) so that the config schema can name them in
its help without importing the parser and its types: every command validates the config at
start, and a site without `[notify]` should not pay for the notification machinery.
"""

from __future__ import annotations

# The events a rule may name: the timeline's kinds (SLA events split by what they record), and the
# major-incident kinds the coordination features record.
EVENT_NAMES = (
    "created", "acknowledged", "started", "assigned", "reprioritised", "escalated", "held", "resumed",
    "resolved", "closed", "reopened", "cancelled", "comment", "alert", "sla_at_risk", "sla_breached",
    "major_declared", "major_stood_down", "command_handed", "stakeholder_update",
)
# `to` entries that are people, not channels: their address comes from [notify.addresses].
# "oncall": the incident's group's current on-call (store/oncall.py); "manager": that group's manager.
PEOPLE = ("assignee", "group", "reporter", "commander", "oncall", "manager")
LOOKED_UP = ("oncall", "manager")  # read only when a rule for the event names them
