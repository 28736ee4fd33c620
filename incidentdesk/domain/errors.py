"""Errors that carry a message fit to show a user as is.

Every message says what happened and, where it can, what to do next: the CLI prints it
on one line, the console shows it as a notification.
"""


class DomainError(Exception):
    """Base for every error a user can cause; never a bug."""


class ValidationError(DomainError):
    """A required field is missing or a value is out of range."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidTransition(DomainError):
    """The lifecycle does not allow this step from the current status."""


class PermissionDenied(DomainError):
    """The actor's role does not allow this action."""


class NotFound(DomainError):
    """No record with that key."""


class EditConflict(DomainError):
    """Someone else changed the record since it was read; nothing was written."""

    def __init__(self, message: str, key: str = "", changed_by: str = "", changed_at=None) -> None:
        super().__init__(message)
        self.key = key
        self.changed_by = changed_by
        self.changed_at = changed_at


class StorageUnavailable(DomainError):
    """The database cannot be reached; the action was not applied."""
