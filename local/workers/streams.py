"""DynamoDB stream event sources: each shard is read from its starting position and delivered in order,
with filter criteria, retries (bisected on function errors when asked), checkpoints on partial batch
failures, and the on-failure destination once retries are exhausted."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import math
import time
import uuid
from typing import Any

from local import moto_overhead
from local.model import StreamSource
from local.patterns import matches
from local.runtime import FunctionError
from local.workers.base import POLL_SECONDS, Sources, failed_items, iso

log = logging.getLogger("local")

# Pause between empty reads when the embedded AWS is not in this process (no change notifications):
# inserts reach the function well within a second. In the local stack a write wakes the reader at once.
STREAM_IDLE_SECONDS = 0.1


def stream_record(raw: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A DynamoDB stream record (as the streams API returns it) in the shape of Lambda's event."""
    change = dict(raw["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, dt.datetime):
        change["ApproximateCreationDateTime"] = int(created.timestamp())
    for key in ("Keys", "NewImage", "OldImage"):
        if key in change:
            change[key] = _jsonable(change[key])
    return {**raw, "dynamodb": change, "eventSourceARN": stream_arn}


def _jsonable(value: Any) -> Any:
    # The streams API client decodes binary attributes to bytes; the Lambda event carries base64 text.
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_jsonable(v) for v in value]
    return value


def poll_stream(sources: Sources, source: StreamSource) -> None:
    streams = sources.clients("dynamodbstreams")
    description = streams.describe_stream(StreamArn=source.stream_arn)["StreamDescription"]
    position = "LATEST" if source.starting_position == "LATEST" else "TRIM_HORIZON"
    iterators = {
        shard["ShardId"]: streams.get_shard_iterator(
            StreamArn=source.stream_arn, ShardId=shard["ShardId"], ShardIteratorType=position
        )["ShardIterator"]
        for shard in description["Shards"]
    }
    label = f"stream {sources.label(source.stream_arn)} -> {source.function}"
    while not sources.stop.is_set() and iterators:
        delivered = False
        seen = moto_overhead.stream_writes()  # before reading: a write from now on ends the wait below
        for shard_id, iterator in list(iterators.items()):
            response = streams.get_records(ShardIterator=iterator, Limit=1000)
            if response.get("NextShardIterator"):
                iterators[shard_id] = response["NextShardIterator"]
            else:
                del iterators[shard_id]  # the shard is closed
            records = [stream_record(r, source.stream_arn) for r in response.get("Records", [])]
            if records:
                delivered = True
                _deliver(sources, source, shard_id, label, records)
        if not delivered:
            idle = POLL_SECONDS if moto_overhead.notifies_stream_writes() else STREAM_IDLE_SECONDS
            moto_overhead.wait_for_stream_write(seen, idle)


def _deliver(sources: Sources, source: StreamSource, shard_id: str, label: str, records: list[dict]) -> None:
    if source.filters:
        records = [r for r in records if any(matches(f, r) for f in source.filters)]
    pending = records
    batch_size = source.batch_size
    attempts = 0
    front = None
    while pending and not sources.stop.is_set():
        batch = pending[:batch_size]
        if batch[0]["dynamodb"]["SequenceNumber"] != front:
            front, attempts = batch[0]["dynamodb"]["SequenceNumber"], 0
        started = time.perf_counter()
        error_text = ""
        try:
            result = sources.runtime.invoke(source.function, {"Records": batch})
            failed: list[str] | None = []
            if source.report_failures:
                failed = failed_items(result, [r["dynamodb"]["SequenceNumber"] for r in batch])
            function_error = False
        except FunctionError as error:
            failed, function_error, error_text = None, True, error.message
            log.error("%s: %d records, function error: %s", label, len(batch), error.text or error.message)
        elapsed = (time.perf_counter() - started) * 1000
        if failed == []:
            log.info("%s: %d records, %.0f ms", label, len(batch), elapsed)
            pending, batch_size = pending[len(batch) :], source.batch_size
            continue
        if failed:
            # Checkpoint: everything before the lowest failed sequence number is done.
            first = min(batch.index(r) for r in batch if r["dynamodb"]["SequenceNumber"] in failed)
            log.warning("%s: %d records, %d reported failed", label, len(batch), len(failed))
            pending, batch = pending[first:], batch[first:]
            error_text = error_text or "batch item failures reported"
        elif not function_error:
            log.error("%s: invalid batchItemFailures %r; the whole batch is retried", label, result)
            error_text = "invalid batchItemFailures response"
        if function_error and source.bisect and len(batch) > 1:
            batch_size = math.ceil(len(batch) / 2)  # bisecting does not count as a retry
            continue
        attempts += 1
        if 0 <= source.max_retries < attempts:
            _on_failure(sources, source, shard_id, batch, attempts, error_text, function_error)
            pending, batch_size = pending[len(batch) :], source.batch_size
            continue
        sources.stop.wait(min(0.1 * 2**attempts, 2.0))


def _on_failure(
    sources: Sources,
    source: StreamSource,
    shard_id: str,
    batch: list[dict],
    attempts: int,
    error: str,
    function_error: bool,
) -> None:
    spec = sources.stack.functions[source.function]
    created = [r["dynamodb"].get("ApproximateCreationDateTime") or time.time() for r in batch]
    record = {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": spec.arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": attempts,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled" if function_error else "",
        },
        "version": "1.0",
        "timestamp": iso(millis=True),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": iso(created[0], millis=True),
            "approximateArrivalOfLastRecord": iso(created[-1], millis=True),
            "batchSize": len(batch),
            "streamArn": source.stream_arn,
        },
        "errorMessage": error,  # not in AWS's record; saves a trip to the logs locally
    }
    if source.on_failure_url:
        sources.clients("sqs").send_message(QueueUrl=source.on_failure_url, MessageBody=json.dumps(record))
        where = sources.label(source.on_failure_arn or "")
    else:
        where = "nowhere (no OnFailure destination): discarded"
    log.error("%s: %d records failed %d times; sent to %s", source.function, len(batch), attempts, where)
