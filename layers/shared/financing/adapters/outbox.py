"""The outbox's way to the bus: publish committed entries, then settle them; sweep what was missed."""

import time
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from financing.adapters.aws import client
from financing.adapters.dynamo import OUTBOX_SHARDS, from_item, to_item
from financing.clock import iso, now
from financing.config import settings
from financing.domain.events import EVENT_SOURCE
from financing.observability import logger

PENDING_INDEX = "outbox-pending"


class PublishFailed(Exception):
    pass


# PutEvents takes at most 10 entries and 256 KiB per call (an entry's size as EventBridge counts it).
PUT_EVENTS_ENTRIES = 10
PUT_EVENTS_BYTES = 256 * 1024
# BatchWriteItem takes at most 25 requests; what it leaves unprocessed is sent again after a pause.
BATCH_WRITE_ITEMS = 25
SETTLE_ATTEMPTS = 6
SETTLE_BACKOFF_SECONDS = 0.05
THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}


def bus_entry(outbox: dict[str, Any]) -> dict[str, Any]:
    return {
        "Source": EVENT_SOURCE,
        "DetailType": outbox["detail_type"],
        "Detail": outbox["detail"],
        "EventBusName": settings().event_bus_name,
        "Time": datetime.fromisoformat(outbox["outbox_at"].replace("Z", "+00:00")),
    }


def entry_size(entry: dict[str, Any]) -> int:
    """An entry's size as PutEvents counts it: 14 bytes for the time, then its text fields in UTF-8."""
    texts = [entry["Source"], entry["DetailType"], entry["Detail"], *entry.get("Resources", [])]
    return 14 + sum(len(text.encode()) for text in texts)


def _put_events_calls(entries: list[dict[str, Any]]) -> list[list[int]]:
    """The entries' positions grouped into calls, in order, each within PutEvents' count and size limits."""
    calls: list[list[int]] = []
    size = 0
    for position, entry in enumerate(entries):
        cost = entry_size(entry)
        if not calls or len(calls[-1]) == PUT_EVENTS_ENTRIES or size + cost > PUT_EVENTS_BYTES:
            calls.append([])
            size = 0
        calls[-1].append(position)
        size += cost
    return calls


def publish(outboxes: list[dict[str, Any]]) -> list[bool]:
    """Put the entries on the bus, up to 10 per call; whether each one was accepted, in order.

    Delivery is at least once (subscribers dedupe on the event id in `detail`); EventBridge keeps no
    order, neither within a call nor across calls. A refused entry (its own ErrorCode, or its whole call
    refused) is reported, never raised: the caller keeps it owed."""
    entries = [bus_entry(outbox) for outbox in outboxes]
    accepted = [False] * len(entries)
    for positions in _put_events_calls(entries):
        try:
            response = client("events").put_events(Entries=[entries[p] for p in positions])
        except (ClientError, BotoCoreError) as error:
            logger.warning(
                "the bus refused a PutEvents call", extra={"entries": len(positions), "error": str(error)}
            )
            continue
        results = response.get("Entries", [])
        for position, result in zip(positions, results, strict=False):
            accepted[position] = bool(result.get("EventId")) and not result.get("ErrorCode")
        if response.get("FailedEntryCount"):
            codes = sorted({result.get("ErrorCode", "") for result in results if result.get("ErrorCode")})
            logger.warning(
                "the bus refused some entries",
                extra={"refused": response["FailedEntryCount"], "entries": len(positions), "codes": codes},
            )
    return accepted


def settle(outboxes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Remove published entries (BatchWriteItem deletes, 25 a call), sending again what DynamoDB leaves
    unprocessed or throttles; the entries still there after the last attempt are returned (still owed:
    the sweeper publishes them again). An entry already gone (the relay and the sweeper both published
    it) is no error: deleting a missing item changes nothing."""
    table = settings().table_name
    keys = {(outbox["pk"], outbox["sk"]): outbox for outbox in outboxes}  # a call refuses duplicate keys
    requests = [{"DeleteRequest": {"Key": to_item({"pk": pk, "sk": sk})}} for pk, sk in keys]
    left: list[dict[str, Any]] = []
    for start in range(0, len(requests), BATCH_WRITE_ITEMS):
        pending = requests[start : start + BATCH_WRITE_ITEMS]
        for attempt in range(SETTLE_ATTEMPTS):
            if attempt:
                time.sleep(SETTLE_BACKOFF_SECONDS * 2 ** (attempt - 1))
            try:
                response = client("dynamodb").batch_write_item(RequestItems={table: pending})
            except ClientError as error:
                if error.response["Error"]["Code"] not in THROTTLED:
                    raise
                continue
            pending = (response.get("UnprocessedItems") or {}).get(table, [])
            if not pending:
                break
        left += [keys[_key(request)] for request in pending]
    if left:
        logger.warning(
            "published outbox entries not yet removed; the sweeper will", extra={"count": len(left)}
        )
    return left


def _key(request: dict[str, Any]) -> tuple[str, str]:
    key = from_item(request["DeleteRequest"]["Key"])
    return key["pk"], key["sk"]


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
