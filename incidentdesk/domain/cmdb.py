"""Configuration items, changes and the category tree, as pure rules: vocabularies, row checks, nearest names.

Imports (services/cmdb_import.py) check every row here before anything is written, so a file is
judged the same on both backends and a rejected row's reason is one line naming its field.
A CI's name is its identity (incidents keep it as text, other areas read it), so it is unique
and never renamed by an import: a re-import with the same name updates that CI.

Dependencies may form cycles (a directory service and the DNS it runs on depend on each other
in real estates): they are tolerated, and every walk over them (store/cmdb.py) keeps a visited set.
A CI that depends on itself is refused: it says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.text import unsafe_characters


class CIType(StrEnum):
    SERVER = "server"
    APPLICATION = "application"
    DATABASE = "database"
    NETWORK = "network"
    LAPTOP = "laptop"
    DESKTOP = "desktop"
    STORAGE = "storage"
    CONTAINER = "container"
    SERVICE = "service"
    OTHER = "other"


class Criticality(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class ChangeStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ROLLED_BACK = "rolled_back"


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# column -> (what people call it, most characters); the columns in store/cmdb_models.py match.
CMDB_LIMITS: dict[str, tuple[str, int]] = {
    "name": ("CI name", 200), "service": ("service", 200), "owner": ("owner", 100),
    "location": ("location", 200), "title": ("change title", 500), "implementer": ("implementer login", 64),
    "ref": ("change tool reference", 100),
}

CI_FIELDS = ("name", "type", "service", "owner", "location", "criticality", "description", "depends_on")
CHANGE_FIELDS = ("key", "ref", "title", "status", "risk", "implementer", "cis", "planned_start", "planned_end",
                 "actual_start", "actual_end", "description")
_KEY = re.compile(r"^\s*CHG-?0*(\d+)\s*$", re.IGNORECASE)


def format_change_key(number: int) -> str:
    return f"CHG-{number:06d}"


def parse_change_key(text: str) -> int:
    """CHG-000012, chg-12: the number; anything else is refused."""
    match = _KEY.match(str(text or ""))
    if not match:
        raise ValidationError(f"{text!r} is not a change key: use the form CHG-000012", field="change")
    return int(match.group(1))


def text_value(value: Any, field: str, *, required: bool = False) -> str | None:
    """One line of printable text within the field's limit (None when empty and not required)."""
    if type(value) is str:  # the common case first: imports check every cell of 100,000 rows
        text = value.strip()
        if text and text.isprintable() and len(text) <= CMDB_LIMITS.get(field, (None, 1 << 30))[1]:
            return text
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"{CMDB_LIMITS.get(field, (field,))[0]} is required", field=field)
        return None
    if not isinstance(value, str | int | float):
        raise ValidationError(f"{field} must be text, not {type(value).__name__}", field=field)
    text = str(value).strip()
    bad = [] if text.isprintable() else unsafe_characters(text, allow_space=True)  # fast path: imports are big
    if bad:
        raise ValidationError(f"{field} has control, bidi or invisible characters ({', '.join(bad[:3])})", field=field)
    if field in CMDB_LIMITS and len(text) > CMDB_LIMITS[field][1]:
        label, most = CMDB_LIMITS[field]
        raise ValidationError(f"the {label} is {len(text)} characters long; the limit is {most}", field=field)
    return text


_VALUES: dict[type, frozenset[str]] = {}


def _values(enum_cls: type[StrEnum]) -> frozenset[str]:
    """An enum's values, looked up once (imports check 100,000 rows: enum member access is slow)."""
    if enum_cls not in _VALUES:
        _VALUES[enum_cls] = frozenset(m.value for m in enum_cls)
    return _VALUES[enum_cls]


def choice(enum_cls: type[StrEnum], value: Any, field: str, default: StrEnum | None = None) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise ValidationError(f"{field} is required: one of {', '.join(m.value for m in enum_cls)}", field=field)
        return default.value
    text = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    if text in _values(enum_cls):
        return text
    raise ValidationError(f"unknown {field} {str(value).strip()!r}: use one of {', '.join(m.value for m in enum_cls)}",
                          field=field)


def name_list(value: Any, field: str) -> list[str]:
    """A list of CI names: a JSON list, or text separated by ';' or ',' (CSV cells)."""
    if value is None:
        return []
    if isinstance(value, str):
        items = re.split(r"[;,]", value)
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValidationError(f"{field} must be a list of CI names", field=field)
    out: list[str] = []
    for item in items:
        name = text_value(item, "name")
        if name and name not in out:
            out.append(name)
    return out


_CI_FIELD_SET = frozenset(CI_FIELDS)


def check_ci_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """One imported CI, checked and normalised (owner and dependencies are checked against the database later)."""
    unknown = sorted(set(row) - _CI_FIELD_SET) if not _CI_FIELD_SET.issuperset(row) else ()
    if unknown:
        raise ValidationError(f"unknown column(s) {', '.join(unknown)}: columns are {', '.join(CI_FIELDS)}")
    name = text_value(row.get("name"), "name", required=True)
    depends = name_list(row.get("depends_on"), "depends_on")
    if name in depends:
        raise ValidationError(f"{name} depends on itself", field="depends_on")
    return {
        "name": name, "type": choice(CIType, row.get("type"), "type", CIType.OTHER),
        "service": text_value(row.get("service"), "service"), "owner": text_value(row.get("owner"), "owner"),
        "location": text_value(row.get("location"), "location"),
        "criticality": choice(Criticality, row.get("criticality"), "criticality", Criticality.MEDIUM),
        "description": str(row.get("description") or "").strip(), "depends_on": depends,
    }


def check_window(start: datetime | None, end: datetime | None, what: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError(f"the {what} window ends before it starts", field=f"{what}_end")


def nearest(value: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known names most like `value`: close spellings first, then ones containing what was typed."""
    import difflib  # only when refusing a category: not at start-up

    known = list(known)
    by_lower = {k.lower(): k for k in known}
    close = [by_lower[m] for m in difflib.get_close_matches(value.lower(), list(by_lower), n=n, cutoff=0.5)]
    leaf = value.rsplit("/", 1)[-1].strip().lower()
    containing = [k for k in known if leaf and leaf in k.lower() and k not in close]
    return (close + containing)[:n]


def unknown_category(value: str, known: Iterable[str], retired: Iterable[str] = ()) -> ValidationError:
    """The refusal of a category that is not in the tree (or retired), with the nearest ones that are."""
    if value in set(retired):
        why = f"category {value!r} is retired: pick a current one"
    else:
        why = f"unknown category {value!r}"
    near = nearest(value, known)
    hint = f"; nearest: {', '.join(near)}" if near else "; `incidentdesk categories list` shows them"
    return ValidationError(why + hint, field="category")


def fuzzy_rank(query: str, names: Iterable[str], n: int = 5) -> list[str]:
    """The console picker's matches for what is typed, best first (case-insensitive).

    A prefix beats a word that starts with it ("vpn" → "Network/VPN"), which beats text found
    inside, which beats the letters in order with gaps, the first at a word's start ("ntvpgp" →
    "Network/VPN/GlobalProtect");
    shorter paths first among equals. Nothing typed: the first names as given.
    """
    q = query.strip().lower()
    names = list(names)
    if not q:
        return names[:n]
    scored = []
    for name in names:
        low = name.lower()
        if low.startswith(q):
            rank = 0
        elif any(w.startswith(q) for w in re.split(r"[/\s_.-]+", low)):
            rank = 1
        elif q in low:
            rank = 2
        elif _in_order(q, low) and any(w.startswith(q[0]) for w in re.split(r"[/\s_.-]+", low)):
            rank = 3  # the letters in order, starting at the start of a word
        else:
            continue
        scored.append((rank, len(name), name))
    return [name for _, _, name in sorted(scored)[:n]]


def _in_order(q: str, text: str) -> bool:
    it = iter(text)
    return all(ch in it for ch in q if not ch.isspace())
