"""Integration tests: handlers called in-process on moto, with every resource template.yaml declares."""

import json
import logging
import os
import re

import pytest
from moto import mock_aws

from financing.adapters.aws import client
from financing.adapters.secrets import secret_string
from financing.api import idempotency
from financing.config import settings
from financing.observability import logger
from local import bus_schemas, iam, moto_queries
from local.provision import provision
from local.template import PARTITION, load_template
from tests.log_leaks import leaking_lines

TEMPLATE = load_template()


class CapturedLogs:
    def __init__(self, *handlers: "_Lines") -> None:
        self.handlers = handlers

    def text(self) -> str:
        return "\n".join(line for handler in self.handlers for line in handler.lines)

    def forget(self) -> None:
        """Drop what was captured so far: a test that logs a secret on purpose, to show the scan finds it."""
        for handler in self.handlers:
            handler.lines.clear()


class _Lines(logging.Handler):
    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(autouse=True)
def logs_hold_no_secret():
    """Every line the functions log during a test (at every level, as the formatter would write it, with its
    extra keys and tracebacks) and every other record the test makes is scanned: no tax id, token, webhook
    secret or presigned URL may appear in a log line (tests/log_leaks.py)."""
    product = logging.getLogger(logger.name)
    functions = _Lines(logger.registered_formatter)
    others = _Lines(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    level = product.level
    product.setLevel(logging.DEBUG)
    product.addHandler(functions)
    logging.getLogger().addHandler(others)
    try:
        yield CapturedLogs(functions, others)
    finally:
        product.removeHandler(functions)
        logging.getLogger().removeHandler(others)
        product.setLevel(level)
    leaking = leaking_lines(CapturedLogs(functions, others).text())
    assert not leaking, "secrets in log lines:\n" + "\n".join(leaking)


def _reset_caches():
    settings.cache_clear()
    client.cache_clear()
    secret_string.cache_clear()
    idempotency._remembered.cache_clear()


_roles: dict[str, dict] = {}
# IAM_USAGE_REPORT=<file>: what each function used during the run, to narrow policies against.
_used = iam.Usage(os.environ.get("IAM_USAGE_REPORT"))


def expanded_policies(stack) -> dict:
    """Each function's policies as SAM expands them, for this stack's resources (the roles SAM makes are the
    same in every test; the ARNs they name are not: a secret's ARN ends in a random suffix)."""
    if stack.stack_name not in _roles:
        _roles[stack.stack_name] = iam.sam_roles(stack.template, stack.resolver)
    return iam.expand_policies(stack.template, stack.resolver, _roles[stack.stack_name])


@pytest.fixture
def aws(monkeypatch, request):
    """A fresh embedded AWS holding the template's resources, with the functions' environment set (its
    queries read their page, not the whole table: local/moto_queries.py). Every AWS call a function
    makes is checked against its policy as SAM expands it (local/iam.py): a call it lacks fails the test, and
    every event put on the bus is checked against its published schema (local/bus_schemas.py)."""
    _reset_caches()
    invalid_events: list[str] = []
    with moto_queries.installed(), bus_schemas.checking(invalid_events.append), mock_aws():
        stack = provision(TEMPLATE)
        recorder = iam.Recorder(iam.Arns(PARTITION, stack.region, stack.account_id))
        with iam.recording(recorder):
            for name, value in stack.environment().items():
                monkeypatch.setenv(name, value)
            monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
            _reset_caches()
            yield stack
        calls = recorder.take()
        denied = iam.violations(calls, expanded_policies(stack))
    _used.record(calls)
    _reset_caches()
    expected = getattr(request.node, "iam_refusals", [])
    for pattern in expected:
        assert any(re.search(pattern, line) for line in denied), f"no call was refused as expected: {pattern}"
    denied = [line for line in denied if not any(re.search(pattern, line) for pattern in expected)]
    assert not denied, "AWS calls the functions' policies do not allow:\n" + "\n".join(denied)
    assert not invalid_events, "events that do not match their published schema:\n" + "\n".join(
        invalid_events
    )


@pytest.fixture
def refused_by_iam(request):
    """`refused_by_iam(pattern)`: the test means a function to make a call AWS would refuse (a regex of the
    violation line); it must happen, and it does not fail the test."""
    request.node.iam_refusals = []
    return request.node.iam_refusals.append


@pytest.fixture
def watcher(aws):
    """An SQS queue subscribed to every platform event on the bus, as a user would add one."""
    sqs, events = client("sqs"), client("events")
    url = sqs.create_queue(QueueName="watcher")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = settings().event_bus_name
    events.put_rule(
        Name="watch-all", EventBusName=bus, EventPattern=json.dumps({"source": ["invoice-financing"]})
    )
    events.put_targets(Rule="watch-all", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])

    def received():
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(message["Body"]) for message in messages]

    return received


class RunawayReads(Exception):
    """More DynamoDB Queries than any request may send: the test stops rather than wait for them all."""


@pytest.fixture
def dynamodb_queries(monkeypatch):
    """The DynamoDB Query requests sent while the test runs, in order, as sent (through the real boto3
    client, so whatever the adapters do is counted). A runaway (over 1,000) fails at once."""
    import botocore.client

    sent: list[dict] = []
    real_call = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        if operation_name == "Query" and self.meta.service_model.service_name == "dynamodb":
            sent.append(api_params)
            if len(sent) > 1000:
                raise RunawayReads(f"{len(sent)} Queries")
        return real_call(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return sent
