"""SQS event sources: the queue is long-polled and its messages delivered in batches, honouring filters,
ReportBatchItemFailures, visibility timeouts and (moto's) dead-letter redrive."""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any

from local.model import SqsSource
from local.patterns import matches
from local.runtime import FunctionError
from local.workers.base import POLL_SECONDS, Sources, failed_items

log = logging.getLogger("local")


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """A message as Lambda's SQS event source hands it to the function."""
    attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        attribute: dict[str, Any] = {}
        if "StringValue" in value:
            attribute["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        attribute.update({"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]})
        attributes[name] = attribute
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes") or {},
        "messageAttributes": attributes,
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def poll_queue(sources: Sources, source: SqsSource) -> None:
    sqs = sources.clients("sqs")
    label = f"sqs {sources.label(source.queue_arn)} -> {source.function}"
    while not sources.stop.is_set():
        messages = sqs.receive_message(
            QueueUrl=source.queue_url,
            MaxNumberOfMessages=max(1, min(source.batch_size, 10)),
            WaitTimeSeconds=POLL_SECONDS,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if messages:
            _deliver(sources, sqs, source, label, messages)


def _deliver(
    sources: Sources, sqs: Any, source: SqsSource, label: str, messages: list[dict[str, Any]]
) -> None:
    records = [sqs_record(m, source.queue_arn, sources.stack.region) for m in messages]
    if source.filters:
        # Lambda drops (deletes) messages no filter matches; a JSON body is matched as an object.
        kept = [r for r in records if any(matches(f, _filterable(r)) for f in source.filters)]
        dropped = [r for r in records if r not in kept]
        delete(sqs, source.queue_url, dropped)
        records = kept
        if not records:
            return
    started = time.perf_counter()
    try:
        result = sources.runtime.invoke(source.function, {"Records": records})
    except FunctionError as error:
        # Nothing is deleted: every message reappears after the visibility timeout (and moto moves it to
        # the queue's dead-letter queue after maxReceiveCount receives).
        log.error("%s: %d records, function error: %s", label, len(records), error.text or error.message)
        return
    failed: list[str] | None = []
    if source.report_failures:
        failed = failed_items(result, [r["messageId"] for r in records])
    if failed is None:
        log.error("%s: invalid batchItemFailures %r; the whole batch is retried", label, result)
        return
    delete(sqs, source.queue_url, [r for r in records if r["messageId"] not in failed])
    elapsed = (time.perf_counter() - started) * 1000
    log.info("%s: %d records, %d failed, %.0f ms", label, len(records), len(failed), elapsed)


def delete(sqs: Any, queue_url: str, records: list[dict[str, Any]]) -> None:
    for start in range(0, len(records), 10):
        entries = [
            {"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
            for i, r in enumerate(records[start : start + 10])
        ]
        if entries:
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)


def _filterable(record: dict[str, Any]) -> dict[str, Any]:
    try:
        body = json.loads(record["body"])
    except ValueError:
        return record
    return {**record, "body": body} if isinstance(body, dict) else record
