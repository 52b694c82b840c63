"""`python -m local` (make run): start the local stack, print how to use it, stop cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import os
import shlex
import signal
import sys
import threading

from local import settings
from local.stack import LocalStack, configure_logging
from local.template import TemplateError
from local.token import mint

log = logging.getLogger("local")

SAMPLE_TENANT = "acme"
SAMPLE_COMPANY = '{"name": "Acme Ltd", "address": {"country_code": "GB"}}'


def banner(stack: LocalStack) -> str:
    assert stack.stack is not None and stack.gateway is not None
    api = stack.api_url
    lines = [
        f"Local stack {stack.stack.stack_name} is up ({stack.started_in:.1f} s).",
        f"  API            {api}    docs: {api}/docs    health: {api}/health",
        f"  Events         {api}/events    AsyncAPI: {api}/asyncapi.json    schema registry: {api}/schemas",
        f"  AWS endpoint   {stack.aws_endpoint}    (moto; any credentials)",
        "",
        f"  Development token for tenant {SAMPLE_TENANT} with every scope:",
        f"    export TOKEN={mint(SAMPLE_TENANT)}",
    ]
    if stack.gateway.routes.match("POST", "/v1/companies"):
        lines += [
            "  Create a company:",
            f'    curl -s -X POST {api}/v1/companies -H "Authorization: Bearer $TOKEN" '
            f"-H 'Content-Type: application/json' -d {shlex.quote(SAMPLE_COMPANY)}",
        ]
    lines += [
        "  AWS CLI against the embedded AWS:",
        f"    export AWS_ENDPOINT_URL={stack.aws_endpoint} AWS_ACCESS_KEY_ID=testing "
        f"AWS_SECRET_ACCESS_KEY=testing AWS_REGION={stack.stack.region}",
        "    aws dynamodb list-tables",
    ]
    if stack.workers and stack.workers.schedule_names():
        schedules = ", ".join(sorted({t.function for t in stack.stack.rules if t.schedule}))
        lines.append(f"  Run a schedule now: make schedule RULE=<name>    ({schedules})")
    lines.append("Ctrl-C stops everything.")
    return "\n".join(lines)


def main() -> int:
    configure_logging()
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        if stop.is_set():
            os._exit(1)  # a second Ctrl-C: stop waiting for a clean shutdown
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    stack = LocalStack(aws_port=settings.AWS_PORT, port=settings.PORT)
    try:
        stack.start()
    except (TemplateError, OSError) as error:
        log.error("the local stack did not start: %s", error)
        stack.stop()
        return 1
    except Exception:
        log.exception("the local stack did not start")
        stack.stop()
        return 1
    if not stop.is_set():
        print(banner(stack), flush=True)
    while not stop.wait(0.5):
        pass
    log.info("stopping")
    stack.stop()
    log.info("stopped")
    return 0


def exit_now(code: int) -> None:
    """Exit without the interpreter's final garbage collection: after a long session the embedded AWS
    holds millions of objects, and collecting them took longer than a supervisor's stop timeout (found by
    `make fuzz`: over 10 s after 5,000 requests). Everything was already stopped and flushed."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
