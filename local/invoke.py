"""`python -m local.invoke <LogicalId> <event.json>` (make invoke): run one function on one event; result on stdout."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import socket
import sys
from pathlib import Path

from local import settings
from local.discover import running_stack
from local.provision import client_factory, provision
from local.runtime import FunctionError, Runtime
from local.stack import configure_logging, ensure_port_free, start_moto
from local.template import load_template

log = logging.getLogger("local")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("function", help="logical id of the function in template.yaml")
    parser.add_argument("event", type=Path, help="JSON file with the event")
    args = parser.parse_args(argv)
    configure_logging()
    event = json.loads(args.event.read_text())
    template = load_template()
    functions = sorted(
        k for k, r in template["Resources"].items() if r.get("Type") == "AWS::Serverless::Function"
    )
    if args.function not in functions:
        print(
            f"{args.function} is not a function of the template (functions: {', '.join(functions)})",
            file=sys.stderr,
        )
        return 2
    moto = None
    health = running_stack()
    if health:
        endpoint = health["aws_endpoint"]
        log.info("using the running stack's AWS at %s", endpoint)
    else:
        port = settings.AWS_PORT
        try:
            ensure_port_free("127.0.0.1", port, "AWS")
        except OSError:
            port = _free_port()
        moto = start_moto("127.0.0.1", port)
        endpoint = f"http://127.0.0.1:{port}"
        log.info("no stack running: started an embedded AWS at %s", endpoint)
    runtime = None
    try:
        stack = provision(template, client_factory(endpoint))
        # Handlers and their loggers print to stdout; keep stdout for the result alone.
        with contextlib.redirect_stdout(sys.stderr):
            runtime = Runtime(stack, endpoint, concurrency=1)
            try:
                result, code = runtime.invoke(args.function, event), 0
            except FunctionError as error:
                log.error("%s failed: %s", args.function, error.text or error.message)
                result, code = error.payload(), 1
        print(json.dumps(result, indent=2))
        return code
    finally:
        if runtime:
            runtime.close()
        if moto:
            moto.stop()


if __name__ == "__main__":
    sys.exit(main())
