"""Webhook subscriptions and deliveries in the entities table.

    pk = "<tenant>#WEBHOOK_SUBSCRIPTION",               sk = <subscription id>   a subscription (with its secret)
    pk = "<tenant>#WEBHOOK_SUBSCRIPTION_COUNT",         sk = "count"             how many the tenant has
    pk = "<tenant>#WEBHOOK_DELIVERY#<subscription id>", sk = <event id>          a delivery and its attempts
        status_pk = "<tenant>#WEBHOOK_DELIVERY#<subscription id>#<status>"       (by-status index: ?status=)

The count is written in the same transaction as every creation (on the condition that it stays under
the cap, so racing creations cannot pass it) and deletion. A tenant whose subscriptions were made before
the count existed gets one the first time a creation or deletion finds none: its subscriptions are counted
(a Query of its own partition) and the count is created on the condition that none exists meanwhile.

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
    put_new,
    tenant_key,
    to_item,
    update,
)
from financing.clock import now
from financing.domain.errors import Conflict
from financing.domain.events import DomainEvent
from financing.domain.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookSubscription,
    limit_reached,
    standard_secret,
)

SUBSCRIPTIONS = "WEBHOOK_SUBSCRIPTION"
COUNT = "WEBHOOK_SUBSCRIPTION_COUNT"
_COUNT_ROUNDS = 3  # a creation that meets a count being created decides again, at most this often
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


def _count_key(tenant_id: str) -> dict[str, str]:
    return {"pk": tenant_key(tenant_id, COUNT), "sk": "count"}


def _lost_race(subscription_id: str) -> Conflict:
    return Conflict(
        f"Webhook subscription '{subscription_id}' was changed by another request; read it again and retry."
    )


class SubscriptionStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def add(self, subscription: WebhookSubscription, event: DomainEvent, *, limit: int) -> None:
        """Create the subscription unless the tenant already has `limit` (then `limit_reached`)."""
        item = {**_subscription_item(subscription), "version": subscription.version}
        put = put_new(self.table.table_name, item)
        exists = Conflict(f"Webhook subscription '{subscription.id}' already exists.")
        self._counted(subscription.tenant_id, put, event, +1, limit, exists)

    def get(self, tenant_id: str, subscription_id: str) -> WebhookSubscription | None:
        item = self.table.get(tenant_key(tenant_id, SUBSCRIPTIONS), subscription_id)
        return _subscription(item) if item else None

    def save(self, subscription: WebhookSubscription, event: DomainEvent) -> None:
        item = _subscription_item(subscription)
        self.table.replace(item, subscription.version - 1, event, _lost_race(subscription.id))

    def remove(self, subscription: WebhookSubscription, event: DomainEvent) -> None:
        key = {"pk": tenant_key(subscription.tenant_id, SUBSCRIPTIONS), "sk": subscription.id}
        removal = delete(self.table.table_name, key, subscription.version)
        self._counted(subscription.tenant_id, removal, event, -1, None, _lost_race(subscription.id))

    def _counted(
        self,
        tenant_id: str,
        write: dict[str, Any],
        event: DomainEvent,
        change: int,
        limit: int | None,
        refused: Conflict,
    ) -> None:
        """Commit `write` with its event and the tenant's count moved by `change` (kept under `limit`)."""
        found: int | None = None  # the tenant's subscriptions counted, when it has no count yet
        for _ in range(_COUNT_ROUNDS):
            counting = self._count_write(tenant_id, change, limit, found)
            try:
                self.table.commit([write, counting], [event])
                return
            except TransactionRefused as failed:
                if 0 in failed.failed:
                    raise refused from failed
            stored = self.table.get(*_count_key(tenant_id).values())
            if stored is not None and limit is not None and stored["subscriptions"] >= limit:
                raise limit_reached()
            found = None if stored is not None else self._count(tenant_id)
            if found is not None and limit is not None and found >= limit:
                raise limit_reached()
        raise refused

    def _count_write(self, tenant_id: str, change: int, limit: int | None, found: int | None) -> dict:
        names = {"#n": "subscriptions"}
        if found is None:  # the count exists: move it, within the cap
            condition = "attribute_exists(#n)" + (" AND #n < :limit" if limit is not None else "")
            values: dict[str, Any] = {":change": change} | ({":limit": limit} if limit is not None else {})
            return update(
                self.table.table_name,
                _count_key(tenant_id),
                "SET #n = #n + :change",
                values,
                condition,
                names,
            )
        return update(
            self.table.table_name,
            _count_key(tenant_id),
            "SET #n = :counted, #kind = :kind",
            {":counted": found + change, ":kind": f"{_KIND}_count"},
            "attribute_not_exists(#n)",
            {**names, "#kind": "kind"},
        )

    def _count(self, tenant_id: str) -> int:
        """How many subscriptions the tenant has, read from its partition (only while it has no count)."""
        request: dict[str, Any] = {
            "TableName": self.table.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": tenant_key(tenant_id, SUBSCRIPTIONS)}},
            "Select": "COUNT",
            "ConsistentRead": True,
        }
        total = 0
        while True:
            response = client("dynamodb").query(**request)
            total += response["Count"]
            if "LastEvaluatedKey" not in response:
                return total
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

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
