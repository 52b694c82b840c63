"""Event shapes and batch-failure handling of the local stack's workers."""

import base64
import datetime as dt

from local.model import RuleTarget
from local.workers import failed_items, scheduled_event, sqs_record, stream_record


def test_sqs_records_have_the_lambda_shape():
    message = {
        "MessageId": "m-1",
        "ReceiptHandle": "rh",
        "Body": "{}",
        "MD5OfBody": "md5",
        "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
        "MessageAttributes": {"kind": {"StringValue": "x", "DataType": "String"}},
    }
    record = sqs_record(message, "arn:aws:sqs:us-east-1:123456789012:q", "us-east-1")
    assert record == {
        "messageId": "m-1",
        "receiptHandle": "rh",
        "body": "{}",
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
        "messageAttributes": {
            "kind": {"stringValue": "x", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
        },
        "md5OfBody": "md5",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
        "awsRegion": "us-east-1",
    }


def test_stream_records_are_json_ready():
    created = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    raw = {
        "eventID": "e",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "ApproximateCreationDateTime": created,
            "Keys": {"pk": {"S": "a"}},
            "NewImage": {"pk": {"S": "a"}, "blob": {"B": b"\x01"}, "set": {"BS": [b"\x02"]}},
            "SequenceNumber": "1",
            "SizeBytes": 10,
            "StreamViewType": "NEW_IMAGE",
        },
    }
    record = stream_record(raw, "arn:stream")
    assert record["eventSourceARN"] == "arn:stream"
    assert record["dynamodb"]["ApproximateCreationDateTime"] == int(created.timestamp())
    assert record["dynamodb"]["NewImage"]["blob"] == {"B": base64.b64encode(b"\x01").decode()}
    assert record["dynamodb"]["NewImage"]["set"] == {"BS": [base64.b64encode(b"\x02").decode()]}


def test_batch_item_failures():
    ids = ["1", "2", "3"]
    assert failed_items(None, ids) == []
    assert failed_items({}, ids) == []
    assert failed_items({"batchItemFailures": []}, ids) == []
    assert failed_items({"batchItemFailures": [{"itemIdentifier": "2"}]}, ids) == ["2"]
    assert failed_items({"batchItemFailures": [{"itemIdentifier": "9"}]}, ids) is None  # unknown id: all fail
    assert failed_items({"batchItemFailures": [{"itemIdentifier": ""}]}, ids) is None
    assert failed_items("nope", ids) is None


def test_scheduled_events_have_the_eventbridge_shape():
    target = RuleTarget(
        "FnEvery",
        "stk-FnEvery",
        "arn:aws:events:us-east-1:1:rule/stk-FnEvery",
        "Fn",
        "t",
        schedule="rate(5 minutes)",
        pattern=None,
        enabled=True,
    )
    event = scheduled_event(target, "123456789012", "us-east-1")
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["resources"] == [target.rule_arn]
    assert event["detail"] == {} and event["account"] == "123456789012" and event["time"].endswith("Z")
    target.input = '{"custom": true}'
    assert scheduled_event(target, "1", "r") == {"custom": True}


def test_rate_schedules_run_by_themselves_when_enabled(monkeypatch):
    import threading
    import types

    from local import workers

    monkeypatch.setitem(workers.RATE_UNITS, "m", 0.05)  # rate(1 minute) every 50 ms
    fired = threading.Event()
    calls = []

    class Runtime:
        def invoke(self, function, event):
            calls.append((function, event["detail-type"]))
            if len(calls) >= 2:
                fired.set()
            return None

    rules = [
        RuleTarget(
            "FnTick",
            "stk-FnTick",
            "arn:aws:events:r:1:rule/stk-FnTick",
            "Fn",
            "t",
            schedule="rate(1 minute)",
            pattern=None,
            enabled=True,
        ),
        RuleTarget(
            "FnOff",
            "stk-FnOff",
            "arn:aws:events:r:1:rule/stk-FnOff",
            "Fn",
            "t",
            schedule="rate(1 minute)",
            pattern=None,
            enabled=False,
        ),
    ]
    stack = types.SimpleNamespace(rules=rules, account_id="1", region="r", sqs_sources=[], stream_sources=[])
    runner = workers.Workers(stack, Runtime(), clients=None, run_schedules=True)
    runner.start()
    assert fired.wait(2)
    runner.stop()
    assert calls[:2] == [("Fn", "Scheduled Event")] * 2
    assert runner.dead() == []


def test_an_sqs_source_with_a_maximum_concurrency_is_polled_by_that_many_pollers_at_most_the_containers(
    monkeypatch,
):
    import threading
    import time
    import types

    from local import settings, workers
    from local.model import SqsSource

    monkeypatch.setattr(settings, "CONCURRENCY", 3)
    polling = set()

    class Queue:
        def receive_message(self, **_):
            polling.add(threading.current_thread().name)
            time.sleep(0.05)
            return {}

    def source(name, concurrency):
        return SqsSource(name, "Queue", "arn:aws:sqs:r:1:q", "url", 10, True, [], True, concurrency)

    stack = types.SimpleNamespace(
        rules=[], sqs_sources=[source("One", 1), source("Many", 50)], stream_sources=[], attributes={}
    )
    runner = workers.Workers(stack, runtime=None, clients=lambda service: Queue())
    runner.start()
    time.sleep(0.3)
    runner.stop()
    assert sorted(polling) == ["sqs:Many.Queue", "sqs:Many.Queue#2", "sqs:Many.Queue#3", "sqs:One.Queue"]
    assert runner.dead() == []
