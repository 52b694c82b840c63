"""What every kind of event source shares: the stack, its functions, AWS clients, the stop signal, and
Lambda's reading of a batch's partial failures."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from local.model import Stack
from local.provision import Clients

if TYPE_CHECKING:
    from local.runtime import Runtime

POLL_SECONDS = 1  # SQS long poll; also how long shutdown may wait for a poller


@dataclass
class Sources:
    """The context each source kind's loops run in."""

    stack: Stack
    runtime: Runtime
    clients: Clients
    stop: threading.Event

    def label(self, arn: str) -> str:
        """The logical id behind an ARN, for log lines."""
        for logical_id, attributes in self.stack.attributes.items():
            if arn in (attributes.get("Arn"), attributes.get("StreamArn")):
                return logical_id
        return arn.rsplit(":", 1)[-1]


def iso(moment: float | None = None, *, millis: bool = False) -> str:
    stamp = dt.datetime.fromtimestamp(time.time() if moment is None else moment, dt.UTC)
    if millis:
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def failed_items(result: Any, identifiers: list[str]) -> list[str] | None:
    """Item identifiers of a ReportBatchItemFailures response; None means the response is invalid (all failed)."""
    if result is None:
        return []
    if not isinstance(result, dict):
        return None
    failures = result.get("batchItemFailures")
    if failures is None:
        return []
    if not isinstance(failures, list):
        return None
    found = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in identifiers:
            return None
        found.append(identifier)
    return found
