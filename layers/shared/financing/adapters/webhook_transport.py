"""POST a signed webhook to its receiver, safely: the name is resolved once, every address it resolves to is
checked (no private, link-local, metadata or, unless allowed, loopback target), and the connection goes to
the checked address (no second lookup for DNS rebinding to exploit). Redirects are not followed.

One wall-clock deadline bounds the whole attempt (resolving, connecting, the TLS handshake, sending and the
complete answer): a receiver that answers a byte at a time, each within any per-read timeout, is still cut
at the deadline, so a tarpit holds a deliverer thread for at most ATTEMPT_DEADLINE_SECONDS."""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from functools import cache
from urllib.parse import urlsplit

from financing.clock import now
from financing.domain.webhooks import Attempt, AttemptOutcome, address_problem

# Documented in the README ("Webhook security"): every attempt, whole, within this many seconds.
ATTEMPT_DEADLINE_SECONDS = 10
USER_AGENT = "invoice-financing-webhooks/1"
_MAX_ERROR = 300


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


class _Watchdog:
    """Shuts the attempt's socket down when the deadline passes, whatever the attempt is blocked in (a read
    of one more trickled byte, the TLS handshake): the blocked call then returns at once."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds
        self.fired = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    def guard(self, sock: socket.socket) -> None:
        with self._lock:
            self._socket, fired = sock, self.fired
        if fired:
            _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired, sock = True, self._socket
        if sock is not None:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for a TLS socket: it ends the connection under the TLS layer
    # without touching TLS state another thread may be using.
    with contextlib.suppress(OSError):  # already closed: nothing left to cut
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to `address`, while Host names the URL's host."""

    def __init__(self, host: str, port: int, address: str, watchdog: _Watchdog) -> None:
        super().__init__(host, port, timeout=watchdog.remaining())
        self._address = address
        self._watchdog = watchdog

    def _open(self) -> socket.socket:
        raw = socket.create_connection((self._address, self.port), self._watchdog.remaining())
        self._watchdog.guard(raw)
        return raw

    def connect(self) -> None:
        self.sock = self._open()


class _PinnedHTTPS(_PinnedHTTP):
    """HTTPS to `address`, with SNI and certificate verification against the URL's host name."""

    default_port = 443

    def connect(self) -> None:
        tls = _tls().wrap_socket(self._open(), server_hostname=self.host, do_handshake_on_connect=False)
        self._watchdog.guard(tls)
        tls.do_handshake()
        self.sock = tls


def _resolve(host: str, port: int, watchdog: _Watchdog) -> list[str]:
    """The name's addresses, or TimeoutError when the resolver has not answered by the deadline (a slow DNS
    server is a tarpit too; the lookup is left to finish on its own thread, which holds no connection)."""
    found: list[str] = []
    failed: list[BaseException] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found.extend(dict.fromkeys(info[4][0] for info in infos))
        except (OSError, UnicodeError) as failure:
            failed.append(failure)

    resolver = threading.Thread(target=lookup, name="webhook-dns", daemon=True)
    resolver.start()
    resolver.join(watchdog.remaining())
    if resolver.is_alive():
        raise TimeoutError
    if failed:
        raise failed[0]
    return found


def post(
    url: str, body: bytes, headers: dict[str, str], *, allow_loopback: bool, deadline: float | None = None
) -> Attempt:
    """One attempt, whole within `deadline` seconds (ATTEMPT_DEADLINE_SECONDS unless given): its time, the
    receiver's status code (any 3xx is just a status), latency, error and outcome."""
    deadline = ATTEMPT_DEADLINE_SECONDS if deadline is None else deadline
    attempted_at = now()
    started = time.perf_counter()
    watchdog = _Watchdog(deadline)
    status_code, error, outcome = None, None, AttemptOutcome.UNREACHABLE
    try:
        status_code = _post(url, body, headers, allow_loopback, watchdog)
    except _Refused as refused:
        error, outcome = str(refused), AttemptOutcome.REFUSED
    except (OSError, http.client.HTTPException, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"[:_MAX_ERROR]
    finally:
        watchdog.cancel()
    latency = time.perf_counter() - started
    if watchdog.fired or latency >= deadline:
        # Whatever the cut looked like from inside (a reset, a short read, a timeout), and even an answer
        # completed just as the deadline passed: not within the deadline.
        status_code, outcome = None, AttemptOutcome.TIMEOUT
        error = f"no complete answer within the {deadline:g} s deadline"
    elif status_code is not None:
        outcome = AttemptOutcome.DELIVERED if 200 <= status_code < 300 else AttemptOutcome.REJECTED
    return Attempt(
        attempted_at=attempted_at,
        status_code=status_code,
        latency_ms=round(latency * 1000),
        error=error,
        outcome=outcome,
    )


class _Refused(Exception):
    pass


def _post(url: str, body: bytes, headers: dict[str, str], allow_loopback: bool, watchdog: _Watchdog) -> int:
    parts = urlsplit(url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    try:
        addresses = _resolve(host, port, watchdog)
    except socket.gaierror as failure:
        raise _Refused(f"cannot resolve {host}: {failure.strerror}") from failure
    for address in addresses:
        if problem := address_problem(address, allow_loopback):
            raise _Refused(f"refused: {host} {problem} ({address})")
    connection_type = _PinnedHTTPS if https else _PinnedHTTP
    connection = connection_type(host, port, addresses[0], watchdog)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "POST",
            target,
            body=body,
            headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        response = connection.getresponse()
        response.read(64 * 1024)  # the answer's body is not used; read a little so the socket closes cleanly
        return response.status
    finally:
        connection.close()
