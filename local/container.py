"""One Lambda sandbox: a child process that loads one function's handler once, then serves its invocations.

Started by `local.runtime` as `python -m local.container <requests fd> <responses fd> <config json>`.
The protocol is one JSON document per line on two pipes of their own, so stdout and stderr stay the
handler's (its logs reach the stack's console) and a handler that prints cannot corrupt it:

    child -> parent  {"init_ms": 123.4}                        the handler is loaded (the cold start)
                     {"error": {...}, "text": "..."}           init failed; the child then exits
    parent -> child  {"event": ...}                            one invocation
    child -> parent  {"result": ...} | {"error": {...}, "text": "..."}

An error is what Lambda returns for one (errorType, errorMessage, stackTrace) and `text` the formatted
traceback for the stack's log. The child exits as soon as its requests pipe closes: when the stack closes
the pool, or dies, even in the middle of an invocation.

Only the standard library here: whatever this module imports, every function would pay for at cold start.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import queue
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any


class LambdaContext:
    """The context object the Python runtime passes to handlers; its clock starts with the invocation.

    `spec` is a FunctionSpec, or anything with its name, arn, memory and timeout.
    """

    def __init__(self, spec: Any, region: str, log_stream_name: str | None = None):
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = str(
            spec.memory
        )  # a string, as the real runtime reads it from the environment
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = log_stream_name or log_stream()
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + spec.timeout
        self.region = region

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def log_stream() -> str:
    """A new log stream name, as each sandbox writes to its own."""
    return f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"


def add_layers(paths: Iterable[Path]) -> None:
    """Put layer directories on sys.path, as Lambda extracts them to /opt/python; later layers win."""
    for path in paths:
        entry = str(path / "python") if (path / "python").is_dir() else str(path)
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)


def load_handler(spec: Any) -> Callable[..., Any]:
    """Import the handler as Lambda does: the function's code directory (its task root) first on sys.path.

    `spec` is a FunctionSpec, or anything with its handler ("module.attribute") and code_dir. Meant for
    a container's own process: the module is imported under its plain name, once per process.
    """
    module_path, _, attribute = spec.handler.rpartition(".")
    module_path = module_path.replace("/", ".")
    code_dir = str(spec.code_dir)
    if code_dir in sys.path:
        sys.path.remove(code_dir)
    sys.path.insert(0, code_dir)
    source = Path(code_dir, *module_path.split("."))
    if not source.with_suffix(".py").is_file() and not (source / "__init__.py").is_file():
        raise ModuleNotFoundError(f"No module named '{module_path}' (looked for {source}.py)")
    module = importlib.import_module(module_path)
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise AttributeError(f"Handler '{attribute}' missing on module '{module_path}'")
    return handler


def error_reply(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    frames = traceback.extract_tb(error.__traceback__)
    stack = [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in frames]
    payload = {
        "errorMessage": str(error),
        "errorType": error_type or type(error).__name__,
        "stackTrace": stack,
    }
    return {"error": payload, "text": "".join(traceback.format_exception(error))}


def _read_requests(requests: IO[bytes], inbox: queue.SimpleQueue[bytes]) -> None:
    for line in requests:
        inbox.put(line)
    # The stack closed the pool or died: the sandbox goes with it, whatever the handler is doing.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(0)


def main(argv: list[str]) -> None:
    started = time.perf_counter()
    requests_fd, responses_fd, config = int(argv[0]), int(argv[1]), json.loads(argv[2])
    # Ctrl-C in a terminal reaches the whole process group: the stack shuts its containers down itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    responses = os.fdopen(responses_fd, "wb")
    inbox: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    requests = os.fdopen(requests_fd, "rb")
    threading.Thread(target=_read_requests, args=(requests, inbox), name="requests", daemon=True).start()

    def reply(message: dict[str, Any] | str) -> None:
        line = message if isinstance(message, str) else json.dumps(message)
        responses.write(line.encode() + b"\n")
        responses.flush()

    spec = SimpleNamespace(**{**config, "code_dir": Path(config["code_dir"])})
    # The stack's root is on sys.path for `-m local.container`; a function must not import from it.
    if sys.path and sys.path[0] == os.getcwd():
        del sys.path[0]
    add_layers(Path(layer) for layer in spec.layers)
    acting, calls = _call_recording(spec)  # before the handler's import makes its clients
    try:
        os.chdir(spec.code_dir)  # Lambda runs in the task root
        handler = load_handler(spec)
    except Exception as error:
        reply(error_reply(error, "Runtime.ImportModuleError"))
        return
    reply({"init_ms": (time.perf_counter() - started) * 1000})
    stream = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
    while True:
        request = json.loads(inbox.get())
        context = LambdaContext(spec, spec.region, stream)  # the function's timeout counts from here
        try:
            with acting():
                result = handler(request["event"], context)
        except Exception as error:
            reply({**error_reply(error), **calls()})
            continue
        try:
            # Lambda serialises the result; so must it be
            message = json.dumps({"result": result, **calls()})
        except (TypeError, ValueError) as error:
            marshal = {
                "errorMessage": f"Unable to marshal response: {error}",
                "errorType": "Runtime.MarshalError",
            }
            reply({"error": {**marshal, "stackTrace": []}, "text": "", **calls()})
            continue
        reply(message)


_sandbox = contextlib.ExitStack()


def _call_recording(spec: Any) -> tuple[Callable[[], Any], Callable[[], dict[str, Any]]]:
    """When the stack checks IAM: (a context in which AWS calls are the function's, the calls of the last
    invocation for its reply); otherwise nothing is recorded and nothing imported."""
    if not getattr(spec, "record_aws_calls", False):
        return contextlib.nullcontext, dict
    from local import iam

    recorder = iam.Recorder(iam.Arns.of_function(spec.arn))
    # For the life of the sandbox (held, or collecting the generator would undo it).
    _sandbox.enter_context(iam.recording(recorder))

    def acting() -> Any:
        return iam.acting_as(spec.logical_id)

    def calls() -> dict[str, Any]:
        return {"calls": [call.as_json() for call in recorder.take()]}

    return acting, calls


if __name__ == "__main__":
    main(sys.argv[1:])
