"""The local stack as a subprocess (`python -m local`) on free loopback ports, shared by the e2e tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from local.bus_schemas import VIOLATION
from tests.log_leaks import leaking_lines

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60
BANNER_TOKEN = "    export TOKEN="
ACCESS_DENIED = "AccessDenied on AWS: "  # what local/runtime.py logs for a call a function's policy lacks


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LocalStackProcess:
    api_url: str
    aws_endpoint: str
    process: subprocess.Popen
    log: Path
    region: str = "us-east-1"

    def client(self, service: str) -> Any:
        """A boto3 client for the stack's embedded AWS."""
        return boto3.client(
            service,
            endpoint_url=self.aws_endpoint,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
        )

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Response:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api_url + path, data=data, method=method, headers=headers or {})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return Response(reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())

    def health(self) -> dict[str, Any]:
        return self.request("GET", "/health").json()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_healthy(stack: LocalStackProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            pytest.fail(f"the local stack exited with {stack.process.returncode}:\n{stack.output()}")
        try:
            if stack.request("GET", "/health").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    stack.process.kill()
    pytest.fail(f"the local stack was not healthy within {START_TIMEOUT} s:\n{stack.output()}")


@contextlib.contextmanager
def launch(log_dir: Path, **environment: str) -> Iterator[LocalStackProcess]:
    """`python -m local` on two free ports; stopped with SIGTERM at the end, which must exit cleanly, having
    logged no tax id, token, webhook secret or presigned URL, and no AWS call a function's policy lacks."""
    aws_port, port = free_port(), free_port()
    log = log_dir / "output.log"
    env = {**os.environ, "AWS_PORT": str(aws_port), "PORT": str(port), "PYTHONUNBUFFERED": "1", **environment}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    running = LocalStackProcess(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{aws_port}", process, log)
    try:
        _wait_healthy(running)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                pytest.fail(f"the local stack did not stop within 10 s of SIGTERM:\n{running.output()}")
    assert process.returncode == 0, f"the local stack exited with {process.returncode}:\n{running.output()}"
    # Everything the stack and its functions logged, scanned once it stopped (tests/log_leaks.py).
    # The start-up banner prints a development token (signed with the public development secret) for the
    # developer at the terminal, as the README documents: that line is the one the scan leaves out.
    logged = "\n".join(line for line in running.output().splitlines() if not line.startswith(BANNER_TOKEN))
    leaking = leaking_lines(logged)
    assert not leaking, "secrets in the local stack's log lines:\n" + "\n".join(leaking)
    # Every AWS call a function made, judged against its policy as SAM expands it (local/iam.py).
    denied = [line for line in logged.splitlines() if ACCESS_DENIED in line]
    assert not denied, "AWS calls the functions' policies do not allow:\n" + "\n".join(denied)
    # Every event put on the bus, checked against its published schema (local/bus_schemas.py).
    invalid = [line for line in logged.splitlines() if VIOLATION in line]
    assert not invalid, "events that do not match their published schema:\n" + "\n".join(invalid)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackProcess]:
    """The project's stack, from template.yaml."""
    with launch(tmp_path_factory.mktemp("local-stack")) as running:
        yield running


def subscribe(
    stack: LocalStackProcess, pattern: dict[str, Any], name: str | None = None
) -> Callable[..., dict[str, Any]]:
    """A user's own SQS queue subscribed to the stack's bus with `pattern`; returns `wait_for(predicate)`,
    which answers the first event received so far or later that matches (every event is remembered, so
    waiting for one event never loses another)."""
    sqs, events = stack.client("sqs"), stack.client("events")
    bus = stack.health()["resources"]["EventBus"]
    name = name or f"watcher-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "watcher", "Arn": arn}])
    seen: list[dict[str, Any]] = []

    def wait_for(predicate: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in seen:
                if predicate(event):
                    return event
            if time.monotonic() > deadline:
                raise AssertionError(f"no matching event within {timeout}s:\n{stack.output()[-3000:]}")
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            ):
                seen.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    return wait_for
