"""Helpers the tests share, in one place: test modules import from here, never from each other.

Fixtures stay in the conftest.py files (pytest finds them there); the functions and classes
those fixtures and the tests use live in this package, one module per kind of helper:
clock, db (the PostgreSQL/SQLite plumbing), desk (the console's fixed scenario), tui
(Pilot helpers), snapshot (the app the snapshot tests photograph), cli (the command
in-process), receiver and payloads (the alert receiver), proxy (a cuttable TCP link),
terminal (the real binary in tmux or a pty).
"""
