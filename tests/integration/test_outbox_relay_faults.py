"""Nothing committed is lost on the way to the bus, whatever the bus and the table refuse.

The bus (moto's EventBridge) refuses entries at random, one by one (an ErrorCode in the answer) or whole
calls (throttled); the table (moto's DynamoDB) throttles BatchWriteItem calls and leaves deletes
unprocessed. The stream is replayed as Lambda replays it: from the lowest reported sequence number, a
bounded number of times; then the sweeper runs until it succeeds. Every committed event reaches a
subscriber's queue at least once, no entry is cleared before the bus accepted it, and the outbox ends
empty."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from financing import clock
from financing.adapters import outbox as outbox_adapter
from financing.adapters.aws import client
from financing.adapters.dynamo import from_item
from financing.config import settings as platform_settings
from financing.domain.events import EVENT_SOURCE
from tests.integration.harness import Context, call, handler
from tests.integration.outbox_fixtures import outbox_rows, stream_records

pytestmark = pytest.mark.usefixtures("aws")


def throttled(operation: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, operation_name=operation
    )


class FaultyAws:
    """The real clients' PutEvents and BatchWriteItem, with refusals drawn from `rng`, and a log of what
    the bus accepted (to check that only accepted entries are ever deleted)."""

    def __init__(self, rng: random.Random, entry_refusal: float, call_refusal: float, unprocessed: float):
        self.rng, self.on = rng, True
        self.entry_refusal, self.call_refusal, self.unprocessed = entry_refusal, call_refusal, unprocessed
        self.accepted: set[str] = set()
        self.events, self.dynamodb = client("events"), client("dynamodb")
        self.real_put_events, self.real_batch_write = self.events.put_events, self.dynamodb.batch_write_item

    def install(self, monkeypatch) -> None:
        monkeypatch.setattr(self.events, "put_events", self.put_events)
        monkeypatch.setattr(self.dynamodb, "batch_write_item", self.batch_write_item)

    def put_events(self, Entries):
        if self.on and self.rng.random() < self.call_refusal:
            raise throttled("PutEvents")
        refused = [self.on and self.rng.random() < self.entry_refusal for _ in Entries]
        sent = [entry for entry, no in zip(Entries, refused, strict=True) if not no]
        answers = iter(self.real_put_events(Entries=sent)["Entries"] if sent else [])
        results = []
        for entry, no in zip(Entries, refused, strict=True):
            if no:
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "injected"})
                continue
            results.append(next(answers))
            self.accepted.add(json.loads(entry["Detail"])["id"])
        return {"FailedEntryCount": sum(refused), "Entries": results}

    def batch_write_item(self, RequestItems):
        [(table, requests)] = RequestItems.items()
        for request in requests:
            event_id = from_item(request["DeleteRequest"]["Key"])["sk"]
            assert event_id in self.accepted, f"{event_id} cleared before the bus accepted it"
        if self.on and self.rng.random() < self.call_refusal:
            raise throttled("BatchWriteItem")
        left = [r for r in requests if self.on and self.rng.random() < self.unprocessed]
        done = [r for r in requests if r not in left]
        if done:
            self.real_batch_write(RequestItems={table: done})
        return {"UnprocessedItems": {table: left} if left else {}}


def drain(url: str) -> list[str]:
    """The `detail.id` of every event on the subscriber's queue, removing them."""
    sqs, ids = client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            body = json.loads(message["Body"])
            assert body["source"] == EVENT_SOURCE
            ids.append(body["detail"]["id"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return ids


@pytest.fixture
def subscriber_queue(aws):
    sqs, events = client("sqs"), client("events")
    url = sqs.create_queue(QueueName="every-event")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = platform_settings().event_bus_name
    events.put_rule(Name="every-event", EventBusName=bus, EventPattern=json.dumps({"source": [EVENT_SOURCE]}))
    events.put_targets(Rule="every-event", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    return url


def forget_earlier_examples(url: str) -> None:
    """Examples share the embedded AWS: what a failed one left behind must not decide the next."""
    table = platform_settings().table_name
    for row in outbox_rows():
        client("dynamodb").delete_item(TableName=table, Key={"pk": row["pk"], "sk": row["sk"]})
    drain(url)


def replay_stream(records: list[dict], retries: int) -> None:
    """Lambda's partial-batch contract for a stream: the batch again from the lowest reported sequence
    number, at most `retries` times, then the records are given up (the on-failure destination)."""
    relay = handler("outbox_relay")
    pending, attempts = records, 0
    while pending:
        failed = {f["itemIdentifier"] for f in relay({"Records": pending}, Context())["batchItemFailures"]}
        if not failed:
            return
        attempts += 1
        if attempts > retries:
            return
        sequence = [r["dynamodb"]["SequenceNumber"] for r in pending]
        pending = pending[min(sequence.index(s) for s in failed) :]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    companies=st.integers(min_value=1, max_value=16),
    rng=st.randoms(use_true_random=False),
    entry_refusal=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    call_refusal=st.sampled_from([0.0, 0.1, 0.3]),
    unprocessed=st.sampled_from([0.0, 0.2, 0.6, 1.0]),
    retries=st.integers(min_value=0, max_value=3),
)
def test_every_committed_event_is_published_at_least_once_and_the_outbox_ends_empty(
    monkeypatch, subscriber_queue, companies, rng, entry_refusal, call_refusal, unprocessed, retries
):
    monkeypatch.setattr(outbox_adapter, "SETTLE_BACKOFF_SECONDS", 0)
    forget_earlier_examples(subscriber_queue)
    for n in range(companies):
        reply = call(
            "create_company",
            "POST",
            "/v1/companies",
            body={"name": f"C{n}", "address": {"country_code": "GB"}},
        )
        assert reply.status == 201
    committed = {row["sk"]["S"] for row in outbox_rows()}
    assert len(committed) == companies
    inserts = [
        r
        for r in stream_records()
        if r["eventName"] == "INSERT"
        and r["dynamodb"]["NewImage"]["kind"]["S"] == "outbox"
        and r["dynamodb"]["NewImage"]["sk"]["S"] in committed
    ]
    faults = FaultyAws(rng, entry_refusal, call_refusal, unprocessed)
    with monkeypatch.context() as patched:
        faults.install(patched)
        replay_stream(inserts, retries)
        # The sweeper runs on its schedule, still meeting faults, until a run succeeds; the faults end.
        later = datetime.now(UTC) + timedelta(minutes=3)
        clock.set_clock(lambda: later)
        try:
            for run in range(4):
                faults.on = run < 3
                try:
                    handler("outbox_sweeper")({}, Context())
                except outbox_adapter.PublishFailed:
                    continue
                if not outbox_rows():
                    break
        finally:
            clock.reset_clock()
    published = drain(subscriber_queue)
    assert committed <= set(published), f"lost: {sorted(committed - set(published))}"
    assert set(published) <= committed
    assert outbox_rows() == []


def test_the_sweeper_settles_what_the_bus_accepted_keeps_what_it_refused_and_fails_the_run(
    monkeypatch, subscriber_queue
):
    for name in ("First", "Second"):
        call(
            "create_company", "POST", "/v1/companies", body={"name": name, "address": {"country_code": "GB"}}
        )
    faults = FaultyAws(random.Random(), entry_refusal=0.0, call_refusal=0.0, unprocessed=0.0)  # noqa: S311
    faults.install(monkeypatch)

    def refuses_the_first(Entries):
        answer = faults.put_events(Entries=Entries[1:])
        refusal = {"ErrorCode": "InternalFailure", "ErrorMessage": "injected"}
        return {"FailedEntryCount": 1, "Entries": [refusal, *answer["Entries"]]}

    monkeypatch.setattr(faults.events, "put_events", refuses_the_first)
    owed = sorted(row["sk"]["S"] for row in outbox_rows())
    later = datetime.now(UTC) + timedelta(minutes=3)
    clock.set_clock(lambda: later)
    try:
        with pytest.raises(outbox_adapter.PublishFailed, match="refused 1 of 2"):
            handler("outbox_sweeper")({}, Context())
    finally:
        clock.reset_clock()
    [kept] = [row["sk"]["S"] for row in outbox_rows()]
    assert drain(subscriber_queue) == [event_id for event_id in owed if event_id != kept]
