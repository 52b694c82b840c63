"""Webhook subscriptions and deliveries in the entities table.

    pk = "<tenant>#WEBHOOK_SUBSCRIPTION",               sk = <subscription id>   a subscription (with its secret)
    pk = "<tenant>#WEBHOOK_SUBSCRIPTION_COUNT",         sk = "count"             how many the tenant has
    pk = "<tenant>#WEBHOOK_DELIVERY#<subscription id>", sk = <event id>          a delivery and its attempts
        status_pk = "<tenant>#WEBHOOK_DELIVERY#<subscription id>#<status>"       (by-status index: ?status=)
    pk = "<tenant>#WEBHOOK_DELIVERY#SHARE",             sk = "slot#<n>"          a slot of the tenant's share
                                                                                 of the deliverer (below)
    pk = "<tenant>#WEBHOOK_DELIVERY#CIRCUIT",           sk = <subscription id>   its circuit breaker

The count is written in the same transaction as every creation (on the condition that it stays under
the cap, so racing creations cannot pass it) and deletion. A tenant whose subscriptions were made before
the count existed gets one the first time a creation or deletion finds none: its subscriptions are counted
(a Query of its own partition) and the count is created on the condition that none exists meanwhile.

A tenant's share of the deliverer is `limit` slot items: an invocation delivering some of the tenant's
messages holds one slot (`holder` = its request id) until it ends, or until `expires_at` (the end of its time,
so a crashed invocation's slot frees by itself). Taking a slot is a conditional PutItem that succeeds only on a
free or expired slot, so racing invocations never hold more than `limit`; giving it back is a PutItem on the
condition that the slot is still the giver's. Both write under the deliverer's "*#WEBHOOK_DELIVERY#*" keys.

The secret (and, during a rotation's overlap, the previous one) is stored only on the subscription item,
sealed (`secret_sealed`, `previous_secret_sealed`: KMS envelope encryption, adapters/secret_box.py); only the
deliverer opens it, to sign. Subscriptions stored before secrets were sealed hold them in plaintext
(`secret`, `previous_secret`): both forms are read, the next save of the subscription seals them, and
`seal_stored` (make migrate-webhook-secrets) seals them all. A plaintext secret from before the platform
followed Standard Webhooks is read in the standard format with the same key (`standard_secret`).
"""

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from secrets import randbelow
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import SecretStr

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
from financing.adapters.secret_box import SecretBox
from financing.clock import now
from financing.domain.errors import Conflict
from financing.domain.events import DomainEvent
from financing.domain.webhooks import (
    Circuit,
    DeliveryStatus,
    SealedSecret,
    Secret,
    WebhookDelivery,
    WebhookSubscription,
    limit_reached,
    slot_order,
    standard_secret,
)
from financing.observability import logger

SUBSCRIPTIONS = "WEBHOOK_SUBSCRIPTION"
COUNT = "WEBHOOK_SUBSCRIPTION_COUNT"
_COUNT_ROUNDS = 3  # a creation that meets a count being created decides again, at most this often
DELIVERIES = "WEBHOOK_DELIVERY"
DELIVERY_RETENTION = timedelta(days=30)
STATUS_INDEX = "by-status"


_SECRETS = ("secret", "previous_secret")
_SEALED = "_sealed"  # suffix of the attribute holding a secret sealed
_KIND = "webhook_subscription"
_NAMES = {"#kind": "kind"}  # attribute names spelled out: never a reserved word


def _subscription(item: dict[str, Any]) -> WebhookSubscription:
    tenant_id = item["pk"].rsplit("#", 1)[0]
    secrets: dict[str, Secret] = {}
    for name in _SECRETS:
        if item.get(name + _SEALED):
            secrets[name] = SealedSecret(envelope=item[name + _SEALED])
        elif item.get(name):  # stored before secrets were sealed
            secrets[name] = SecretStr(standard_secret(item[name]))
    plain = {k: v for k, v in item.items() if k not in _SECRETS and not k.endswith(_SEALED)}
    return WebhookSubscription.model_validate({**plain, "id": item["sk"], "tenant_id": tenant_id, **secrets})


def _count_key(tenant_id: str) -> dict[str, str]:
    return {"pk": tenant_key(tenant_id, COUNT), "sk": "count"}


def _lost_race(subscription_id: str) -> Conflict:
    return Conflict(
        f"Webhook subscription '{subscription_id}' was changed by another request; read it again and retry."
    )


class SubscriptionStore:
    def __init__(self, table: EntityTable | None = None, box: SecretBox | None = None) -> None:
        self.table = table or EntityTable()
        self.box = box or SecretBox()

    def _item(self, subscription: WebhookSubscription) -> dict[str, Any]:
        """The subscription as stored: every secret sealed (a secret in hand is sealed now)."""
        sealed = {}
        for name in _SECRETS:
            secret = getattr(subscription, name)
            if isinstance(secret, SecretStr):
                secret = self.box.seal(secret, subscription.tenant_id, subscription.id)
            if secret is not None:
                sealed[name + _SEALED] = secret.envelope
        return {
            "pk": tenant_key(subscription.tenant_id, SUBSCRIPTIONS),
            "sk": subscription.id,
            "kind": _KIND,
            **subscription.model_dump(mode="json", exclude={"id", "tenant_id", *_SECRETS}),
            **sealed,
        }

    def reveal(self, subscription: WebhookSubscription, secret: Secret) -> str:
        """A secret of the subscription in plaintext, to sign with (opening a sealed one takes kms:Decrypt)."""
        if isinstance(secret, SealedSecret):
            secret = self.box.open(secret, subscription.tenant_id, subscription.id)
        return secret.get_secret_value()

    def add(self, subscription: WebhookSubscription, event: DomainEvent, *, limit: int) -> None:
        """Create the subscription unless the tenant already has `limit` (then `limit_reached`)."""
        item = {**self._item(subscription), "version": subscription.version}
        put = put_new(self.table.table_name, item)
        exists = Conflict(f"Webhook subscription '{subscription.id}' already exists.")
        self._counted(subscription.tenant_id, put, event, +1, limit, exists)

    def get(self, tenant_id: str, subscription_id: str) -> WebhookSubscription | None:
        item = self.table.get(tenant_key(tenant_id, SUBSCRIPTIONS), subscription_id)
        return _subscription(item) if item else None

    def save(self, subscription: WebhookSubscription, event: DomainEvent) -> None:
        item = self._item(subscription)
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
        raise Conflict("The tenant's webhook subscriptions changed meanwhile; retry the request.")

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

    def plaintext_secrets(self) -> Iterator[tuple[dict[str, str], str, str]]:
        """(key, attribute, secret) of every secret still stored in plaintext, every tenant's: a Scan of the
        whole table, for one-off maintenance only (never on a request path)."""
        request: dict[str, Any] = {
            "TableName": self.table.table_name,
            "FilterExpression": "#kind = :kind AND (attribute_exists(#s0) OR attribute_exists(#s1))",
            "ProjectionExpression": "pk, sk, #s0, #s1",
            "ExpressionAttributeNames": {**_NAMES, "#s0": _SECRETS[0], "#s1": _SECRETS[1]},
            "ExpressionAttributeValues": {":kind": {"S": _KIND}},
        }
        while True:
            response = client("dynamodb").scan(**request)
            for item in response.get("Items", []):
                values = from_item(item)
                key = {"pk": values["pk"], "sk": values["sk"]}
                yield from ((key, name, values[name]) for name in _SECRETS if values.get(name))
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def seal_stored(self, key: dict[str, str], name: str, stored: str) -> bool:
        """Replace a secret stored in plaintext by the same secret (in the Standard Webhooks format, the same
        key) sealed, unless it changed meanwhile; no version or event, as the subscription and its key stay
        what they were."""
        tenant_id = key["pk"].rsplit("#", 1)[0]
        sealed = self.box.seal(SecretStr(standard_secret(stored)), tenant_id, key["sk"])
        try:
            client("dynamodb").update_item(
                TableName=self.table.table_name,
                Key=to_item(key),
                UpdateExpression="SET #sealed = :sealed REMOVE #plain",
                ConditionExpression="#plain = :stored",
                ExpressionAttributeNames={"#plain": name, "#sealed": name + _SEALED},
                ExpressionAttributeValues=to_item({":sealed": sealed.envelope, ":stored": stored}),
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


SHARE = f"{DELIVERIES}#SHARE"  # never a subscription id (those are whsub_...)
CIRCUITS = f"{DELIVERIES}#CIRCUIT"


class CircuitStore:
    """Each subscription's circuit breaker. Written with a plain PutItem (the last writer wins): two attempts
    finishing at once may count one timeout fewer, which only opens the circuit an attempt later."""

    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def get(self, tenant_id: str, subscription_id: str) -> Circuit:
        item = self.table.get(tenant_key(tenant_id, CIRCUITS), subscription_id)
        if item is None:
            return Circuit()
        until = item.get("open_until")
        return Circuit(item["url"], int(item["timeouts"]), float(until) if until is not None else None)

    def save(self, tenant_id: str, subscription_id: str, circuit: Circuit) -> None:
        item = {
            "pk": tenant_key(tenant_id, CIRCUITS),
            "sk": subscription_id,
            "kind": "webhook_circuit",
            "url": circuit.url,
            "timeouts": circuit.timeouts,
            "open_until": None if circuit.open_until is None else Decimal(str(circuit.open_until)),
            "expires_at": int((now() + DELIVERY_RETENTION).timestamp()),
        }
        client("dynamodb").put_item(TableName=self.table.table_name, Item=to_item(item))


class TenantShares:
    """The slots of each tenant's share of the deliverer (see the module's docstring)."""

    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def _key(self, tenant_id: str, slot: int) -> dict[str, str]:
        return {"pk": tenant_key(tenant_id, SHARE), "sk": f"slot#{slot}"}

    def take(self, tenant_id: str, holder: str, limit: int, until: float) -> int | None:
        """The slot taken for `holder` until `until` (unix seconds), or None when all `limit` are held."""
        for slot in slot_order(limit, randbelow(limit)):
            item = {**self._key(tenant_id, slot), "kind": "webhook_share", "holder": holder}
            try:
                client("dynamodb").put_item(
                    TableName=self.table.table_name,
                    Item=to_item({**item, "expires_at": int(until) + 1}),
                    ConditionExpression="attribute_not_exists(holder) OR expires_at < :now",
                    ExpressionAttributeValues=to_item({":now": int(now().timestamp())}),
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                continue
            return slot
        return None

    def give_back(self, tenant_id: str, slot: int, holder: str) -> None:
        """Free the slot, unless it expired and another invocation holds it now. Never raises: the batch is
        done by now, and a slot that could not be given back frees itself at its `expires_at`."""
        try:
            client("dynamodb").put_item(
                TableName=self.table.table_name,
                Item=to_item({**self._key(tenant_id, slot), "kind": "webhook_share"}),
                ConditionExpression="holder = :holder",
                ExpressionAttributeValues=to_item({":holder": holder}),
            )
        except (ClientError, BotoCoreError) as error:
            taken_since = isinstance(error, ClientError) and (
                error.response["Error"]["Code"] == "ConditionalCheckFailedException"
            )
            if not taken_since:
                logger.warning("share slot not given back; it frees itself", extra={"slot": slot})
