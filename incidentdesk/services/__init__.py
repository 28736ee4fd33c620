"""The use cases — the only code that writes.

Each public function is one transaction: check the actor's permission, change state,
append a timeline event. The CLI, the console and alert ingestion all call these.
"""
