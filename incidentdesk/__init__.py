"""incidentdesk: a keyboard-first terminal console for ITIL incident management."""

__version__ = "0.1.0"
