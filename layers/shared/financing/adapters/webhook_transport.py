"""POST a signed webhook to its receiver, safely: the name is resolved once, every address it resolves to is
checked (no private, link-local, metadata or, unless allowed, loopback target), and the connection goes to
the checked address (no second lookup for DNS rebinding to exploit). Redirects are not followed."""

import http.client
import socket
import ssl
import time
from functools import cache
from urllib.parse import urlsplit

from financing.clock import now
from financing.domain.webhooks import Attempt, address_problem

TIMEOUT_SECONDS = 10
USER_AGENT = "invoice-financing-webhooks/1"
_MAX_ERROR = 300


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to `address`, while Host names the URL's host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to `address`, with SNI and certificate verification against the URL's host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=_tls())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def post(
    url: str, body: bytes, headers: dict[str, str], *, allow_loopback: bool, timeout: float = TIMEOUT_SECONDS
) -> Attempt:
    """One attempt: its time, the receiver's status code (any 3xx is just a status), latency and error."""
    attempted_at = now()
    started = time.perf_counter()
    status_code, error = None, None
    try:
        status_code = _post(url, body, headers, allow_loopback, timeout)
    except _Refused as refused:
        error = str(refused)
    except TimeoutError:
        error = f"timed out after {timeout:g} s"
    except (OSError, http.client.HTTPException, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"[:_MAX_ERROR]
    latency = time.perf_counter() - started
    if status_code is not None and latency > timeout:
        status_code, error = None, f"answered after {latency:.1f} s, over the {timeout:g} s limit"
    return Attempt(
        attempted_at=attempted_at, status_code=status_code, latency_ms=round(latency * 1000), error=error
    )


class _Refused(Exception):
    pass


def _post(url: str, body: bytes, headers: dict[str, str], allow_loopback: bool, timeout: float) -> int:
    parts = urlsplit(url)
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    try:
        addresses = _resolve(host, port)
    except socket.gaierror as failure:
        raise _Refused(f"cannot resolve {host}: {failure.strerror}") from failure
    for address in addresses:
        if problem := address_problem(address, allow_loopback):
            raise _Refused(f"refused: {host} {problem} ({address})")
    connection_type = _PinnedHTTPS if https else _PinnedHTTP
    connection = connection_type(host, port, addresses[0], timeout)
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
