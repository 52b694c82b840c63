"""The embedded AWS without the per-request work that is not AWS's: moto redoes, on every request, things
whose answer never changes while it runs.

- Dispatch: moto finds a request's backend by listing its own package directory (about 200 `isdir`
  calls) under a lock every request takes, whatever its service; the answer depends only on the host,
  so it is kept per host.
- Connections: werkzeug's server answers every request with `Connection: close` (http.server cannot
  drain a body the application left unread), so each AWS call paid a TCP connection and a server thread.
  `keep_alive_handler()` reads a request's whole body before the application runs, so the
  connection is reusable, and keeps it open; a chunked request body still closes it, as before.
- Streams: a stream reader can only poll for new records; `wait_for_stream_write` wakes it as soon as
  moto appends one to any table's stream in this process, instead of after a fixed pause.
- EventBridge: every target of every rule a PutEvents entry matches builds a new JSONPath parser (PLY
  generates its tables each time) for each input path, about ten per target; a parsed path is immutable
  (`find` reads the event, never the expression), so each expression is parsed once.
- SQS: sending a message computes all of its queue's attributes to read one flag (content-based
  deduplication), and receiving computes them again for each message returned, to read its retention
  period; three of them count the queue's messages one by one, so each send, and each message received,
  cost time in proportion to the queue's backlog (a PutEvents fanning out to queues with thousands
  waiting took hundreds of milliseconds). While a message is sent, or checked for retention, those counts,
  which neither reads, are not made; `GetQueueAttributes` counts as before.

Answers are unchanged: tests/unit/test_local_moto_overhead.py compares them with moto's own.
"""

from __future__ import annotations

import functools
import io
import threading
from typing import Any

PARSED_PATHS = 512  # distinct JSONPath expressions kept; rules' input paths are a few dozen
_installed: dict[str, Any] = {}
_stream_written = threading.Condition()
_stream_writes = 0  # records moto has appended to streams in this process, while installed
_not_counting = threading.local()  # `depth`: sends or retention checks in progress on this thread
SQS_CALLS = ("send_message", "send_message_batch", "is_message_valid_based_on_retention_period")
COUNTS = (
    "approximate_number_of_messages",
    "approximate_number_of_messages_delayed",
    "approximate_number_of_messages_not_visible",
)


def stream_writes() -> int:
    """How many stream records have been written so far: take it before reading the streams."""
    return _stream_writes


def notifies_stream_writes() -> bool:
    return bool(_installed)


def wait_for_stream_write(seen: int, timeout: float) -> None:
    """Return once a stream record is written after `stream_writes()` answered `seen`, or after `timeout`."""
    with _stream_written:
        _stream_written.wait_for(lambda: _stream_writes != seen, timeout)


def _announcing(add: Any) -> Any:
    @functools.wraps(add)
    def announced(shard: Any, old: Any, new: Any) -> None:
        global _stream_writes
        add(shard, old, new)
        with _stream_written:
            _stream_writes += 1
            _stream_written.notify_all()

    return announced


def _counting_no_messages(call: Any) -> Any:
    @functools.wraps(call)
    def not_counting(*args: Any, **kwargs: Any) -> Any:
        _not_counting.depth = getattr(_not_counting, "depth", 0) + 1
        try:
            return call(*args, **kwargs)
        finally:
            _not_counting.depth -= 1

    return not_counting


def _not_counted_meanwhile(count: Any) -> property:
    @functools.wraps(count)
    def counted(queue: Any) -> int:
        return 0 if getattr(_not_counting, "depth", 0) else count(queue)

    return property(counted)


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
    """Patch moto's dispatcher, streams and SQS sends, and jsonpath_ng's parser in this process (idempotent)."""
    if _installed:
        return
    import jsonpath_ng.ext
    from moto.dynamodb.models.table import StreamShard
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.sqs.models import Queue, SQSBackend

    for name in SQS_CALLS:
        _installed[f"sqs.{name}"] = getattr(SQSBackend, name)
        setattr(SQSBackend, name, _counting_no_messages(getattr(SQSBackend, name)))
    for name in COUNTS:
        _installed[f"queue.{name}"] = Queue.__dict__[name]
        setattr(Queue, name, _not_counted_meanwhile(Queue.__dict__[name].fget))

    original_backend = DomainDispatcherApplication.get_backend_for_host
    _installed["backend"] = original_backend
    _installed["stream_add"] = StreamShard.add
    StreamShard.add = _announcing(StreamShard.add)
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
    from moto.dynamodb.models.table import StreamShard
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.sqs.models import Queue, SQSBackend

    for name in SQS_CALLS:
        setattr(SQSBackend, name, _installed.pop(f"sqs.{name}"))
    for name in COUNTS:
        setattr(Queue, name, _installed.pop(f"queue.{name}"))
    StreamShard.add = _installed.pop("stream_add")
    DomainDispatcherApplication.get_backend_for_host = _installed.pop("backend")
    jsonpath_ng.ext.parse = _installed.pop("parse")
