"""One cold start: a fresh process imports a handler, serves its sample event, and reports what it did.

Usage: python -m bench.cold <functions/dir> <event.json>  (prints one JSON line)
"""

import json
import sys
import time
from pathlib import Path

from bench.memory import peak_mb

STARTED = time.perf_counter()
calls: list[dict] = []
_pending: dict[int, dict] = {}


def _params(params, model, context, **_):
    _pending[id(context)] = {
        "service": model.service_model.service_name,
        "operation": model.name,
        "params": params,
    }


def _sent(context, **_):
    # Only calls that are sent count: presigning emits the parameter event but sends nothing.
    if (call := _pending.pop(id(context), None)) is not None:
        calls.append(call)


def main() -> None:
    code_dir, event_path = sys.argv[1], sys.argv[2]
    sys.path[:0] = ["layers/shared", code_dir]
    import importlib

    app = importlib.import_module("app")
    imported = time.perf_counter()
    # Handlers create their clients on first use, from the layer's botocore session: count its calls.
    from financing.adapters.aws import session

    session().register("provide-client-params", _params)
    session().register("before-call", _sent)
    event = json.loads(Path(event_path).read_text())

    class Context:
        function_name = "bench"
        function_version = "$LATEST"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
        memory_limit_in_mb = 256
        aws_request_id = "bench-request"
        log_group_name = log_stream_name = "bench"

        @staticmethod
        def get_remaining_time_in_millis() -> int:
            return 10_000

    result = app.lambda_handler(event, Context())
    served = time.perf_counter()
    first_calls = len(calls)
    app.lambda_handler(event, Context())  # a warm request, to count its calls apart from the first's
    print(
        json.dumps(
            {
                "import_ms": (imported - STARTED) * 1000,
                "first_ms": (served - imported) * 1000,
                "status": result.get("statusCode") if isinstance(result, dict) else None,
                "calls": calls[:first_calls],
                "warm_calls": len(calls) - first_calls,
                "maxrss_mb": peak_mb(),
            },
            default=str,
        )
    )


if __name__ == "__main__":
    main()
