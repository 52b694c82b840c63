"""Asynchronous event sources: SQS queues, DynamoDB streams and EventBridge rules that target the stack's
functions, and scheduled rules. One module per kind; this coordinator runs one thread per source."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from local import settings
from local.model import Stack
from local.provision import Clients
from local.workers import schedules
from local.workers.base import POLL_SECONDS, Sources, failed_items
from local.workers.rules import poll_rule
from local.workers.schedules import RATE_UNITS, scheduled_event
from local.workers.sqs import poll_queue, sqs_record
from local.workers.streams import STREAM_IDLE_SECONDS, poll_stream, stream_record

if TYPE_CHECKING:
    from local.runtime import Runtime

__all__ = [
    "POLL_SECONDS",
    "RATE_UNITS",
    "STREAM_IDLE_SECONDS",
    "Workers",
    "failed_items",
    "scheduled_event",
    "sqs_record",
    "stream_record",
]

log = logging.getLogger("local")


class Workers:
    """One thread per event source; `stop()` ends them all within about a second."""

    def __init__(self, stack: Stack, runtime: Runtime, clients: Clients, *, run_schedules: bool = False):
        self.stack = stack
        self.runtime = runtime
        self.clients = clients
        self.run_schedules = run_schedules
        self._stop = threading.Event()
        self._sources = Sources(stack, runtime, clients, self._stop)
        self._threads: list[threading.Thread] = []
        self._finished: set[str] = set()

    def start(self) -> None:
        for source in self.stack.sqs_sources:
            if source.enabled:
                # Several pollers where the source allows concurrent batches, as Lambda scales out: a slow
                # batch then holds up only its own poller (never more than the function's containers).
                for n in range(max(1, min(source.max_concurrency, settings.CONCURRENCY))):
                    suffix = f"#{n + 1}" if n else ""
                    self._spawn(f"sqs:{source.function}.{source.event}{suffix}", poll_queue, source)
        for stream in self.stack.stream_sources:
            if stream.enabled:
                self._spawn(f"stream:{stream.function}.{stream.event}", poll_stream, stream)
        for target in self.stack.rules:
            if target.queue_url:
                self._spawn(f"rule:{target.rule_id}.{target.target_id}", poll_rule, target)
        if self.run_schedules and any(t.schedule and t.enabled for t in self.stack.rules):
            self._spawn("schedules", schedules.run_rates)

    def _spawn(self, name: str, loop: Callable[..., None], *args: Any) -> None:
        def guarded() -> None:
            # A worker survives failures of the embedded AWS (logged, then retried after a pause).
            while not self._stop.is_set():
                try:
                    loop(self._sources, *args)
                    self._finished.add(name)  # nothing left to do (e.g. no schedule with a rate)
                    return
                except Exception:
                    if self._stop.is_set():
                        return
                    log.exception("worker %s failed; restarting it", name)
                    self._stop.wait(1)

        thread = threading.Thread(target=guarded, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def dead(self) -> list[str]:
        return [t.name for t in self._threads if not t.is_alive() and t.name not in self._finished]

    def names(self) -> list[str]:
        return [t.name for t in self._threads]

    def schedule_names(self) -> list[str]:
        return schedules.schedule_names(self._sources)

    def run_schedule(self, name: str) -> list[dict[str, Any]] | None:
        """Fire every schedule of function or rule `name` now; None when there is none."""
        return schedules.run_schedule(self._sources, name)
