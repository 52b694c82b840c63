"""Logger, tracer and metrics: created once here and shared by every function."""

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()


def _tracer():
    # The X-Ray SDK costs ~100 ms of import and builds botocore clients; only pay for it where
    # traces can be sent (in Lambda, tracing not disabled).
    if "AWS_LAMBDA_FUNCTION_NAME" not in os.environ or os.environ.get("POWERTOOLS_TRACE_DISABLED") == "true":
        return None
    from aws_lambda_powertools import Tracer

    return Tracer()


tracer = _tracer()


def traced(handler: Callable[[dict[str, Any], Any], Any]) -> Callable[[dict[str, Any], Any], Any]:
    """`handler` with each invocation traced where traces are sent, never with its response body: answers
    hold secrets shown once, tax ids and contracts, which X-Ray would keep as segment metadata."""
    return tracer.capture_lambda_handler(handler, capture_response=False) if tracer else handler
