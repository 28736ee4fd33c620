"""The console never freezes on a timer, and leaves cleanly on SIGTERM or a hangup (SSH drops)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import termios
import textwrap
import time
from pathlib import Path

import pytest

from tests.support.terminal import BINARY, PtyConsole, console_env, desk_for_os_login, wait_until_live

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str, limit: float, *args: str) -> subprocess.CompletedProcess:
    """Run `code` in a child (a spinning event loop there cannot hang the test run); raises TimeoutExpired."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=limit, env=env, cwd=REPO)


TIMER_APP = """
    import sys
    from textual.app import App
    if sys.argv[1] == "guarded":
        from incidentdesk.tui.lifecycle import guard_timers
        guard_timers()

    class A(App):
        def on_mount(self):
            self.set_timer(-0.0017, self.exit)  # what a toast whose time ran out asks for

    A().run(headless=True)
    print("exited")
"""


def test_textual_still_spins_on_a_negative_timer_interval():
    """Why guard_timers exists. If this fails, Textual no longer spins there and the guard can go."""
    with pytest.raises(subprocess.TimeoutExpired):
        run_python(TIMER_APP, 3.0, "raw")


def test_guarded_timer_with_a_negative_interval_fires_at_once():
    done = run_python(TIMER_APP, 30.0, "guarded")
    assert done.returncode == 0 and "exited" in done.stdout, done.stderr


def test_console_survives_a_toast_that_expired_before_it_was_shown(tmp_path):
    """The freeze: `/` opened just as a warning's 5 s ran out, so Toast.__init__ read a time left of
    -0.0017 s (ToastRack.show had checked it a moment earlier). The console must carry on."""
    code = """
        import asyncio, sys, time
        from pathlib import Path
        from textual.notifications import Notification
        from textual.widgets._toast import Toast
        from tests.support.clock import Clock
        from tests.support.desk import build, make_app, open_db

        async def main():
            clock = Clock()
            db = open_db(Path(sys.argv[1]))
            build(db, clock)
            app = make_app(db, "tess", clock)
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause()
                await pilot.press("slash")
                note = Notification("Select an incident first", "", "warning", 5.0)
                note.raised_at = time.time() - 5.0017
                toast = Toast(note)
                assert toast._timeout < 0, toast._timeout
                await app.screen.mount(toast)
                for _ in range(100):
                    await pilot.pause(0.02)
                    if not toast.is_attached:
                        break
                await pilot.press("escape")
                await pilot.pause()
                print("expired" if not toast.is_attached else "still shown", type(app.screen).__name__)
            db.dispose()

        asyncio.run(main())
    """
    try:
        done = run_python(code, 40.0, str(tmp_path / "desk.db"))
    except subprocess.TimeoutExpired:
        pytest.fail("the console froze: a timer with a negative interval spun the event loop")
    assert done.returncode == 0, done.stderr
    assert "expired MainScreen" in done.stdout, done.stdout + done.stderr


def _restored(modes, cooked) -> bool:
    lflag = modes[3]
    return bool(lflag & termios.ECHO) and bool(lflag & termios.ICANON) and modes[3] == cooked[3]


@pytest.fixture
def console(tmp_path):
    db, url, keys = desk_for_os_login(tmp_path)
    started: list[PtyConsole] = []

    def start(**options) -> PtyConsole:
        term = PtyConsole([BINARY, "--db", url], console_env(tmp_path), **options)
        started.append(term)
        term.wait_for(keys["vpn"])
        wait_until_live(term, db, keys, f"live{len(started)}")  # the feed (and the sweeper) are running
        return term

    yield start
    for term in started:
        term.close()
    db.dispose()


def _gone_within(term: PtyConsole, seconds: float) -> float:
    start = time.monotonic()
    try:
        term.proc.wait(seconds)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the console is still running {seconds} s after the signal") from None
    return time.monotonic() - start


def test_sigterm_exits_cleanly_and_restores_the_terminal(console):
    term = console()
    assert not _restored(term.modes(), term.cooked)  # the console has the terminal in raw mode
    mark = term.mark()
    term.proc.send_signal(signal.SIGTERM)
    _gone_within(term, 3.0)
    assert term.proc.returncode == 128 + signal.SIGTERM, term.proc.returncode  # exited, not killed
    after = term.since_once_shown(mark, "\x1b[?1049l", "\x1b[?25h")
    assert "\x1b[?1049l" in after, "still on the alternate screen"
    assert "\x1b[?25h" in after, "cursor left hidden"
    assert _restored(term.modes(), term.cooked), "terminal left in raw mode: the user would need `reset`"


@pytest.mark.parametrize("sighup", ["default", "ignored"])
def test_hangup_leaves_no_process_behind(console, sighup):
    """SSH drops: the terminal goes away. Also when whatever started the console ignores SIGHUP
    (nohup, some wrappers): Textual's input thread would then read end-of-file for ever, at 100% CPU."""
    term = console(ignore_sighup=sighup == "ignored")
    term.hang_up()
    _gone_within(term, 3.0)
    with pytest.raises(ProcessLookupError):  # and nothing it started lives on in its session
        os.killpg(term.proc.pid, 0)


@pytest.mark.parametrize("value", ["-1", "0.0001", "nan", '"soon"'])
def test_a_bad_sweep_interval_is_refused_with_one_line(tmp_path, value):
    """The console's own timers come from settings too: a negative or tiny one is refused at start (exit 2, a bad
    config, as for every command)."""
    db, url, _ = desk_for_os_login(tmp_path)
    db.dispose()
    config = tmp_path / "incidentdesk.toml"
    config.write_text(f"[console]\nsla_sweep_seconds = {value}\n")
    done = subprocess.run([BINARY, "--db", url, "--config", str(config)], capture_output=True, text=True,
                          timeout=30, env=console_env(tmp_path), stdin=subprocess.DEVNULL)
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "[console] sla_sweep_seconds" in lines[0] and "0.5 to 86400" in lines[0], done.stderr


def test_the_timer_guard_still_fits_textuals_timer():
    """guard_timers wraps Timer.__init__(self, event_target, interval, ...): if Textual renames or moves
    `interval`, or stops storing it as `_interval`, the guard would clamp nothing; this says so."""
    import inspect

    from textual.timer import Timer

    from incidentdesk.tui.lifecycle import MIN_TIMER_SECONDS, guard_timers

    guard_timers()
    params = list(inspect.signature(Timer.__init__).parameters)
    assert params[:3] == ["self", "event_target", "interval"]
    class Target:  # a timer holds a weak reference to what it wakes; it is never started here
        pass

    target = Target()
    assert Timer(target, -0.5)._interval == MIN_TIMER_SECONDS  # Textual's own attribute, read only here
    assert Timer(target, 2.0)._interval == 2.0
