"""Webhook subscriptions and deliveries in the entities table.

    pk = "<tenant>#WEBHOOK_SUBSCRIPTION",               sk = <subscription id>   a subscription (with its secret)
    pk = "<tenant>#WEBHOOK_DELIVERY#<subscription id>", sk = <event id>          a delivery and its attempts
        status_pk = "<tenant>#WEBHOOK_DELIVERY#<subscription id>#<status>"       (by-status index: ?status=)

The secret (and, during a rotation's overlap, the previous one) is stored only on the subscription item
and read back only to sign deliveries. A secret stored before the platform followed Standard Webhooks is
read in the standard format with the same key (`standard_secret`); `rewrite_secret` stores it so.
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from financing.adapters.aws import client
from financing.adapters.dynamo import (
    EntityTable,
    TransactionRefused,
    delete,
    from_item,
    tenant_key,
    to_item,
)
from financing.clock import now
from financing.domain.errors import Conflict
from financing.domain.events import DomainEvent
from financing.domain.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookSubscription,
    standard_secret,
)

SUBSCRIPTIONS = "WEBHOOK_SUBSCRIPTION"
DELIVERIES = "WEBHOOK_DELIVERY"
DELIVERY_RETENTION = timedelta(days=30)
STATUS_INDEX = "by-status"


_SECRETS = ("secret", "previous_secret")
_KIND = "webhook_subscription"
_NAMES = {"#kind": "kind", "#secret": "secret"}  # attribute names spelled out: never a reserved word


def _subscription_item(subscription: WebhookSubscription) -> dict[str, Any]:
    revealed = {name: getattr(subscription, name) for name in _SECRETS}
    return {
        "pk": tenant_key(subscription.tenant_id, SUBSCRIPTIONS),
        "sk": subscription.id,
        "kind": _KIND,
        **subscription.model_dump(mode="json", exclude={"id", "tenant_id", *_SECRETS}),
        **{name: value.get_secret_value() for name, value in revealed.items() if value is not None},
    }


def _subscription(item: dict[str, Any]) -> WebhookSubscription:
    tenant_id = item["pk"].rsplit("#", 1)[0]
    secrets = {name: standard_secret(item[name]) for name in _SECRETS if item.get(name)}
    return WebhookSubscription.model_validate({**item, "id": item["sk"], "tenant_id": tenant_id, **secrets})


def _lost_race(subscription_id: str) -> Conflict:
    return Conflict(
        f"Webhook subscription '{subscription_id}' was changed by another request; read it again and retry."
    )


class SubscriptionStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def add(self, subscription: WebhookSubscription, event: DomainEvent) -> None:
        conflict = Conflict(f"Webhook subscription '{subscription.id}' already exists.")
        self.table.insert(_subscription_item(subscription), event, conflict)

    def get(self, tenant_id: str, subscription_id: str) -> WebhookSubscription | None:
        item = self.table.get(tenant_key(tenant_id, SUBSCRIPTIONS), subscription_id)
        return _subscription(item) if item else None

    def save(self, subscription: WebhookSubscription, event: DomainEvent) -> None:
        item = _subscription_item(subscription)
        self.table.replace(item, subscription.version - 1, event, _lost_race(subscription.id))

    def remove(self, subscription: WebhookSubscription, event: DomainEvent) -> None:
        key = {"pk": tenant_key(subscription.tenant_id, SUBSCRIPTIONS), "sk": subscription.id}
        try:
            self.table.commit([delete(self.table.table_name, key, subscription.version)], [event])
        except TransactionRefused as refused:
            raise _lost_race(subscription.id) from refused

    def page(
        self, tenant_id: str, *, limit: int, after: str | None
    ) -> tuple[list[WebhookSubscription], bool]:
        items, more = self.table.page(tenant_key(tenant_id, SUBSCRIPTIONS), limit=limit, after_sk=after)
        return [_subscription(item) for item in items], more

    def every(self, tenant_id: str) -> list[WebhookSubscription]:
        """All of a tenant's subscriptions (the fan-out reads them once per event)."""
        request: dict[str, Any] = {
            "TableName": self.table.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": tenant_key(tenant_id, SUBSCRIPTIONS)}},
        }
        found: list[WebhookSubscription] = []
        while True:
            response = client("dynamodb").query(**request)
            found += [_subscription(from_item(item)) for item in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def stored_secrets(self) -> Iterator[tuple[dict[str, str], str]]:
        """(key, secret as stored) of every tenant's subscriptions: a Scan of the whole table, for one-off
        maintenance only (never on a request path)."""
        request: dict[str, Any] = {
            "TableName": self.table.table_name,
            "FilterExpression": "#kind = :kind",
            "ProjectionExpression": "pk, sk, #secret",
            "ExpressionAttributeNames": _NAMES,
            "ExpressionAttributeValues": {":kind": {"S": _KIND}},
        }
        while True:
            response = client("dynamodb").scan(**request)
            for item in response.get("Items", []):
                values = from_item(item)
                yield {"pk": values["pk"], "sk": values["sk"]}, values["secret"]
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def rewrite_secret(self, key: dict[str, str], stored: str, rewritten: str) -> bool:
        """Store `rewritten` in place of `stored` (the same HMAC key in another format), unless the secret
        changed meanwhile; no version or event, as the subscription and its key stay what they were."""
        try:
            client("dynamodb").update_item(
                TableName=self.table.table_name,
                Key=to_item(key),
                UpdateExpression="SET #secret = :rewritten",
                ConditionExpression="#secret = :stored",
                ExpressionAttributeNames={"#secret": "secret"},
                ExpressionAttributeValues=to_item({":rewritten": rewritten, ":stored": stored}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _deliveries_of(tenant_id: str, subscription_id: str) -> str:
    return tenant_key(tenant_id, f"{DELIVERIES}#{subscription_id}")


def _delivery_item(delivery: WebhookDelivery) -> dict[str, Any]:
    collection = _deliveries_of(delivery.tenant_id, delivery.subscription_id)
    return {
        "pk": collection,
        "sk": delivery.event_id,
        "kind": "webhook_delivery",
        "status_pk": f"{collection}#{delivery.status.value}",
        "expires_at": int((now() + DELIVERY_RETENTION).timestamp()),
        **delivery.model_dump(mode="json", exclude={"tenant_id", "subscription_id", "event_id"}),
    }


def _delivery(item: dict[str, Any]) -> WebhookDelivery:
    tenant_id, _, subscription_id = item["pk"].split("#", 2)
    return WebhookDelivery.model_validate(
        {**item, "tenant_id": tenant_id, "subscription_id": subscription_id, "event_id": item["sk"]}
    )


class DeliveryStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def get(self, tenant_id: str, subscription_id: str, event_id: str) -> WebhookDelivery | None:
        item = self.table.get(_deliveries_of(tenant_id, subscription_id), event_id)
        return _delivery(item) if item else None

    def save(self, delivery: WebhookDelivery) -> None:
        """Record the delivery as it now is (attempts included); the last writer wins, as the
        deliverer is the only writer and handles one message for one delivery at a time."""
        client("dynamodb").put_item(TableName=self.table.table_name, Item=to_item(_delivery_item(delivery)))

    def page(
        self,
        tenant_id: str,
        subscription_id: str,
        *,
        status: DeliveryStatus | None,
        limit: int,
        after: str | None,
    ) -> tuple[list[WebhookDelivery], bool]:
        """Newest event first; a status reads only that status's deliveries, from its index."""
        collection = _deliveries_of(tenant_id, subscription_id)
        via = (STATUS_INDEX, "status_pk", f"{collection}#{status.value}") if status else None
        items, more = self.table.page(collection, limit=limit, after_sk=after, via=via)
        return [_delivery(item) for item in items], more
