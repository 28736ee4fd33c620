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
from tests.support.clock import Clock
from tests.support.desk import build, ctx_for, open_db

BINARY = str(Path(sys.executable).with_name("incidentdesk"))


def console_env(tmp_path: Path) -> dict[str, str]:
    """No config or data from the home directory; no colour negotiation surprises."""
    env = dict(os.environ)
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"), TERM="xterm-256color")
    env.pop("INCIDENTDESK_CONFIG", None)
    env.pop("INCIDENTDESK_DATABASE_URL", None)
    for name in ("COLUMNS", "LINES"):  # Textual sizes itself by these when set (a parallel test run sets them)
        env.pop(name, None)
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


def wait_until_live(term: PtyConsole, db, keys: dict, login: str, limit: float = 20.0) -> None:
    """Assign the desk's VPN incident to a new person `login` from outside the console and wait until
    the console shows that name: then its database is open and its change feed delivers changes."""
    from incidentdesk.services import incidents as svc

    clock = Clock()
    directory.add_user(ctx_for(db, "root-setup", clock), login, groups=["Network Operations"])
    mark = term.mark()
    svc.assign(ctx_for(db, "tess", clock), keys["vpn"], user=login)
    deadline = time.monotonic() + limit
    while login not in term.since(mark):
        if time.monotonic() > deadline or term.proc.poll() is not None:
            raise AssertionError(f"the console did not show {login!r} within {limit} s (exit {term.proc.poll()})")
        time.sleep(0.05)


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


class PtyConsole:
    """The console on a pseudo-terminal of its own, as sshd gives it: session leader, controlling tty.

    Output is drained by a thread (a full pty would block the console); closing the master side is
    what a dropped SSH link does: the kernel hangs the terminal up and sends SIGHUP.
    """

    def __init__(self, argv: list[str], env: dict[str, str], *, ignore_sighup: bool = False,
                 size: tuple[int, int] = (120, 36)) -> None:
        import fcntl
        import pty
        import signal
        import struct
        import termios
        import threading

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.cooked = termios.tcgetattr(slave)

        def child_setup() -> None:  # after setsid: make the pty the controlling terminal
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            if ignore_sighup:
                signal.signal(signal.SIGHUP, signal.SIG_IGN)

        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                                     start_new_session=True, preexec_fn=child_setup)
        self.slave = slave  # kept open to read the terminal's modes after the console is gone
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk

    def text(self) -> str:
        with self._lock:
            return self.output.decode("utf-8", "replace")

    def wait_for(self, text: str, limit: float = 20.0) -> None:
        deadline = time.monotonic() + limit
        while text not in self.text():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"{text!r} not shown within {limit} s (exit {self.proc.poll()}):\n"
                                     f"{self.text()[-2000:]!r}")
            time.sleep(0.1)

    def mark(self) -> int:
        with self._lock:
            return len(self.output)

    def since(self, mark: int) -> str:
        with self._lock:
            return bytes(self.output[mark:]).decode("utf-8", "replace")

    def since_once_shown(self, mark: int, *texts: str, limit: float = 5.0) -> str:
        """The output after `mark`, as soon as it holds every one of `texts` (the drain thread may still
        be reading what the console wrote last), or all there is after `limit` seconds."""
        deadline = time.monotonic() + limit
        while not all(t in self.since(mark) for t in texts) and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.since(mark)

    def modes(self):
        import termios

        return termios.tcgetattr(self.slave)

    def hang_up(self) -> None:
        os.close(self.master)
        self.master = -1
        os.close(self.slave)
        self.slave = -1

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        for fd in (self.master, self.slave):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
