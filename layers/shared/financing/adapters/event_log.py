"""The tenant's event log: every event the bus carried, kept 90 days, written once per event id."""

from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from financing import exact_json
from financing.adapters.aws import client
from financing.adapters.dynamo import tenant_key, to_item
from financing.clock import now
from financing.config import settings

RETENTION = timedelta(days=90)


def record(detail_type: str, detail: dict[str, Any]) -> bool:
    """Store one event; False when it was already recorded (the bus delivers at least once)."""
    item = {
        "pk": tenant_key(detail["tenant_id"], "EVENT"),
        "sk": detail["id"],
        "kind": "event",
        "type": detail_type,
        "created": detail["created"],
        "correlation_id": detail.get("correlation_id"),
        "object": exact_json.dumps(detail["object"]),
        "expires_at": int((now() + RETENTION).timestamp()),
    }
    try:
        client("dynamodb").put_item(
            TableName=settings().table_name,
            Item=to_item(item),
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
