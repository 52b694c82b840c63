"""Webhook use cases: manage a tenant's subscriptions, fan each bus event out to the subscriptions that want
it, and deliver one signed event to one subscription (recording every attempt)."""

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from financing.clock import now
from financing.domain import webhooks as rules
from financing.domain.actor import Actor
from financing.domain.errors import NotFound
from financing.domain.retries import RetrySchedule
from financing.domain.webhooks import (
    Admission,
    Attempt,
    DeliveryStatus,
    WebhookDelivery,
    WebhookSubscription,
)
from financing.ids import is_id
from financing.services.ports import (
    Announces,
    Circuits,
    Deliveries,
    EventBody,
    Shares,
    StoredSecrets,
    Subscriptions,
)

# ------------------------------------------------------------------------------------ subscriptions


def create_subscription(
    store: Subscriptions,
    actor: Actor,
    details: dict[str, Any],
    *,
    allow_loopback: bool,
    announce: Announces[WebhookSubscription],
) -> WebhookSubscription:
    subscription = rules.subscribe(tenant_id=actor.tenant_id, allow_loopback=allow_loopback, **details)
    store.add(
        subscription, announce(rules.CREATED, actor, subscription), limit=rules.MAX_SUBSCRIPTIONS_PER_TENANT
    )
    return subscription


def get_subscription(store: Subscriptions, actor: Actor, subscription_id: str) -> WebhookSubscription:
    found = store.get(actor.tenant_id, subscription_id) if is_id(rules.ID_PREFIX, subscription_id) else None
    if found is None:
        raise NotFound("webhook subscription", subscription_id)
    return found


def list_subscriptions(
    store: Subscriptions, actor: Actor, *, limit: int, after: str | None
) -> tuple[list[WebhookSubscription], bool]:
    return store.page(actor.tenant_id, limit=limit, after=after)


def update_subscription(
    store: Subscriptions,
    actor: Actor,
    subscription_id: str,
    changes: dict[str, Any],
    *,
    allow_loopback: bool,
    announce: Announces[WebhookSubscription],
) -> WebhookSubscription:
    revised = rules.revise(get_subscription(store, actor, subscription_id), changes, allow_loopback)
    store.save(revised, announce(rules.UPDATED, actor, revised))
    return revised


def regenerate_secret(
    store: Subscriptions, actor: Actor, subscription_id: str, *, announce: Announces[WebhookSubscription]
) -> WebhookSubscription:
    rotated = rules.rotate_secret(get_subscription(store, actor, subscription_id))
    store.save(rotated, announce(rules.UPDATED, actor, rotated))
    return rotated


def delete_subscription(
    store: Subscriptions, actor: Actor, subscription_id: str, *, announce: Announces[WebhookSubscription]
) -> WebhookSubscription:
    subscription = get_subscription(store, actor, subscription_id)
    store.remove(subscription, announce(rules.DELETED, actor, subscription))
    return subscription


def migrate_secrets(store: StoredSecrets) -> int:
    """Seal every secret still stored in plaintext (in the Standard Webhooks format, with the same HMAC key,
    so no signature changes and queued deliveries still verify); how many were sealed. Safe to run again,
    and beside live traffic: a secret regenerated meanwhile is left alone."""
    return sum(1 for key, name, stored in store.plaintext_secrets() if store.seal_stored(key, name, stored))


def list_deliveries(
    deliveries: Deliveries,
    subscriptions: Subscriptions,
    actor: Actor,
    subscription_id: str,
    *,
    status: DeliveryStatus | None,
    limit: int,
    after: str | None,
) -> tuple[list[WebhookDelivery], bool]:
    get_subscription(subscriptions, actor, subscription_id)  # another tenant's subscription is a 404
    return deliveries.page(actor.tenant_id, subscription_id, status=status, limit=limit, after=after)


# ------------------------------------------------------------------------------------ fan-out and delivery


@dataclass(frozen=True)
class DeliveryRequest:
    """One event for one subscription: the delivery queue's message."""

    tenant_id: str
    subscription_id: str
    event_id: str
    event_type: str
    body: str
    queued_at: float  # unix seconds: the retry schedule's age counts from here

    def to_message(self) -> str:
        return json.dumps(self.__dict__, separators=(",", ":"))

    @classmethod
    def from_message(cls, text: str) -> "DeliveryRequest":
        return cls(**json.loads(text))


def fan_out(
    store: Subscriptions, event_type: str, detail: dict[str, Any], *, event_body: EventBody
) -> list[DeliveryRequest]:
    """One delivery request per enabled subscription of the event's tenant that wants this event type, each
    carrying what `event_body` makes of the event (financing.composition.webhooks: the core family's)."""
    wanted = [s for s in store.every(detail["tenant_id"]) if s.receives(event_type)]
    if not wanted:
        return []
    body, queued_at = event_body(event_type, detail), now().timestamp()
    return [
        DeliveryRequest(detail["tenant_id"], s.id, detail["id"], event_type, body, queued_at) for s in wanted
    ]


def tenant_of(message: str) -> str | None:
    """The tenant a delivery message is for, or None when it cannot be read (it then fails where handled)."""
    try:
        tenant_id = json.loads(message)["tenant_id"]
    except (ValueError, TypeError, KeyError):
        return None
    return tenant_id if isinstance(tenant_id, str) else None


Message = TypeVar("Message")


@contextmanager
def fair_shares(
    shares: Shares, batch: Sequence[tuple[str | None, Message]], *, holder: str, limit: int, until: float
) -> Iterator[Admission[Message]]:
    """Share a batch of (tenant, message) out: the messages of each tenant that gets a slot of its share of the
    deliverer (held by `holder` until the block ends, at the latest until `until`) are admitted; those of a
    tenant already delivering in `limit` other invocations are to be requeued. So a tenant whose receivers
    are slow or failing holds at most `limit` invocations at a time, however many deliveries it has queued,
    and every other tenant's deliveries find the rest of the deliverer free."""
    taken: dict[str, int] = {}

    def admits(tenant_id: str) -> bool:
        slot = shares.take(tenant_id, holder, limit, until)
        if slot is not None:
            taken[tenant_id] = slot
        return slot is not None

    try:
        yield rules.share_out(batch, admits)
    finally:
        for tenant_id, slot in taken.items():
            shares.give_back(tenant_id, slot, holder)


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery request: retry after `retry_in` seconds, or done; `exhausted` when it
    ran out of retries (its message then belongs in the dead-letter queue)."""

    delivery: WebhookDelivery
    retry_in: int | None = None
    exhausted: bool = False


Poster = Callable[[str, bytes, dict[str, str]], Attempt]


def deliver(
    subscriptions: Subscriptions,
    deliveries: Deliveries,
    circuits: Circuits,
    post: Poster,
    schedule: RetrySchedule,
    request: DeliveryRequest,
) -> Outcome:
    """Post the event to the subscription, signed with the secrets it has now (the current one, and the
    previous one during a rotation's overlap), and record the attempt.

    A delivery already delivered is not posted again (SQS delivers at least once); a subscription that
    was disabled or deleted meanwhile receives nothing more. While the subscription's circuit is open (after
    consecutive timeouts) nothing is posted: the deferral is recorded as a failed attempt."""
    delivery = deliveries.get(request.tenant_id, request.subscription_id, request.event_id)
    if delivery is None:
        delivery = rules.new_delivery(
            request.tenant_id, request.subscription_id, request.event_id, request.event_type
        )
    if delivery.status is DeliveryStatus.DELIVERED:
        return Outcome(delivery)
    subscription = subscriptions.get(request.tenant_id, request.subscription_id)
    if subscription is None or not subscription.enabled:
        reason = "subscription deleted" if subscription is None else "subscription disabled"
        abandoned = rules.abandoned(delivery, reason)
        deliveries.save(abandoned)
        return Outcome(abandoned)
    body, moment = request.body.encode(), now()
    circuit = rules.circuit_for(circuits.get(request.tenant_id, request.subscription_id), subscription.url)
    if circuit.admits(moment.timestamp()):
        signing = [subscriptions.reveal(subscription, s) for s in rules.signing_secrets(subscription, moment)]
        headers = rules.signed_headers(signing, delivery.id, int(moment.timestamp()), body)
        attempt = post(subscription.url, body, headers)
    else:
        attempt = rules.deferred(circuit, moment)
    age = now().timestamp() - request.queued_at
    revised, retry_in = rules.after_attempt(delivery, attempt, schedule, age)
    deliveries.save(revised)
    if (changed := rules.circuit_after(circuit, attempt)) is not None:
        circuits.save(request.tenant_id, request.subscription_id, changed)
    return Outcome(revised, retry_in, exhausted=revised.status is DeliveryStatus.FAILED)
