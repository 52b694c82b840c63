"""Where the embedded AWS spends its time: for each operation, its calls, the time moto took to answer them,
and (DynamoDB, which the stack serializes) how long they waited for their turn.

Read at `GET /_local/aws_profile` and cleared by `DELETE` there; the registration benchmark prints it, so a
run names the operations a pipeline waits on. Counting costs two clock reads and a lock per call.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Tally:
    calls: int = 0
    seconds: float = 0.0  # inside moto
    waited: float = 0.0  # queued behind other DynamoDB calls


_tallies: dict[str, Tally] = {}
_lock = threading.Lock()


def operation(environ: dict[str, Any]) -> str:
    """`service.Operation` of a request to the embedded AWS: from `X-Amz-Target` (DynamoDB, SQS, EventBridge,
    KMS, ...), else the query protocol's `Action`, else the method and the first path segment (S3)."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if "." in target:
        service, name = target.rsplit(".", 1)
        return f"{service.split('_', 1)[0].lower()}.{name}"
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if action:
        return f"query.{action[0]}"
    segment = environ.get("PATH_INFO", "/").strip("/").split("/", 1)[0]
    return (
        f"{environ.get('REQUEST_METHOD', '?')} /{segment}" if segment else environ.get("REQUEST_METHOD", "?")
    )


def record(name: str, seconds: float, waited: float = 0.0) -> None:
    with _lock:
        tally = _tallies.setdefault(name, Tally())
        tally.calls += 1
        tally.seconds += seconds
        tally.waited += waited


def snapshot() -> list[dict[str, Any]]:
    """Every operation seen since the last reset, the costliest first."""
    with _lock:
        rows = [
            {
                "operation": name,
                "calls": t.calls,
                "seconds": round(t.seconds, 6),
                "waited": round(t.waited, 6),
            }
            for name, t in _tallies.items()
        ]
    return sorted(rows, key=lambda row: (-row["seconds"], row["operation"]))


def reset() -> None:
    with _lock:
        _tallies.clear()
