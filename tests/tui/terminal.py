"""The real `incidentdesk` console in a terminal: tmux (keys sent as a terminal sends them) or a pty.

Tests here drive the installed binary, not Pilot, so what they prove holds for a user over SSH.
Each tmux test uses a private tmux server (-L), never the user's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from incidentdesk.domain.enums import Role
from incidentdesk.services import directory
from incidentdesk.services.context import os_login
from tests.tui.scenario import Clock, build, ctx_for, open_db

BINARY = str(Path(sys.executable).with_name("incidentdesk"))


def console_env(tmp_path: Path) -> dict[str, str]:
    """No config or data from the home directory; no colour negotiation surprises."""
    env = dict(os.environ)
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"), TERM="xterm-256color")
    env.pop("INCIDENTDESK_CONFIG", None)
    env.pop("INCIDENTDESK_DATABASE_URL", None)
    return env


def desk_for_os_login(tmp_path: Path):
    """The scenario desk in a SQLite file, with the OS login (who the console runs as) a triage captain."""
    clock = Clock()
    path = tmp_path / "desk.db"
    db = open_db(path)
    keys = build(db, clock)
    login = os_login()
    if login not in ("tess", "ana", "chen", "ines", "root-setup"):
        directory.add_user(ctx_for(db, "root-setup", clock), login, role=Role.TRIAGE_CAPTAIN,
                           groups=["Service Desk"])
    return db, f"sqlite:///{path}", keys


class Tmux:
    def __init__(self, tmp_path: Path, width: int = 120, height: int = 36) -> None:
        if shutil.which("tmux") is None:
            pytest.skip("!!! tmux is not installed: the real-terminal test did not run (apt-get install tmux) !!!")
        self.socket = f"incidentdesk-test-{uuid.uuid4().hex[:8]}"
        self.target = "console"
        self.width, self.height = width, height
        self.env = console_env(tmp_path)

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check,
                              env=self.env, timeout=20)

    def start(self, *argv: str) -> None:
        command = " ".join(_quote(a) for a in argv)
        self.tmux("new-session", "-d", "-s", self.target, "-x", str(self.width), "-y", str(self.height), command)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.target, check=False).stdout

    def send(self, *keys: str) -> None:
        """One tmux call: tmux writes all of it to the terminal at once, as a paste or a laggy link does."""
        self.tmux("send-keys", "-t", self.target, *keys)

    def wait_for(self, text: str, limit: float = 15.0) -> str:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen within {limit} s:\n{self.screen()}")

    def close(self) -> None:
        self.tmux("kill-server", check=False)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)
