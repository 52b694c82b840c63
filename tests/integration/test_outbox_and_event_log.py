"""The outbox's way to the bus (stream relay, sweeper) and the event log consumer."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from financing import clock
from financing.adapters.aws import client
from financing.config import settings
from tests.integration.harness import Context, call, handler
from tests.integration.outbox_fixtures import outbox_rows, stream_records

pytestmark = pytest.mark.usefixtures("aws")


def create_company(name="Acme Ltd"):
    return call(
        "create_company", "POST", "/v1/companies", body={"name": name, "address": {"country_code": "GB"}}
    )


def test_the_relay_publishes_each_committed_event_once_and_settles_it(watcher):
    company = create_company().json
    outbox_inserts = [r for r in stream_records() if r["dynamodb"]["NewImage"]["kind"]["S"] == "outbox"]
    result = handler("outbox_relay")({"Records": outbox_inserts}, Context())
    assert result == {"batchItemFailures": []}
    [event] = watcher()
    assert event["detail-type"] == "company.created" and event["source"] == "invoice-financing"
    assert event["detail"]["object"] == company and event["detail"]["id"].startswith("evt_")
    assert outbox_rows() == []


def test_a_refused_publish_is_reported_as_a_batch_failure_and_kept(monkeypatch, refused_by_iam):
    refused_by_iam(r"OutboxRelayFunction: events:PutEvents on \S+:event-bus/no-such-bus ")
    create_company()
    outbox_inserts = [r for r in stream_records() if r["dynamodb"]["NewImage"]["kind"]["S"] == "outbox"]
    monkeypatch.setenv("EVENT_BUS_NAME", "no-such-bus")
    settings.cache_clear()
    result = handler("outbox_relay")({"Records": outbox_inserts}, Context())
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [
        outbox_inserts[0]["dynamodb"]["SequenceNumber"]
    ]
    assert len(outbox_rows()) == 1


def test_the_sweeper_publishes_what_the_relay_missed_after_a_grace_period(watcher):
    create_company("Missed by the relay")
    sweep = handler("outbox_sweeper")
    assert sweep({}, Context()) == {"republished": 0}
    later = datetime.now(UTC) + timedelta(minutes=3)
    clock.set_clock(lambda: later)
    try:
        assert sweep({}, Context()) == {"republished": 1}
    finally:
        clock.reset_clock()
    [event] = watcher()
    assert event["detail"]["object"]["name"] == "Missed by the relay"
    assert outbox_rows() == []


def _sqs_event(bodies):
    return {
        "Records": [
            {
                "messageId": f"m{n}",
                "receiptHandle": f"r{n}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:event-log",
                "awsRegion": "us-east-1",
            }
            for n, body in enumerate(bodies)
        ]
    }


def test_the_event_log_records_each_event_once_and_reports_bad_messages():
    detail = {
        "id": "evt_01J00000000000000000000000",
        "type": "company.created",
        "tenant_id": "acme",
        "correlation_id": "c-1",
        "created": "2026-01-01T00:00:00Z",
        "object": {"id": "company_x"},
    }
    good = json.dumps({"detail-type": "company.created", "detail": detail})
    result = handler("record_event")(_sqs_event([good, good, "not json"]), Context())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    rows = client("dynamodb").query(
        TableName=settings().table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "acme#EVENT"}},
    )["Items"]
    assert len(rows) == 1 and rows[0]["type"]["S"] == "company.created"
