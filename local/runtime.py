"""Run the template's functions in-process: a small pool of isolated handler instances ("containers") per function."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import queue
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from local import settings
from local.model import FunctionSpec, Stack

log = logging.getLogger("local")

# Imports touch sys.path and sys.modules, which every container shares.
_IMPORT_LOCK = threading.Lock()
INIT_TIMEOUT = 10.0


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


class LambdaContext:
    """The context object the Python runtime passes to handlers."""

    def __init__(self, spec: FunctionSpec, region: str):
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = str(
            spec.memory
        )  # a string, as the real runtime reads it from the environment
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + spec.timeout
        self.region = region

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def lambda_environment(stack: Stack, aws_endpoint: str) -> dict[str, str]:
    """The process environment every function sees: the union of theirs, pointed at the embedded AWS."""
    environment = stack.environment()
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
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
    )
    return environment


def apply_environment(environment: Mapping[str, str]) -> None:
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(key, None)
    os.environ.update(environment)


def add_layers(paths: Iterable[Path]) -> None:
    """Put layer directories on sys.path, as Lambda extracts them to /opt/python; later layers win."""
    for path in paths:
        entry = str(path / "python") if (path / "python").is_dir() else str(path)
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)


def load_handler(spec: FunctionSpec, instance: int) -> Any:
    """Import the handler's module afresh under a unique name, so each container has its own module state.

    Sibling modules the handler imports from its own directory are imported under their plain names and
    then dropped from sys.modules, so another function's module of the same name never shadows them.
    The layer's package is shared by every container of the process (it is imported once).
    """
    module_path, _, attribute = spec.handler.rpartition(".")
    source = spec.code_dir / (module_path.replace(".", "/") + ".py")
    unique = f"_local_{spec.logical_id}_{instance}_{module_path.replace('.', '_')}"
    with _IMPORT_LOCK:
        before = set(sys.modules)
        sys.path.insert(0, str(spec.code_dir))
        try:
            module_spec = importlib.util.spec_from_file_location(unique, source)
            if module_spec is None or not source.is_file():
                raise ModuleNotFoundError(f"No module named '{module_path}' (looked for {source})")
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[unique] = module
            module_spec.loader.exec_module(module)  # type: ignore[union-attr]
        except BaseException:
            sys.modules.pop(unique, None)
            raise
        finally:
            sys.path.remove(str(spec.code_dir))
            for name in set(sys.modules) - before - {unique}:
                origin = getattr(sys.modules[name], "__file__", None) or ""
                if origin and Path(origin).resolve().is_relative_to(spec.code_dir):
                    del sys.modules[name]
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise AttributeError(f"Handler '{attribute}' missing on module '{module_path}'")
    return handler


class _Job:
    def __init__(self, event: Any):
        self.event = event
        self.started = threading.Event()  # set when the handler is called (or init failed)
        self.future: Future[Any] = Future()


class _Container:
    """One handler instance with its own thread; runs one invocation at a time, like a Lambda sandbox."""

    def __init__(self, pool: FunctionPool, instance: int):
        self.pool = pool
        self.instance = instance
        self.handler: Any = None
        self.abandoned = False
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._run, name=f"{pool.spec.logical_id}#{instance}", daemon=True
        )
        self._thread.start()

    def submit(self, event: Any) -> _Job:
        job = _Job(event)
        self._jobs.put(job)
        return job

    def stop(self) -> None:
        self._jobs.put(None)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job.future.set_result(self._invoke(job))
            except FunctionError as error:
                job.future.set_exception(error)
            job.started.set()  # also when init failed
            if not self.pool.release(self):
                return  # abandoned after a timeout, or the pool is closed

    def _invoke(self, job: _Job) -> Any:
        if self.handler is None:
            started = time.perf_counter()
            try:
                self.handler = load_handler(self.pool.spec, self.instance)
            except Exception as error:
                raise _function_error(error, "Runtime.ImportModuleError") from None
            log.info(
                "cold start %s#%d %.0f ms",
                self.pool.spec.logical_id,
                self.instance,
                (time.perf_counter() - started) * 1000,
            )
        context = LambdaContext(self.pool.spec, self.pool.region)  # the timeout starts after init
        job.started.set()
        try:
            result = self.handler(job.event, context)
        except Exception as error:
            raise _function_error(error) from None
        try:
            return json.loads(json.dumps(result))  # Lambda serialises the result; so must it be
        except (TypeError, ValueError) as error:
            raise FunctionError("Runtime.MarshalError", f"Unable to marshal response: {error}") from None


def _function_error(error: BaseException, error_type: str | None = None) -> FunctionError:
    frames = traceback.extract_tb(error.__traceback__)
    stack = [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in frames]
    text = "".join(traceback.format_exception(error))
    return FunctionError(error_type or type(error).__name__, str(error), stack, text)


class FunctionPool:
    """Up to `size` containers of one function; an invocation waits for a free one."""

    def __init__(self, spec: FunctionSpec, region: str, size: int):
        self.spec = spec
        self.region = region
        self.size = size
        self._idle: list[_Container] = []
        self._count = 0
        self._serials = 0
        self._closed = False
        self._changed = threading.Condition()

    def invoke(self, event: Any) -> Any:
        """Run the handler on a JSON copy of `event`; raises FunctionError."""
        payload = json.loads(json.dumps(event))
        container = self._acquire()
        job = container.submit(payload)
        # Lambda gives init (the import) its own 10 s; the function's Timeout counts from the handler call.
        if not job.started.wait(INIT_TIMEOUT):
            self._abandon(container)
            raise FunctionError("Runtime.InitTimeout", f"Init timed out after {INIT_TIMEOUT:.2f} seconds")
        try:
            return job.future.result(timeout=self.spec.timeout)
        except FutureTimeout:
            self._abandon(container)
            raise FunctionError(
                "Sandbox.Timedout", f"Task timed out after {self.spec.timeout:.2f} seconds"
            ) from None

    def _acquire(self) -> _Container:
        with self._changed:
            while True:
                if self._closed:
                    raise FunctionError("Local.Stopped", "the local stack is shutting down")
                if self._idle:
                    return self._idle.pop()  # most recently used first: warm containers stay warm
                if self._count < self.size:
                    self._count += 1
                    self._serials += 1
                    return _Container(self, self._serials)
                self._changed.wait()

    def release(self, container: _Container) -> bool:
        with self._changed:
            if container.abandoned or self._closed:
                return False
            self._idle.append(container)
            self._changed.notify()
            return True

    def _abandon(self, container: _Container) -> None:
        # A thread cannot be killed: the timed-out invocation runs on, its container is never reused.
        with self._changed:
            container.abandoned = True
            self._count -= 1
            self._changed.notify()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            for container in self._idle:
                container.stop()
            self._idle.clear()
            self._changed.notify_all()


class Runtime:
    """Every function of the stack, ready to invoke by logical id."""

    def __init__(self, stack: Stack, aws_endpoint: str, concurrency: int | None = None):
        self.stack = stack
        apply_environment(lambda_environment(stack, aws_endpoint))
        layers = list(dict.fromkeys(path for spec in stack.functions.values() for path in spec.layers))
        add_layers(layers)
        size = concurrency or settings.CONCURRENCY
        self.pools = {lid: FunctionPool(spec, stack.region, size) for lid, spec in stack.functions.items()}
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
        for pool in self.pools.values():
            pool.close()
