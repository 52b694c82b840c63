"""Logger, tracer and metrics: created once here and shared by every function."""

import os

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
