"""Private files, as ssh treats keys: an unsafe database file is refused with one line; a config
holding tokens that others can read gets a warning. (SQLite files only: PostgreSQL has no file here.)"""

from __future__ import annotations

import os
import sqlite3

import pytest

from incidentdesk.cli import main
from incidentdesk.config import load_config
from incidentdesk.domain.errors import ValidationError
from incidentdesk.store.engine import open_database
from incidentdesk.store.migrate import ensure_schema


@pytest.fixture
def cli(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INCIDENTDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("INCIDENTDESK_DATABASE_URL", raising=False)

    def run(url: str, *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--db", url, *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def _database(path) -> str:
    url = f"sqlite:///{path}"
    db = open_database(url)
    ensure_schema(db.engine)
    db.dispose()
    return url


@pytest.mark.parametrize("mode,words", [(0o666, "readable and writable by the group and readable and writable by "
                                                "others (mode 0666)"),
                                        (0o644, "readable by the group and readable by others (mode 0644)"),
                                        (0o620, "writable by the group (mode 0620)")])
def test_an_open_database_file_is_refused(tmp_path, cli, mode, words):
    path = tmp_path / "desk.db"
    url = _database(path)
    os.chmod(path, mode)
    code, out, err = cli(url, "list")  # the CLI (and the console) read a current file before SQLAlchemy opens it
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"refusing to use {path}: it is {words}" in err and f"run `chmod 600 {path}`" in err
    with pytest.raises(ValidationError, match="refusing to use"):
        open_database(url)
    assert oct(path.stat().st_mode & 0o777) == oct(mode)  # refused, not silently repaired


def test_group_shared_allows_the_group(tmp_path, cli):
    path = tmp_path / "desk.db"
    url = _database(path)
    os.chmod(path, 0o660)
    with pytest.raises(ValidationError, match="0660 with sqlite_group_shared"):
        open_database(url)
    open_database(url, group_shared=True).dispose()
    os.chmod(path, 0o664)
    with pytest.raises(ValidationError, match=r"readable by others \(mode 0664\).*private to its owner and group"):
        open_database(url, group_shared=True)


def test_an_open_wal_file_is_refused(tmp_path, cli):
    path = tmp_path / "desk.db"
    url = _database(path)
    wal = tmp_path / "desk.db-wal"
    wal.write_bytes(b"")
    os.chmod(wal, 0o666)
    code, _, err = cli(url, "list")
    assert code == 1 and f"refusing to use {wal}" in err


def test_a_dangling_symlink_is_one_line(tmp_path, cli):
    link = tmp_path / "desk.db"
    link.symlink_to(tmp_path / "gone" / "real.db")
    code, out, err = cli(f"sqlite:///{link}", "list")
    assert code == 1 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert f"the database path {link} is a symbolic link to {tmp_path / 'gone' / 'real.db'}, which does not exist" in err


def test_a_symlink_to_a_private_database_works(tmp_path, cli):
    real = tmp_path / "real.db"
    _database(real)
    link = tmp_path / "desk.db"
    link.symlink_to(real)
    code, out, _ = cli(f"sqlite:///{link}", "list")
    assert code == 0 and out.strip() == "no incidents match"


def test_a_directory_is_one_line(tmp_path, cli):
    (tmp_path / "desk.db").mkdir()
    code, _, err = cli(f"sqlite:///{tmp_path / 'desk.db'}", "list")
    assert code == 1 and "is not a file (a directory?)" in err and err.count("\n") == 1


def test_a_new_database_is_created_private(tmp_path, cli):
    old = os.umask(0)
    try:
        code, _, _ = cli(f"sqlite:///{tmp_path / 'new.db'}", "list")
    finally:
        os.umask(old)
    assert code == 0 and oct((tmp_path / "new.db").stat().st_mode & 0o777) == "0o600"


def test_foreign_file_created_by_sqlite3_is_refused_until_made_private(tmp_path):
    path = tmp_path / "other.db"
    old = os.umask(0o022)
    try:
        sqlite3.connect(path).close()
    finally:
        os.umask(old)
    with pytest.raises(ValidationError, match="mode 0644"):
        open_database(f"sqlite:///{path}")


SECRET_CONFIG = '[ingest.integrations.prom]\nformat = "alertmanager"\ntoken = "s3cret"\n'


@pytest.mark.parametrize("body,mode,warned", [
    (SECRET_CONFIG, 0o644, True), (SECRET_CONFIG, 0o640, True), (SECRET_CONFIG, 0o600, False),
    ('[database]\nurl = "postgresql+psycopg://desk:pw@db/desk"\n', 0o644, True),
    ('[database]\nurl = "postgresql+psycopg://desk@db/desk"\n', 0o644, False),
    ('[ingest.integrations.prom]\nformat = "alertmanager"\ntoken_env = "AM_TOKEN"\n', 0o644, False),
])
def test_config_holding_secrets_readable_by_others_is_warned_about(tmp_path, capsys, body, mode, warned):
    path = tmp_path / "incidentdesk.toml"
    path.write_text(body)
    os.chmod(path, mode)
    load_config(path)
    err = capsys.readouterr().err
    if warned:
        assert err.count("\n") == 1 and err.startswith(f"incidentdesk: warning: {path} holds secrets")
        assert f"run `chmod 600 {path}`" in err and f"(mode 0{mode:o})" in err
    else:
        assert err == ""
