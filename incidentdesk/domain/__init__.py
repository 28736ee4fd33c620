"""Pure rules of incident management: no I/O, no database, no UI.

Everything here is importable and testable on its own; services/ applies these rules
inside transactions, tui/ only displays their results.
"""
