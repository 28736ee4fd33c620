"""Files that must stay private: the SQLite database (and its -wal/-shm), key files, config.

The way ssh treats a private key: a file others can write (or read, where it holds secrets)
is refused, with one line saying what is wrong and the command that fixes it — never
repaired silently, since a database others could write may already have been changed
(`incidentdesk audit verify` says), and never used as it is. A missing database file is
created with the private mode before SQLite opens it. No SQLAlchemy here: the console's fast
start-up path (store/fastpath) checks the file too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from incidentdesk.domain.errors import ValidationError

SIDE_FILES = ("-wal", "-shm", "-journal")


def loose_bits(mode: int, allowed: int) -> int:
    """The read/write permission bits of `mode` beyond `allowed` (execute bits are not a risk here)."""
    return stat.S_IMODE(mode) & 0o666 & ~allowed


def who_may(bits: int) -> str:
    """`bits` in words: "writable by others", "readable by the group", ..."""
    parts = []
    for who, read, write in (("the group", stat.S_IRGRP, stat.S_IWGRP), ("others", stat.S_IROTH, stat.S_IWOTH)):
        can = [w for w, b in (("readable", read), ("writable", write)) if bits & b]
        if can:
            parts.append(f"{' and '.join(can)} by {who}")
    return " and ".join(parts)


def database_mode(group_shared: bool) -> int:
    return 0o660 if group_shared else 0o600


def check_database_file(path: Path, group_shared: bool) -> None:
    """Refuse a database path that is unsafe; create the file privately if it is missing."""
    if path.is_symlink() and not path.exists():
        raise ValidationError(
            f"the database path {path} is a symbolic link to {os.readlink(path)}, which does not exist: "
            "point the link at the database file, or remove it to start a new database there", field="database")
    if path.exists():
        _check_existing(path, group_shared)
        return
    _create_private(path, group_shared)


def _check_existing(path: Path, group_shared: bool) -> None:
    if not path.is_file():
        raise ValidationError(f"the database path {path} is not a file (a directory?): give the path of a "
                              "database file with --db sqlite:///path.db", field="database")
    allowed = database_mode(group_shared)
    for candidate in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        try:
            mode = candidate.stat().st_mode
        except FileNotFoundError:
            continue
        bits = loose_bits(mode, allowed)
        if bits:
            shared = " (0660 with sqlite_group_shared = true)" if not group_shared else ""
            raise ValidationError(
                f"refusing to use {candidate}: it is {who_may(bits)} (mode {stat.S_IMODE(mode):04o}); the database "
                f"must be private to its owner{' and group' if group_shared else ''}{shared}. Anyone could have "
                f"changed it: run `chmod {allowed:o} {candidate}`, then `incidentdesk audit verify`", field="database")


def _create_private(path: Path, group_shared: bool) -> None:
    """Create the database file before SQLite does, so it never exists with looser permissions."""
    mode = database_mode(group_shared)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL | os.O_NOFOLLOW, mode)
    except FileExistsError:  # another process created it meanwhile: hold it to the same rules
        check_database_file(path, group_shared)
        return
    except OSError as exc:
        raise ValidationError(f"cannot create the database {path}: {exc.strerror.lower()}; choose another "
                              "path with --db sqlite:///path.db", field="database") from None
    os.close(fd)
    os.chmod(path, mode)


def check_secret_file(path: Path, what: str) -> None:
    """Refuse a file holding a secret (a signing key) that anyone but its owner can read or write."""
    mode = path.stat().st_mode
    bits = loose_bits(mode, 0o600)
    if bits:
        raise ValidationError(
            f"refusing to use the {what} {path}: it is {who_may(bits)} (mode {stat.S_IMODE(mode):04o}); "
            f"it must be private to its owner: run `chmod 600 {path}` (and make a new key if others could read it)")
