"""The embedded AWS without the per-request work that is not AWS's: moto redoes, on every request, things
whose answer never changes while it runs.

- Dispatch: moto finds a request's backend by listing its own package directory (about 200 `isdir`
  calls) under a lock every request takes, whatever its service; the answer depends only on the host,
  so it is kept per host.
- Connections: werkzeug's server answers every request with `Connection: close` (http.server cannot
  drain a body the application left unread), so each AWS call paid a TCP connection and a server thread.
  `keep_alive_handler()` reads a request's whole body before the application runs, so the
  connection is reusable, and keeps it open; a chunked request body still closes it, as before.
- EventBridge: every target of every rule a PutEvents entry matches builds a new JSONPath parser (PLY
  generates its tables each time) for each input path, about ten per target; a parsed path is immutable
  (`find` reads the event, never the expression), so each expression is parsed once.

Answers are unchanged: tests/unit/test_local_moto_overhead.py compares them with moto's own.
"""

from __future__ import annotations

import functools
import io
from typing import Any

PARSED_PATHS = 512  # distinct JSONPath expressions kept; rules' input paths are a few dozen
_installed: dict[str, Any] = {}


@functools.cache
def keep_alive_handler() -> type:
    """moto's request handler, keeping HTTP/1.1 connections open between requests (moto is imported only
    when a stack starts, so the class is made on first use)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class KeepAliveRequestHandler(MotoRequestHandler):
        # Headers and body are separate writes: with Nagle's algorithm, the body of a kept-alive
        # connection would wait for the client's delayed ACK (40 ms) of the headers.
        disable_nagle_algorithm = True
        _reusable = False
        _connection_reader: Any = None

        def make_environ(self) -> dict[str, Any]:
            environ = super().make_environ()
            self._reusable = False
            length = environ.get("CONTENT_LENGTH") or "0"
            if environ.get("wsgi.input_terminated") or not length.isdigit():
                return environ  # a chunked body: read as werkzeug reads it, and the connection closes
            # The whole body now: whatever the application reads of it, the next request line is next.
            environ["wsgi.input"] = io.BytesIO(self.rfile.read(int(length)) if int(length) else b"")
            # werkzeug drains "what is left" of the socket after answering, which would swallow the next
            # request: it gets an empty reader instead until run_wsgi returns.
            self._connection_reader, self.rfile = self.rfile, io.BytesIO()
            self._reusable = True
            return environ

        def run_wsgi(self) -> None:
            try:
                super().run_wsgi()
            finally:
                if self._connection_reader is not None:
                    self.rfile, self._connection_reader = self._connection_reader, None

        def send_header(self, keyword: str, value: str) -> None:
            if self._reusable and keyword.lower() == "connection" and value.lower() == "close":
                return
            super().send_header(keyword, value)

    return KeepAliveRequestHandler


def install() -> None:
    """Patch moto's dispatcher and jsonpath_ng's parser in this process (idempotent)."""
    if _installed:
        return
    import jsonpath_ng.ext
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original_backend = DomainDispatcherApplication.get_backend_for_host
    _installed["backend"] = original_backend
    _installed["parse"] = jsonpath_ng.ext.parse

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        known = self.__dict__.setdefault("_backend_by_host", {})
        if host not in known:
            known[host] = original_backend(self, host)
        return known[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host
    # moto imports `parse` inside the function on each call, so the module attribute is what it gets.
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=PARSED_PATHS)(jsonpath_ng.ext.parse)


def uninstall() -> None:
    if not _installed:
        return
    import jsonpath_ng.ext
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    DomainDispatcherApplication.get_backend_for_host = _installed.pop("backend")
    jsonpath_ng.ext.parse = _installed.pop("parse")
