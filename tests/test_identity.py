"""Identity is the process's uid (its passwd entry), never LOGNAME/USER; changes to people are audited.

The subprocess tests run the real command as a hostile user on the same host would: with
LOGNAME and USER set to an admin's login.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import threading
from dataclasses import replace

import pytest
from sqlalchemy import select

from incidentdesk.cli import main
from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import ValidationError
from incidentdesk.services import context, directory
from incidentdesk.services.context import os_login
from incidentdesk.store import audit as audit_store
from incidentdesk.store import queries
from incidentdesk.store.engine import open_database
from incidentdesk.store.models import DirectoryEvent

REAL = pwd.getpwuid(os.getuid()).pw_name


def _run(db_url: str, config, *args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "INCIDENTDESK_CONFIG": str(config), "LOGNAME": "adm", "USER": "adm", **(env_extra or {})}
    env.pop("INCIDENTDESK_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "incidentdesk", "--db", db_url, *args], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def hostile(db, make_ctx, tmp_path):
    """`adm` is an admin in the directory; the OS login running the tests is not in it at all."""
    assert REAL != "adm"
    make_ctx("adm", Role.ADMIN)
    make_ctx("ann", Role.RESPONDER)
    config = tmp_path / "incidentdesk.toml"
    config.write_text("")
    return db, config


def test_logname_does_not_make_anyone_an_admin(hostile):
    db, config = hostile
    done = _run(db.url, config, "users", "add", "x", "--role", "admin")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.strip() == (f"incidentdesk: {REAL} (responder) may not manage users: it needs the admin role "
                                   "or higher; ask an admin")
    assert "x" not in {p.login for p in queries.list_people(db)}


def test_the_real_login_recorded_is_the_uids(hostile):
    db, config = hostile
    config.write_text("[general]\nallow_acting_as = true\n")
    done = _run(db.url, config, "--as", "ann", "new", "--title", "printer", "--impact", "low", "--urgency", "low")
    assert done.returncode == 0, done.stderr
    event = queries.incident_detail(db, done.stdout.strip()).timeline[0]
    assert (event.actor, event.real_actor) == ("ann", REAL)


def test_acting_as_still_needs_the_setting(hostile):
    db, config = hostile
    done = _run(db.url, config, "--as", "adm", "users", "add", "x", "--role", "admin")
    assert done.returncode == 1
    assert "--as adm is not allowed: set allow_acting_as = true" in done.stderr


def test_a_uid_without_passwd_entry_is_uid_n(monkeypatch):
    free = next(uid for uid in range(4_000_000, 4_001_000) if not _has_entry(uid))
    monkeypatch.setattr(context.os, "getuid", lambda: free)
    monkeypatch.setenv("LOGNAME", "adm")
    monkeypatch.setenv("USER", "adm")
    assert os_login() == f"uid:{free}"


def _has_entry(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


def test_directory_changes_are_in_a_chained_trail(db, make_ctx, clock):
    admin = make_ctx("adm", Role.ADMIN)
    admin = replace(admin, actor=replace(admin.actor, real_login="root-on-host"))
    directory.add_group(admin, "Platform SRE", tier=2, manager="mgr")
    directory.add_user(admin, "bob", role="responder", name="Bob B", groups=["Platform SRE"])
    clock.advance(minutes=5)
    directory.add_user(admin, "bob", role="triage_captain")
    directory.add_user(admin, "bob", role="triage_captain")  # no change: nothing recorded
    with pytest.raises(ValidationError, match="unknown group"):
        directory.add_user(admin, "bob", role="admin", groups=["Nope"])  # refused: not recorded either
    history = audit_store.directory_history(db, subject="bob")
    assert [(h.kind, h.actor, h.real_actor) for h in history] == [
        ("user_added", "adm", "root-on-host"), ("user_changed", "adm", "root-on-host")]
    assert history[0].after == {"name": "Bob B", "role": "responder", "groups": ["Platform SRE"]}
    assert (history[1].before["role"], history[1].after["role"]) == ("responder", "triage_captain")
    assert history[1].at == clock.now
    with db.read() as s:
        records = list(s.scalars(select(DirectoryEvent).order_by(DirectoryEvent.seq)))
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert all(r.prev_hash == p.hash for p, r in zip(records, records[1:]))
    assert [r.subject for r in records if r.subject_type == "group"] == ["Platform SRE"]
    assert list(queries.verify_audit(db)) == []


def test_audit_people_command(db, make_ctx, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENTDESK_CONFIG", str(tmp_path / "none.toml"))
    admin = make_ctx("adm", Role.ADMIN)
    directory.add_user(admin, "eve", role="responder")
    directory.add_user(admin, "eve", role="admin")
    assert main(["--db", db.url, "audit", "people", "eve"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "user_added" in lines[0] and "role='responder'" in lines[0]
    assert "user_changed" in lines[1] and "adm" in lines[1] and "role 'responder' -> 'admin'" in lines[1]
    assert main(["--db", db.url, "audit", "people", "--limit", "1"]) == 0
    assert capsys.readouterr().out.count("\n") == 1


def test_two_admins_at_once_keep_one_chain(db, make_ctx):
    """Directory writers queue on the trail's head (on PostgreSQL an advisory lock): no seq twice, no fork."""
    first = make_ctx("adm", Role.ADMIN)
    make_ctx("adm2", Role.ADMIN)
    other = open_database(db.url)
    second = replace(make_ctx("adm2", Role.ADMIN), db=other)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def add(ctx, prefix: str) -> None:
        barrier.wait()
        try:
            for i in range(8):
                directory.add_user(ctx, f"{prefix}{i}", role="responder")
        except Exception as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(c, p)) for c, p in ((first, "a"), (second, "b"))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        other.dispose()
    assert errors == []
    assert len([h for h in audit_store.directory_history(db) if h.kind == "user_added"]) >= 16
    assert list(queries.verify_audit(db)) == []
