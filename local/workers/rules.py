"""EventBridge rules targeting functions: the rule delivers to a queue of the stack's own (moto cannot
invoke a function), read here and invoked asynchronously, with the function's retries and its
dead-letter queue."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from local.model import RuleTarget
from local.runtime import FunctionError
from local.workers.base import POLL_SECONDS, Sources

log = logging.getLogger("local")


def _input_path(event: Any, path: str) -> Any:
    # Targets' InputPath is a JSONPath; the dotted subset ($.detail.x) is what rules use in practice.
    value = event
    for part in path.removeprefix("$").strip(".").split("."):
        if part:
            value = value[part]
    return value


def poll_rule(sources: Sources, target: RuleTarget) -> None:
    sqs = sources.clients("sqs")
    spec = sources.stack.functions[target.function]
    label = f"rule {target.rule_id} -> {target.function}"
    while not sources.stop.is_set():
        messages = sqs.receive_message(
            QueueUrl=target.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=POLL_SECONDS,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        ).get("Messages", [])
        for message in messages:
            event = json.loads(message["Body"])
            if isinstance(event, dict) and "detail-type" in event:
                event.setdefault("account", sources.stack.account_id)  # moto leaves it out
            if target.input:
                event = json.loads(target.input)
            elif target.input_path:
                event = _input_path(event, target.input_path)
            started = time.perf_counter()
            try:
                sources.runtime.invoke(target.function, event)
            except FunctionError as error:
                received = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
                log.error("%s: attempt %d failed: %s", label, received, error.text or error.message)
                if received <= spec.retry_attempts:
                    # An asynchronous invocation is retried (sooner than AWS's minutes, locally).
                    sqs.change_message_visibility(
                        QueueUrl=target.queue_url,
                        ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=1,
                    )
                    continue
                _async_failure(sources, spec.dead_letter_queue, event, label)
            else:
                log.info("%s: 1 event, %.0f ms", label, (time.perf_counter() - started) * 1000)
            sqs.delete_message(QueueUrl=target.queue_url, ReceiptHandle=message["ReceiptHandle"])


def _async_failure(sources: Sources, dead_letter_arn: str | None, event: Any, label: str) -> None:
    if not dead_letter_arn:
        log.error("%s: retries exhausted; event discarded", label)
        return
    name, account = dead_letter_arn.split(":")[5], dead_letter_arn.split(":")[4]
    sqs = sources.clients("sqs")
    url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    log.error("%s: retries exhausted; event sent to %s", label, sources.label(dead_letter_arn))
