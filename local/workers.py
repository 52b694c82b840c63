"""Asynchronous event sources: SQS queues, DynamoDB streams and EventBridge rules that target the stack's functions."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import math
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from local import settings
from local.model import RuleTarget, SqsSource, Stack, StreamSource
from local.patterns import matches
from local.provision import Clients
from local.runtime import FunctionError

if TYPE_CHECKING:
    from local.runtime import Runtime

log = logging.getLogger("local")

POLL_SECONDS = 1  # SQS long poll; also how long shutdown may wait for a poller
STREAM_IDLE_SECONDS = 0.1  # pause between empty stream reads: inserts reach the function well within a second
RATE_UNITS = {"m": 60, "h": 3600, "d": 86400}  # seconds per rate(...) unit
_RATE = re.compile(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)")


def _iso(moment: float | None = None, *, millis: bool = False) -> str:
    stamp = dt.datetime.fromtimestamp(time.time() if moment is None else moment, dt.UTC)
    if millis:
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------------------ event shapes


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


def scheduled_event(target: RuleTarget, account_id: str, region: str) -> Any:
    if target.input:
        return json.loads(target.input)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": _iso(),
        "region": region,
        "resources": [target.rule_arn],
        "detail": {},
    }


def failed_items(result: Any, identifiers: list[str]) -> list[str] | None:
    """Item identifiers of a ReportBatchItemFailures response; None means the response is invalid (all failed)."""
    if result is None:
        return []
    if not isinstance(result, dict):
        return None
    failures = result.get("batchItemFailures")
    if failures is None:
        return []
    if not isinstance(failures, list):
        return None
    found = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in identifiers:
            return None
        found.append(identifier)
    return found


def _input_path(event: Any, path: str) -> Any:
    # Targets' InputPath is a JSONPath; the dotted subset ($.detail.x) is what rules use in practice.
    value = event
    for part in path.removeprefix("$").strip(".").split("."):
        if part:
            value = value[part]
    return value


# ------------------------------------------------------------------------------------------------ workers


class Workers:
    """One thread per event source; `stop()` ends them all within about a second."""

    def __init__(self, stack: Stack, runtime: Runtime, clients: Clients, *, run_schedules: bool = False):
        self.stack = stack
        self.runtime = runtime
        self.clients = clients
        self.run_schedules = run_schedules
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._finished: set[str] = set()

    # -- lifecycle

    def start(self) -> None:
        for source in self.stack.sqs_sources:
            if source.enabled:
                # Several pollers where the source allows concurrent batches, as Lambda scales out: a slow
                # batch then holds up only its own poller (never more than the function's containers).
                for n in range(max(1, min(source.max_concurrency, settings.CONCURRENCY))):
                    suffix = f"#{n + 1}" if n else ""
                    self._spawn(f"sqs:{source.function}.{source.event}{suffix}", self._poll_queue, source)
        for stream in self.stack.stream_sources:
            if stream.enabled:
                self._spawn(f"stream:{stream.function}.{stream.event}", self._poll_stream, stream)
        for target in self.stack.rules:
            if target.queue_url:
                self._spawn(f"rule:{target.rule_id}.{target.target_id}", self._poll_rule, target)
        if self.run_schedules and any(t.schedule and t.enabled for t in self.stack.rules):
            self._spawn("schedules", self._run_rates)

    def _spawn(self, name: str, loop: Callable[..., None], *args: Any) -> None:
        def guarded() -> None:
            # A worker survives failures of the embedded AWS (logged, then retried after a pause).
            while not self._stop.is_set():
                try:
                    loop(*args)
                    self._finished.add(name)  # nothing left to do (e.g. no schedule with a rate)
                    return
                except Exception:
                    if self._stop.is_set():
                        return
                    log.exception("worker %s failed; restarting it", name)
                    self._stop.wait(1)

        thread = threading.Thread(target=guarded, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def dead(self) -> list[str]:
        return [t.name for t in self._threads if not t.is_alive() and t.name not in self._finished]

    def names(self) -> list[str]:
        return [t.name for t in self._threads]

    def _label(self, arn: str) -> str:
        """The logical id behind an ARN, for log lines."""
        for logical_id, attributes in self.stack.attributes.items():
            if arn in (attributes.get("Arn"), attributes.get("StreamArn")):
                return logical_id
        return arn.rsplit(":", 1)[-1]

    # -- SQS event sources

    def _poll_queue(self, source: SqsSource) -> None:
        sqs = self.clients("sqs")
        label = f"sqs {self._label(source.queue_arn)} -> {source.function}"
        while not self._stop.is_set():
            messages = sqs.receive_message(
                QueueUrl=source.queue_url,
                MaxNumberOfMessages=max(1, min(source.batch_size, 10)),
                WaitTimeSeconds=POLL_SECONDS,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if messages:
                self._deliver_messages(sqs, source, label, messages)

    def _deliver_messages(
        self, sqs: Any, source: SqsSource, label: str, messages: list[dict[str, Any]]
    ) -> None:
        records = [sqs_record(m, source.queue_arn, self.stack.region) for m in messages]
        if source.filters:
            # Lambda drops (deletes) messages no filter matches; a JSON body is matched as an object.
            kept = [r for r in records if any(matches(f, _filterable(r)) for f in source.filters)]
            dropped = [r for r in records if r not in kept]
            self._delete(sqs, source.queue_url, dropped)
            records = kept
            if not records:
                return
        started = time.perf_counter()
        try:
            result = self.runtime.invoke(source.function, {"Records": records})
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
        self._delete(sqs, source.queue_url, [r for r in records if r["messageId"] not in failed])
        elapsed = (time.perf_counter() - started) * 1000
        log.info("%s: %d records, %d failed, %.0f ms", label, len(records), len(failed), elapsed)

    @staticmethod
    def _delete(sqs: Any, queue_url: str, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
                for i, r in enumerate(records[start : start + 10])
            ]
            if entries:
                sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)

    # -- DynamoDB streams

    def _poll_stream(self, source: StreamSource) -> None:
        streams = self.clients("dynamodbstreams")
        description = streams.describe_stream(StreamArn=source.stream_arn)["StreamDescription"]
        position = "LATEST" if source.starting_position == "LATEST" else "TRIM_HORIZON"
        iterators = {
            shard["ShardId"]: streams.get_shard_iterator(
                StreamArn=source.stream_arn, ShardId=shard["ShardId"], ShardIteratorType=position
            )["ShardIterator"]
            for shard in description["Shards"]
        }
        label = f"stream {self._label(source.stream_arn)} -> {source.function}"
        while not self._stop.is_set() and iterators:
            delivered = False
            for shard_id, iterator in list(iterators.items()):
                response = streams.get_records(ShardIterator=iterator, Limit=1000)
                if response.get("NextShardIterator"):
                    iterators[shard_id] = response["NextShardIterator"]
                else:
                    del iterators[shard_id]  # the shard is closed
                records = [stream_record(r, source.stream_arn) for r in response.get("Records", [])]
                if records:
                    delivered = True
                    self._deliver_stream(source, shard_id, label, records)
            if not delivered:
                self._stop.wait(STREAM_IDLE_SECONDS)

    def _deliver_stream(self, source: StreamSource, shard_id: str, label: str, records: list[dict]) -> None:
        if source.filters:
            records = [r for r in records if any(matches(f, r) for f in source.filters)]
        pending = records
        batch_size = source.batch_size
        attempts = 0
        front = None
        while pending and not self._stop.is_set():
            batch = pending[:batch_size]
            if batch[0]["dynamodb"]["SequenceNumber"] != front:
                front, attempts = batch[0]["dynamodb"]["SequenceNumber"], 0
            started = time.perf_counter()
            error_text = ""
            try:
                result = self.runtime.invoke(source.function, {"Records": batch})
                failed: list[str] | None = []
                if source.report_failures:
                    failed = failed_items(result, [r["dynamodb"]["SequenceNumber"] for r in batch])
                function_error = False
            except FunctionError as error:
                failed, function_error, error_text = None, True, error.message
                log.error(
                    "%s: %d records, function error: %s", label, len(batch), error.text or error.message
                )
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
                self._on_failure(source, shard_id, batch, attempts, error_text, function_error)
                pending, batch_size = pending[len(batch) :], source.batch_size
                continue
            self._stop.wait(min(0.1 * 2**attempts, 2.0))

    def _on_failure(
        self,
        source: StreamSource,
        shard_id: str,
        batch: list[dict],
        attempts: int,
        error: str,
        function_error: bool,
    ) -> None:
        spec = self.stack.functions[source.function]
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
            "timestamp": _iso(millis=True),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(created[0], millis=True),
                "approximateArrivalOfLastRecord": _iso(created[-1], millis=True),
                "batchSize": len(batch),
                "streamArn": source.stream_arn,
            },
            "errorMessage": error,  # not in AWS's record; saves a trip to the logs locally
        }
        if source.on_failure_url:
            self.clients("sqs").send_message(QueueUrl=source.on_failure_url, MessageBody=json.dumps(record))
            where = self._label(source.on_failure_arn or "")
        else:
            where = "nowhere (no OnFailure destination): discarded"
        log.error("%s: %d records failed %d times; sent to %s", source.function, len(batch), attempts, where)

    # -- rules targeting functions

    def _poll_rule(self, target: RuleTarget) -> None:
        sqs = self.clients("sqs")
        spec = self.stack.functions[target.function]
        label = f"rule {target.rule_id} -> {target.function}"
        while not self._stop.is_set():
            messages = sqs.receive_message(
                QueueUrl=target.queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=POLL_SECONDS,
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            ).get("Messages", [])
            for message in messages:
                event = json.loads(message["Body"])
                if isinstance(event, dict) and "detail-type" in event:
                    event.setdefault("account", self.stack.account_id)  # moto leaves it out
                if target.input:
                    event = json.loads(target.input)
                elif target.input_path:
                    event = _input_path(event, target.input_path)
                started = time.perf_counter()
                try:
                    self.runtime.invoke(target.function, event)
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
                    self._async_failure(spec.dead_letter_queue, event, label)
                else:
                    log.info("%s: 1 event, %.0f ms", label, (time.perf_counter() - started) * 1000)
                sqs.delete_message(QueueUrl=target.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def _async_failure(self, dead_letter_arn: str | None, event: Any, label: str) -> None:
        if not dead_letter_arn:
            log.error("%s: retries exhausted; event discarded", label)
            return
        name, account = dead_letter_arn.split(":")[5], dead_letter_arn.split(":")[4]
        sqs = self.clients("sqs")
        url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
        log.error("%s: retries exhausted; event sent to %s", label, self._label(dead_letter_arn))

    # -- schedules

    def schedule_names(self) -> list[str]:
        names = []
        for target in self.stack.rules:
            if target.schedule:
                names += [target.function, target.rule_id]
        return sorted(set(names))

    def run_schedule(self, name: str) -> list[dict[str, Any]] | None:
        """Fire every schedule of function or rule `name` now; None when there is none."""
        targets = [t for t in self.stack.rules if t.schedule and name in (t.function, t.rule_id, t.rule_name)]
        if not targets:
            return None
        return [self._fire(target) for target in targets]

    def _fire(self, target: RuleTarget) -> dict[str, Any]:
        event = scheduled_event(target, self.stack.account_id, self.stack.region)
        outcome: dict[str, Any] = {"rule": target.rule_id, "function": target.function}
        started = time.perf_counter()
        try:
            outcome.update(ok=True, result=self.runtime.invoke(target.function, event))
        except FunctionError as error:
            log.error(
                "schedule %s -> %s failed: %s", target.rule_id, target.function, error.text or error.message
            )
            outcome.update(ok=False, error=error.payload())
        log.info(
            "schedule %s -> %s: %s, %.0f ms",
            target.rule_id,
            target.function,
            "ok" if outcome["ok"] else "error",
            (time.perf_counter() - started) * 1000,
        )
        return outcome

    def _run_rates(self) -> None:
        periods: dict[int, float] = {}
        for index, target in enumerate(self.stack.rules):
            if not (target.schedule and target.enabled):
                continue
            match = _RATE.fullmatch(target.schedule.strip())
            if not match:
                log.warning("schedule %s (%s) runs on demand only locally", target.rule_id, target.schedule)
                continue
            unit = RATE_UNITS[match.group(2)[0]]
            periods[index] = int(match.group(1)) * unit
        due = {index: time.monotonic() + period for index, period in periods.items()}
        while due and not self._stop.is_set():
            index = min(due, key=due.__getitem__)
            if self._stop.wait(max(0.0, due[index] - time.monotonic())):
                return
            self._fire(self.stack.rules[index])
            due[index] = time.monotonic() + periods[index]


def _filterable(record: dict[str, Any]) -> dict[str, Any]:
    try:
        body = json.loads(record["body"])
    except ValueError:
        return record
    return {**record, "body": body} if isinstance(body, dict) else record
