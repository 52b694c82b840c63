"""Outbox relay: the committed outbox entries of a table stream batch go to the event bus (up to 10 per
PutEvents), and the published ones are settled (removed, 25 per BatchWriteItem).

An entry the bus refused stays in the outbox and is reported as a batch item failure: Lambda retries the
shard from the lowest reported sequence number (entries after it may be published again: delivery is at
least once), and once its retries are exhausted the sweeper publishes what is still owed."""

from typing import Any

from financing.adapters.dynamo import from_item
from financing.adapters.outbox import publish, settle
from financing.observability import logger


def relay(records: list[dict[str, Any]]) -> list[str]:
    """Publish and settle the batch's entries; the sequence numbers of those still owed to the bus."""
    outboxes = [from_item(record["dynamodb"]["NewImage"]) for record in records]
    accepted = publish(outboxes)
    settle([outbox for outbox, ok in zip(outboxes, accepted, strict=True) if ok])
    return [
        record["dynamodb"]["SequenceNumber"] for record, ok in zip(records, accepted, strict=True) if not ok
    ]


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    owed = relay(event["Records"])
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in owed]}
