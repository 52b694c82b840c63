"""What the webhook tests share: a tiny HTTP receiver on a free loopback port, a tarpit (a receiver that
answers a byte at a time), and the README's own signature-verification snippets, extracted exactly as a
reader would copy them."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

ROOT = Path(__file__).resolve().parents[1]


def readme_snippets() -> list[str]:
    """The Python blocks under "### Verifying a webhook" in README.md, in order: the library, the fallback."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### Verifying a webhook", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 2, "README.md 'Verifying a webhook' should show the library and the fallback"
    return blocks


def _defined(snippet: str, name: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {}
    exec(compile(snippet, "README.md", "exec"), namespace)  # noqa: S102 - the documented snippet
    return namespace[name]


def readme_receive() -> Callable[..., Any]:
    """The README's receiver built on the `standardwebhooks` library: the event, or it raises."""
    return _defined(readme_snippets()[0], "receive")


def readme_verify() -> Callable[..., bool]:
    """The README's plain-Python fallback: True when the delivery verifies."""
    return _defined(readme_snippets()[1], "verify")


@dataclass
class Received:
    path: str
    headers: Any  # an email.message.Message: case-insensitive, as receivers' frameworks give them
    body: bytes
    at: float


class Receiver:
    """Answers each POST with the next status of `statuses` (the last one repeats), after `delay` s."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0, port: int = 0) -> None:
        self.statuses = list(statuses or [200])
        self.delay = delay
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.received.append(Received(self.path, self.headers, body, time.time()))
                    status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} webhook(s) within {timeout}s, got {len(self.received)}")


class Tarpit:
    """A TCP server that accepts every connection, reads what it is sent, then sends `answer` one byte
    every `every` seconds (or nothing at all, when `answer` is empty), for as long as the peer listens."""

    def __init__(self, answer: bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", every: float = 0.2):
        self.answer = answer
        self.every = every
        self.connections = 0  # accepted so far
        self.held = 0  # open now
        self.closed_by_peer = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                self.connections += 1
                self.held += 1
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(1)
            try:
                connection.recv(65536)  # the request (its start is enough)
                connection.setblocking(False)  # from now on, read only what is already there
                while not self._stop.is_set():
                    for byte in self.answer:
                        self._drain(connection)
                        connection.sendall(bytes([byte]))
                        if self._stop.wait(self.every):
                            return  # stopped: the connection closes, its answer never completed
                    self._drain(connection)
                    self._stop.wait(self.every or 0.01)
            except OSError:
                self.closed_by_peer.set()
            finally:
                with self._lock:
                    self.held -= 1

    def wait_for_held(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.held < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} connections held within {timeout}s, got {self.held}")
            time.sleep(0.02)

    @staticmethod
    def _drain(connection: socket.socket) -> None:
        """Read whatever else the client sent, without waiting; raise once the client has closed."""
        try:
            if connection.recv(65536) == b"":
                raise ConnectionResetError("closed by the client")
        except BlockingIOError:
            pass

    def __enter__(self) -> Tarpit:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(1)
        self._listener.close()


def library_refusal(secret: str | bytes, headers: Any, body: bytes) -> str | None:
    """None when the reference verifier, the `standardwebhooks` library, accepts the delivery; else its
    reason for refusing it."""
    try:
        Webhook(secret).verify(body, headers, json_parse=False)
    except WebhookVerificationError as refused:
        return str(refused)
    return None
