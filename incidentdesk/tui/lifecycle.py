"""Keeping the console alive while it should be, and making it go when it must.

1. Timers never spin. Textual 8.2.8's `Timer._run` loops without ever awaiting when its interval
   is negative: `next_timer` is always in the past, so it "skips" forever, at 100% CPU, with the
   event loop blocked — q, ctrl+q and ctrl+c are never read. A toast produces one: ToastRack.show
   keeps a notification that has not expired yet, then `Toast.__init__` reads `time_left` again a
   moment later, which can by then be a little below zero (-0.0017 s was seen) when a dialog
   opens (screen resume re-shows the toasts) just as a warning's 5 s run out. A zero interval
   fails too (division by zero in the skip). `guard_timers()` makes every Timer's interval at
   least MIN_TIMER_SECONDS, so a late toast simply expires at once; the console's own intervals
   come from constants and a validated setting (`sweep_seconds`).

2. SIGTERM and SIGHUP (the SSH link drops) end the console cleanly: the handler asks the app to
   exit from the event loop, which restores the terminal as on `q`. A watchdog thread bounds
   that: if the process is still there EXIT_GRACE_SECONDS later (an event loop that does not
   answer, a worker stuck on a dead database), it restores the terminal itself (raw mode, the
   alternate screen, mouse reporting) and ends the process, so nothing is left spinning — after a
   hangup Textual's input thread would otherwise read end-of-file in a busy loop. Database work
   is transactional, so ending mid-write leaves nothing half-written.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading

MIN_TIMER_SECONDS = 0.001
EXIT_GRACE_SECONDS = 1.5

# What Textual turns on (mouse modes, bracketed paste, focus events, in-band resize, kitty keys,
# no line wrap, alternate screen, hidden cursor), turned off again.
RESTORE_TERMINAL = ("\x1b[<u\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?2004l\x1b[?1004l"
                    "\x1b[?2048l\x1b[?7h\x1b[?1049l\x1b[?25h")


def guard_timers() -> None:
    """Clamp every Textual Timer's interval to at least MIN_TIMER_SECONDS (idempotent)."""
    from textual.timer import Timer

    original = Timer.__init__
    if getattr(original, "_incidentdesk_guarded", False):
        return

    @functools.wraps(original)
    def __init__(self, event_target, interval, *args, **kwargs):
        try:
            if not interval >= MIN_TIMER_SECONDS:  # negative, zero or NaN
                interval = MIN_TIMER_SECONDS
        except TypeError:
            pass  # not a number: Textual's own error, as before
        original(self, event_target, interval, *args, **kwargs)

    __init__._incidentdesk_guarded = True
    Timer.__init__ = __init__


class ExitOnSignals:
    """While active, SIGTERM and SIGHUP make `app` exit cleanly (see the module docstring).

    `exit_code` is 128 + the signal number once one arrived (the shell's convention), else None.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGHUP)

    def __init__(self, app, *, grace: float = EXIT_GRACE_SECONDS) -> None:
        self.app = app
        self.grace = grace
        self.exit_code: int | None = None
        self._previous: dict[int, object] = {}
        self._tty_fd: int | None = None
        self._tty_attrs = None

    def __enter__(self) -> ExitOnSignals:
        self._remember_terminal()
        for sig in self.SIGNALS:
            self._previous[sig] = signal.signal(sig, self._received)
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _remember_terminal(self) -> None:
        try:
            import termios

            fd = sys.__stdin__.fileno()
            if os.isatty(fd):
                self._tty_fd, self._tty_attrs = fd, termios.tcgetattr(fd)
        except Exception:  # no terminal (tests, pipes): nothing to restore
            self._tty_fd = None

    def _received(self, signum, _frame) -> None:
        """In the main thread, between two bytecodes: only schedule work, never do it here."""
        if self.exit_code is not None:
            return  # a second signal: the watchdog is already running
        self.exit_code = 128 + signum
        threading.Thread(target=self._watchdog, name="incidentdesk-exit-watchdog", daemon=True).start()
        # The handler runs on the event loop's own thread, where call_from_thread is refused; a
        # thread of its own asks the loop (and waits for it, bounded by the watchdog).
        threading.Thread(target=self._ask_app_to_exit, name="incidentdesk-exit", daemon=True).start()

    def _ask_app_to_exit(self) -> None:
        try:
            self.app.call_from_thread(self.app.exit, None, self.exit_code)
        except Exception:
            pass  # the app is not running, or is closing already

    def _watchdog(self) -> None:
        finished = threading.Event()
        finished.wait(self.grace)
        # Still here: the event loop did not get the app out in time. Restore the terminal in a
        # thread of its own (a write to a gone or stalled terminal may block) and leave.
        restorer = threading.Thread(target=self.restore_terminal, daemon=True)
        restorer.start()
        restorer.join(0.5)
        os._exit(self.exit_code or 1)

    def restore_terminal(self) -> None:
        if self._tty_fd is None:
            return
        try:
            import termios

            termios.tcsetattr(self._tty_fd, termios.TCSANOW, self._tty_attrs)
        except Exception:
            pass
        try:
            os.write(sys.__stdout__.fileno(), RESTORE_TERMINAL.encode())
        except Exception:
            pass
