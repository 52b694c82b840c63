"""The outbox's way to the bus: publish committed entries, then settle them; sweep what was missed."""

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from financing.adapters.aws import client
from financing.adapters.dynamo import OUTBOX_SHARDS, from_item, to_item
from financing.clock import iso, now
from financing.config import settings
from financing.domain.events import EVENT_SOURCE

PENDING_INDEX = "outbox-pending"


class PublishFailed(Exception):
    pass


def bus_entry(outbox: dict[str, Any]) -> dict[str, Any]:
    return {
        "Source": EVENT_SOURCE,
        "DetailType": outbox["detail_type"],
        "Detail": outbox["detail"],
        "EventBusName": settings().event_bus_name,
        "Time": datetime.fromisoformat(outbox["outbox_at"].replace("Z", "+00:00")),
    }


def publish(outboxes: list[dict[str, Any]]) -> None:
    """Put the entries on the bus (at least once: subscribers dedupe on the event id in `detail`)."""
    for start in range(0, len(outboxes), 10):
        chunk = outboxes[start : start + 10]
        response = client("events").put_events(Entries=[bus_entry(outbox) for outbox in chunk])
        if response.get("FailedEntryCount"):
            failed = [entry for entry in response["Entries"] if entry.get("ErrorCode")]
            raise PublishFailed(f"{len(failed)} of {len(chunk)} events were refused: {failed[:3]}")


def settle(outbox: dict[str, Any]) -> None:
    """Remove a published entry; it may already be gone if the relay and the sweeper both published it."""
    try:
        client("dynamodb").delete_item(
            TableName=settings().table_name,
            Key=to_item({"pk": outbox["pk"], "sk": outbox["sk"]}),
            ConditionExpression="attribute_exists(pk)",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise


def unpublished(older_than: timedelta, page_size: int = 100) -> list[dict[str, Any]]:
    """Entries still owed to the bus that were written at least `older_than` ago."""
    cutoff = iso(now() - older_than)
    entries: list[dict[str, Any]] = []
    for shard in range(OUTBOX_SHARDS):
        request: dict[str, Any] = {
            "TableName": settings().table_name,
            "IndexName": PENDING_INDEX,
            "KeyConditionExpression": "outbox_pending = :shard AND outbox_at <= :cutoff",
            "ExpressionAttributeValues": {":shard": {"S": f"pending#{shard}"}, ":cutoff": {"S": cutoff}},
            "Limit": page_size,
        }
        entries += [from_item(item) for item in client("dynamodb").query(**request).get("Items", [])]
    return entries
