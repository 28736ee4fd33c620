"""Real local servers for the delivery tests: a JSON webhook (http.server in a thread) whose answers
a test scripts (fail, hang, succeed), and an SMTP server (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import http.server
import json
import threading
from dataclasses import dataclass, field

import pytest



@dataclass
class Hit:
    path: str
    headers: dict
    body: dict


@dataclass
class Webhook:
    """A webhook whose next answers are `script` (status codes, or "hang" for longer than any timeout)."""

    port: int = 0
    script: list = field(default_factory=list)
    default: int | str = 200
    hits: list[Hit] = field(default_factory=list)
    delivered: list[Hit] = field(default_factory=list)   # the ones answered 2xx
    hang_seconds: float = 3.0
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook?token=hook-s3cret-token"

    def answer(self, hit: Hit):
        with self.lock:
            self.hits.append(hit)
            action = self.script.pop(0) if self.script else self.default
        if action == "hang":
            self.release.wait(self.hang_seconds)
            return 200
        if action == "hold":  # until the test releases it (a worker is killed meanwhile)
            self.release.wait(30)
            return 200
        if 200 <= int(action) < 300:
            with self.lock:
                self.delivered.append(hit)
        return int(action)

    def keys(self, hits=None) -> list[str]:
        return [h.headers.get("Idempotency-Key") for h in (self.hits if hits is None else hits)]


@pytest.fixture
def webhook():
    hook = Webhook()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"raw": raw.decode(errors="replace")}
            status = hook.answer(Hit(self.path, dict(self.headers), body))
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the client gave up (timed out, or was killed)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    hook.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook
    hook.release.set()
    server.shutdown()
    server.server_close()


@dataclass
class Mailbox:
    port: int
    messages: list = field(default_factory=list)


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    box = Mailbox(0)

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            from email import message_from_bytes

            box.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
            return "250 OK"

    import socket

    with socket.socket() as probe:  # aiosmtpd's readiness check cannot follow port 0: pick a free one
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()
