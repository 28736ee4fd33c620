"""Widgets of the major-incident screen (tui/screens/major.py)."""
