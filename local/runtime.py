"""Run the template's functions: a small pool of "containers" per function, each a process of its own.

A container is a long-lived child process (`local.container`) that loads the function's handler once, its
cold start, then serves one invocation at a time, as a Lambda sandbox does. Processes, not threads: the
functions share a layer whose libraries keep request state at module and class level (Powertools' resolver
keeps the current event on its class, the logger is shared), so two invocations in one process could see
each other's request.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from typing import IO, Any

from local import settings
from local.container import LambdaContext, add_layers, load_handler
from local.model import FunctionSpec, Stack

__all__ = [
    "AccessCheck",
    "FunctionError",
    "FunctionPool",
    "LambdaContext",
    "Runtime",
    "add_layers",
    "apply_environment",
    "lambda_environment",
    "load_handler",
]

log = logging.getLogger("local")

INIT_TIMEOUT = 10.0
# How long close() gives a container to exit once its requests pipe is closed, before killing it.
STOP_GRACE = 0.5
_PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


class FunctionError(Exception):
    """The function failed: it raised, timed out, could not be imported or returned something unserialisable."""

    def __init__(self, error_type: str, message: str, stack_trace: list[str] | None = None, text: str = ""):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace or []
        self.text = text  # the formatted traceback, for the log

    def payload(self) -> dict[str, Any]:
        """What Lambda returns for a function error."""
        return {"errorMessage": self.message, "errorType": self.error_type, "stackTrace": self.stack_trace}


def lambda_environment(stack: Stack, aws_endpoint: str, spec: FunctionSpec | None = None) -> dict[str, str]:
    """A function's environment (all functions' when `spec` is None), pointed at the embedded AWS."""
    environment = dict(spec.environment) if spec is not None else stack.environment()
    environment.update(
        {
            "AWS_ENDPOINT_URL": aws_endpoint,
            "AWS_REGION": stack.region,
            "AWS_DEFAULT_REGION": stack.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            # Keep a developer's ~/.aws (profiles, SSO, per-service endpoints) out of the local stack.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            # No X-Ray daemon here: financing.observability would create a Tracer in a Lambda environment.
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
    )
    return environment


def apply_environment(environment: Mapping[str, str]) -> None:
    for key in _PROFILE_VARIABLES:
        os.environ.pop(key, None)
    os.environ.update(environment)


def sandbox_environment(spec: FunctionSpec, region: str, environment: Mapping[str, str]) -> dict[str, str]:
    """A container's process environment: ours, the stack's, and what the Lambda runtime sets."""
    result = {k: v for k, v in os.environ.items() if k not in _PROFILE_VARIABLES}
    result.update(environment)
    result.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    result.update(
        {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"{time.strftime('%Y/%m/%d')}/[$LATEST]{os.urandom(16).hex()}",
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "_HANDLER": spec.handler,
            "TZ": ":UTC",
            "PYTHONUNBUFFERED": "1",  # the handler's log lines reach the console as they are written
        }
    )
    return result


def _stream_fd(stream: IO[str]) -> int | None:
    """The file descriptor behind sys.stdout or sys.stderr, to hand a container; None to inherit ours."""
    try:
        stream.flush()
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both of the last two
        return None


_TIMED_OUT = object()


class _Container:
    """One sandbox: a child process serving one invocation at a time over a pair of pipes."""

    def __init__(self, pool: FunctionPool, instance: int):
        self.pool = pool
        self.instance = instance
        self.name = f"{pool.spec.logical_id}#{instance}"
        self.initialised = False
        self.dead = False
        spec = pool.spec
        config = {
            "logical_id": spec.logical_id,
            "name": spec.name,
            "arn": spec.arn,
            "code_dir": str(spec.code_dir),
            "handler": spec.handler,
            "timeout": spec.timeout,
            "memory": spec.memory,
            "layers": [str(path) for path in spec.layers],
            "region": pool.region,
            "record_aws_calls": pool.access is not None,
        }
        self._spawned = time.perf_counter()
        requests_in, requests_out = os.pipe()
        responses_in, responses_out = os.pipe()
        try:
            # The handler's stdout and stderr are ours, as they are at the time (make invoke points
            # sys.stdout at stderr); the protocol has pipes of its own.
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "local.container",
                    str(requests_in),
                    str(responses_out),
                    json.dumps(config),
                ],
                pass_fds=(requests_in, responses_out),
                stdin=subprocess.DEVNULL,
                stdout=_stream_fd(sys.stdout),
                stderr=_stream_fd(sys.stderr),
                env=sandbox_environment(spec, pool.region, pool.environment),
                cwd=settings.ROOT,  # where `local` is importable from
            )
        except BaseException:
            for fd in (requests_out, responses_in):
                os.close(fd)
            raise
        finally:
            for fd in (requests_in, responses_out):
                os.close(fd)
        self._requests = os.fdopen(requests_out, "wb")
        self._replies: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        threading.Thread(
            target=self._read_replies, args=(os.fdopen(responses_in, "rb"),), name=self.name, daemon=True
        ).start()

    def _read_replies(self, responses: IO[bytes]) -> None:
        with responses:
            for line in responses:
                self._replies.put(line)
        self._replies.put(None)  # the process is gone

    def _receive(self, timeout: float) -> Any:
        try:
            line = self._replies.get(timeout=timeout)
        except queue.Empty:
            return _TIMED_OUT
        return None if line is None else json.loads(line)

    def invoke(self, payload: str) -> Any:
        """Run the handler on `payload` (an event as JSON); raises FunctionError, and marks the container dead
        when it cannot serve another invocation."""
        if not self.initialised:
            # Lambda gives init its own 10 s; the function's Timeout counts from the handler call.
            reply = self._receive(INIT_TIMEOUT)
            if reply is _TIMED_OUT:
                self.kill()
                raise FunctionError("Runtime.InitTimeout", f"Init timed out after {INIT_TIMEOUT:.2f} seconds")
            if reply is None or "error" in reply:
                error = self._failure(reply)
                self.kill()  # after an init error, it exits by itself
                raise error
            self.initialised = True
            # The handler's init, as the child measured it; then the whole of it, process start included.
            up = (time.perf_counter() - self._spawned) * 1000
            log.info("cold start %s %.0f ms (process up in %.0f ms)", self.name, reply["init_ms"], up)
        try:
            self._requests.write(b'{"event": ' + payload.encode() + b"}\n")
            self._requests.flush()
        except (OSError, ValueError):
            pass  # it died: the reader says so
        reply = self._receive(self.pool.spec.timeout)
        if reply is _TIMED_OUT:
            self.kill()
            raise FunctionError(
                "Sandbox.Timedout", f"Task timed out after {self.pool.spec.timeout:.2f} seconds"
            )
        if reply is not None and self.pool.access is not None:
            self.pool.access.judge(reply.get("calls") or [])
        if reply is None or "error" in reply:
            raise self._failure(reply)
        return reply["result"]

    def _failure(self, reply: dict[str, Any] | None) -> FunctionError:
        if reply is not None:
            error = reply["error"]
            return FunctionError(
                error["errorType"], error["errorMessage"], error["stackTrace"], reply["text"]
            )
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(1)  # its pipe closed as it exited: let it finish, for its exit status
        self.kill()
        if self.pool.closed:
            return FunctionError("Local.Stopped", "the local stack is shutting down")
        code = self.process.returncode
        status = f"signal: {_signal_name(-code)}" if code < 0 else f"exit status {code}"
        return FunctionError("Runtime.ExitError", f"Runtime exited with error: {status}")

    def stop(self, deadline: float | None = None) -> None:
        """Close its requests pipe, which ends it; without a deadline, return at once, otherwise wait
        for it to exit and kill it if it has not by then."""
        with contextlib.suppress(OSError):
            self._requests.close()
        if deadline is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(max(0.0, deadline - time.monotonic()))
        self.kill()

    def kill(self) -> None:
        """Kill the process, if it is still running, and reap it; the container is never used again."""
        self.dead = True
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        with contextlib.suppress(OSError):
            self._requests.close()


def _signal_name(number: int) -> str:
    """As Lambda words it: "signal: killed"."""
    try:
        return (signal.strsignal(number) or str(number)).lower()
    except ValueError:
        return str(number)


class FunctionPool:
    """Up to `size` containers of one function; an invocation waits for a free one."""

    def __init__(
        self,
        spec: FunctionSpec,
        region: str,
        size: int,
        environment: Mapping[str, str] | None = None,
        access: AccessCheck | None = None,
    ):
        self.spec = spec
        self.region = region
        self.size = size
        self.environment = dict(environment or {})
        self.access = access  # when set, the containers record their AWS calls and it judges them
        self.closed = False
        self._idle: list[_Container] = []
        self._containers: set[_Container] = set()
        self._count = 0  # containers, and containers being started
        self._serials = 0
        self._changed = threading.Condition()

    def invoke(self, event: Any) -> Any:
        """Run the handler on a JSON copy of `event`; raises FunctionError."""
        payload = json.dumps(event)
        container = self._acquire()
        try:
            return container.invoke(payload)
        finally:
            self._release(container)

    def _acquire(self) -> _Container:
        with self._changed:
            while True:
                if self.closed:
                    raise FunctionError("Local.Stopped", "the local stack is shutting down")
                if self._idle:
                    return self._idle.pop()  # most recently used first: warm containers stay warm
                if self._count < self.size:
                    self._count += 1
                    self._serials += 1
                    instance = self._serials
                    break
                self._changed.wait()
        try:  # started outside the lock: other invocations need not wait for it
            container = _Container(self, instance)
        except BaseException:
            with self._changed:
                self._count -= 1
                self._changed.notify()
            raise
        with self._changed:
            self._containers.add(container)
            if not self.closed:
                return container
        container.kill()
        self._release(container)
        raise FunctionError("Local.Stopped", "the local stack is shutting down")

    def _release(self, container: _Container) -> None:
        with self._changed:
            if container.dead or self.closed:
                self._containers.discard(container)
                self._count -= 1
            else:
                self._idle.append(container)
            self._changed.notify()
        if self.closed and not container.dead:
            container.kill()

    def close(self, deadline: float | None = None) -> None:
        """Stop every container, idle or busy (an invocation in flight fails with Local.Stopped); any still
        running at `deadline` (a time.monotonic(), by default STOP_GRACE from now) is killed."""
        with self._changed:
            self.closed = True
            containers = list(self._containers)
            self._idle.clear()
            self._changed.notify_all()
        deadline = time.monotonic() + STOP_GRACE if deadline is None else deadline
        for container in containers:
            container.stop()
        for container in containers:
            container.stop(deadline)


class AccessCheck:
    """Judges each AWS call a function's container made against the function's policy as SAM expands it
    (local/iam.py); a call the policy lacks is logged, as AWS would refuse it, and kept in `denied`."""

    def __init__(self, stack: Stack):
        from local import iam

        self._iam = iam
        self.policies = iam.expand_policies(stack.template, stack.resolver)
        self.denied: set[str] = set()
        self._lock = threading.Lock()

    def judge(self, calls: list[Any]) -> None:
        found = self._iam.violations([self._iam.Call.from_json(call) for call in calls], self.policies)
        with self._lock:
            new = [line for line in found if line not in self.denied]
            self.denied.update(new)
        for line in new:
            log.error("AccessDenied on AWS: %s", line)


class Runtime:
    """Every function of the stack, ready to invoke by logical id."""

    def __init__(
        self, stack: Stack, aws_endpoint: str, concurrency: int | None = None, check_access: bool = True
    ):
        self.stack = stack
        apply_environment(lambda_environment(stack, aws_endpoint))  # for this process's own AWS clients
        size = concurrency or settings.CONCURRENCY
        self.access = AccessCheck(stack) if check_access else None
        # Each container sees only its own function's variables, as in Lambda.
        self.pools = {
            lid: FunctionPool(
                spec, stack.region, size, lambda_environment(stack, aws_endpoint, spec), self.access
            )
            for lid, spec in stack.functions.items()
        }
        for spec in stack.functions.values():
            module_path = spec.handler.rpartition(".")[0]
            source = spec.code_dir / (module_path.replace(".", "/") + ".py")
            if not source.is_file():
                log.warning(
                    "%s: no handler at %s yet; invoking it will fail",
                    spec.logical_id,
                    source.relative_to(stack.root) if source.is_relative_to(stack.root) else source,
                )

    def invoke(self, logical_id: str, event: Any) -> Any:
        return self.pools[logical_id].invoke(event)

    def close(self) -> None:
        """Stop every function's containers; together they get STOP_GRACE to exit before being killed."""
        deadline = time.monotonic() + STOP_GRACE
        for pool in self.pools.values():
            pool.close(deadline)
