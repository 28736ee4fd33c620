"""What a login, a display name or a group name may be: checked when it is entered.

Names are shown everywhere (queue, pickers, toasts, the header, CLI output), so a name that
carries a terminal escape sequence, a bidi override or a zero-width character is refused at
the door, with a message naming the character, instead of being neutralised at every place
that shows it (those places render stored text literally anyway: domain/text.py). A login is
one word; display and group names may have spaces. Lengths: domain/limits.py.
"""

from __future__ import annotations

from incidentdesk.domain import limits
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.text import unsafe_characters

_WHAT = {"login": "a login", "acting_as": "the --as login", "assignee": "a login", "commander": "a login",
         "manager": "a manager login", "to_person": "a login", "name": "a display name", "group": "a group name",
         "default_group": "a group name", "owner_group": "a group name", "service": "a service name",
         "category": "a category"}


def _refuse_unsafe(value: str, field: str, *, allow_space: bool) -> None:
    found = unsafe_characters(value, allow_space=allow_space)
    if found:
        what = _WHAT.get(field, field)
        rule = f"{what} is one word: it may not contain spaces," if not allow_space else f"{what} may not contain"
        raise ValidationError(f"{rule} control, bidi or invisible characters (found {', '.join(found[:5])}); "
                              "type it again without them", field=field)


def check_login(value: str | None, field: str = "login") -> str:
    """A login: one word (no spaces), no control/bidi/invisible characters, within its length."""
    login = (value or "").strip()
    if not login:
        raise ValidationError(f"{_WHAT.get(field, field)} is required", field=field)
    _refuse_unsafe(login, field, allow_space=False)
    limits.check(field, login)
    return login


def check_name(value: str | None, field: str, *, required: bool = True) -> str:
    """A display, group, service or category name: printable (spaces allowed), within its length."""
    name = (value or "").strip(" ")
    if not name:
        if required:
            raise ValidationError(f"{_WHAT.get(field, field)} is required", field=field)
        return ""
    _refuse_unsafe(name, field, allow_space=True)
    limits.check(field, name)
    return name
