"""The entities table: tenant-keyed items, conditional writes on a version, and the transactional outbox."""

import zlib
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from financing import exact_json
from financing.adapters.aws import client
from financing.clock import iso
from financing.config import settings
from financing.domain.errors import Conflict
from financing.domain.events import DomainEvent

OUTBOX_SHARDS = 4


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """Plain values as DynamoDB attribute values (None attributes are left out)."""
    return {key: attribute_value(value) for key, value in values.items() if value is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: plain_value(value) for key, value in item.items()}


def attribute_value(value: Any) -> dict[str, Any]:
    """As boto3's TypeSerializer, which is not imported: importing boto3 costs a cold start ~100 ms.
    Numbers are int or Decimal (a float is refused: money is never a float)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, dict):
        return {"M": {str(k): attribute_value(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [attribute_value(v) for v in value]}
    if isinstance(value, set | frozenset) and value:
        if all(isinstance(v, str) for v in value):
            return {"SS": sorted(value)}
        if all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in value):
            return {"NS": [str(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB: {value!r}")


def plain_value(value: dict[str, Any]) -> Any:
    """As boto3's TypeDeserializer: numbers come back as Decimal."""
    ((kind, data),) = value.items()
    if kind == "S" or kind == "B" or kind == "BOOL":
        return data
    if kind == "N":
        return Decimal(data)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: plain_value(v) for k, v in data.items()}
    if kind == "L":
        return [plain_value(v) for v in data]
    if kind == "SS" or kind == "BS":
        return set(data)
    if kind == "NS":
        return {Decimal(v) for v in data}
    raise TypeError(f"unknown DynamoDB attribute type {kind}")


def tenant_key(tenant_id: str, collection: str) -> str:
    """Partition key of a tenant's collection: it always starts with the tenant id."""
    return f"{tenant_id}#{collection}"


def outbox_shard(event_id: str) -> str:
    return f"pending#{zlib.crc32(event_id.encode()) % OUTBOX_SHARDS}"


def outbox_entry(event: DomainEvent) -> dict[str, Any]:
    """The outbox row written in the same transaction as the change it announces."""
    return {
        "pk": tenant_key(event.tenant_id, "OUTBOX"),
        "sk": event.id,
        "kind": "outbox",
        "detail_type": event.type,
        "detail": exact_json.dumps(event.detail),
        "outbox_pending": outbox_shard(event.id),
        "outbox_at": iso(event.occurred_at),
    }


class TransactionRefused(Exception):
    """A condition of a multi-item transaction failed; `failed` holds the index of each failing write."""

    def __init__(self, failed: list[int]) -> None:
        super().__init__(f"conditions failed at {failed}")
        self.failed = failed


def _at_version(expected_version: int) -> dict[str, Any]:
    """The condition of a write that must find the item still at `expected_version`."""
    return {
        "ConditionExpression": "#v = :expected",
        "ExpressionAttributeNames": {"#v": "version"},
        "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
    }


def put_new(table_name: str, item: dict[str, Any]) -> dict[str, Any]:
    """A transaction write creating an item that must not exist yet."""
    return {
        "Put": {
            "TableName": table_name,
            "Item": to_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def put_versioned(table_name: str, item: dict[str, Any], expected_version: int) -> dict[str, Any]:
    """A transaction write replacing an item only if it is still at `expected_version`."""
    return {
        "Put": {
            "TableName": table_name,
            "Item": to_item(item),
            **_at_version(expected_version),
        }
    }


def delete(table_name: str, key: dict[str, str], expected_version: int | None = None) -> dict[str, Any]:
    """A transaction write deleting an item; with `expected_version`, only if it is still at that version."""
    condition = _at_version(expected_version) if expected_version is not None else {}
    return {"Delete": {"TableName": table_name, "Key": to_item(key), **condition}}


def update(
    table_name: str,
    key: dict[str, str],
    expression: str,
    values: dict[str, Any],
    condition: str | None = None,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A transaction write updating attributes in place (counters, pointers), optionally conditional."""
    operation: dict[str, Any] = {
        "TableName": table_name,
        "Key": to_item(key),
        "UpdateExpression": expression,
        "ExpressionAttributeValues": to_item(values),
    }
    if condition:
        operation["ConditionExpression"] = condition
    if names:
        operation["ExpressionAttributeNames"] = names
    return {"Update": operation}


class EntityTable:
    """Single-table access for every entity type; each write carries its event into the outbox."""

    def __init__(self, table_name: str | None = None) -> None:
        self.table_name = table_name or settings().table_name

    def _outbox_put(self, event: DomainEvent) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": to_item(outbox_entry(event)),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _transact(self, entity_write: dict[str, Any], event: DomainEvent, conflict: Conflict) -> None:
        try:
            client("dynamodb").transact_write_items(TransactItems=[entity_write, self._outbox_put(event)])
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                reasons = error.response.get("CancellationReasons", [])
                if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                    raise conflict from error
            raise

    def commit(self, writes: list[dict[str, Any]], events: list[DomainEvent]) -> None:
        """Several writes and their events as one transaction: all or nothing.

        Raises TransactionRefused naming which writes' conditions failed, so that the caller can say why.
        """
        items = writes + [self._outbox_put(event) for event in events]
        try:
            client("dynamodb").transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            failed = [n for n, reason in enumerate(reasons) if reason.get("Code") == "ConditionalCheckFailed"]
            if not failed:
                raise
            raise TransactionRefused(failed) from error

    def insert(self, item: dict[str, Any], event: DomainEvent, conflict: Conflict) -> None:
        """Create an item that must not exist yet, with its event."""
        put = {
            "TableName": self.table_name,
            "Item": to_item({**item, "version": item.get("version", 1)}),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        self._transact({"Put": put}, event, conflict)

    def replace(
        self, item: dict[str, Any], expected_version: int, event: DomainEvent, conflict: Conflict
    ) -> None:
        """Overwrite an item only if nobody changed it since `expected_version` was read."""
        put = {
            "TableName": self.table_name,
            "Item": to_item(item),
            **_at_version(expected_version),
        }
        self._transact({"Put": put}, event, conflict)

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        response = client("dynamodb").get_item(
            TableName=self.table_name, Key=to_item({"pk": pk, "sk": sk}), ConsistentRead=True
        )
        item = response.get("Item")
        return from_item(item) if item else None

    def get_many(self, keys: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Several items in one consistent BatchGetItem, by (pk, sk); missing items are absent."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        unique = {(key["pk"], key["sk"]): key for key in keys}.values()  # BatchGetItem refuses duplicates
        if not unique:
            return found  # nor does it take an empty list
        request = {self.table_name: {"Keys": [to_item(key) for key in unique], "ConsistentRead": True}}
        while request:
            response = client("dynamodb").batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self.table_name, []):
                values = from_item(item)
                found[(values["pk"], values["sk"])] = values
            request = response.get("UnprocessedKeys") or {}
        return found

    def page(
        self,
        pk: str,
        *,
        limit: int,
        after_sk: str | None = None,
        newest_first: bool = True,
        via: tuple[str, str, str] | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page of a collection in key order, and whether more items follow.

        `via` = (index, attribute, value) reads the part of the collection whose `attribute` is `value`
        from that index instead (an index keyed on `attribute` and `sk`)."""
        index, attribute, value = via or (None, "pk", pk)
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#p = :p",
            "ExpressionAttributeNames": {"#p": attribute},
            "ExpressionAttributeValues": {":p": {"S": value}},
            "ScanIndexForward": not newest_first,
            # One extra item tells whether another page exists without a second request.
            "Limit": limit + 1,
        }
        if index is not None:
            request["IndexName"] = index
        if after_sk is not None:
            request["ExclusiveStartKey"] = to_item({"pk": pk, "sk": after_sk, attribute: value})
        items = [from_item(item) for item in client("dynamodb").query(**request).get("Items", [])]
        return items[:limit], len(items) > limit
