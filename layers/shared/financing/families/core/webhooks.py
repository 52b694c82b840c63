"""Webhooks in the core shape: subscription requests and objects, deliveries, and the body each receiver gets."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from financing import exact_json
from financing.clock import iso
from financing.domain.event_catalogue import EVENT_TYPES
from financing.domain.webhooks import (
    EVERY_EVENT,
    MAX_EVENT_TYPES,
    MAX_URL_LENGTH,
    AttemptOutcome,
    WebhookDelivery,
    WebhookSubscription,
)
from financing.families.json_input import JsonBool, json_text

# Documented, not enforced here: an https URL without credentials or a fragment (the local stack also takes
# http://localhost, and where a URL points is checked beyond what a schema can say).
Url = Annotated[
    json_text(MAX_URL_LENGTH),
    Field(json_schema_extra={"pattern": r"^\s*https://[A-Za-z0-9.-]+(:[0-9]{1,4})?([/?][^\s#]*)?\s*$"}),
]
EventType = Annotated[str, StringConstraints(min_length=1, max_length=100)]
EventTypes = Annotated[
    list[EventType],
    Field(min_length=1, max_length=MAX_EVENT_TYPES),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"const": EVERY_EVENT}, "minItems": 1, "maxItems": 1},
                {
                    "type": "array",
                    "items": {"enum": sorted(EVENT_TYPES), "type": "string"},
                    "minItems": 1,
                    "maxItems": MAX_EVENT_TYPES,
                },
            ]
        }
    ),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookSubscriptionCreate(Strict):
    url: Url = Field(
        description="https URL that receives the events (the local stack also allows http://localhost)"
    )
    event_types: EventTypes = Field(description='Event names to receive, or ["*"] for every event')
    description: Description | None = None


class WebhookSubscriptionUpdate(Strict):
    """Partial update: only the fields present change."""

    url: Url | SkipJsonSchema[None] = None
    event_types: EventTypes | SkipJsonSchema[None] = None
    description: Description | None = None
    enabled: JsonBool | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> "WebhookSubscriptionUpdate":
        for name in ("url", "event_types", "enabled"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class WebhookSubscriptionObject(BaseModel):
    id: str
    object: Literal["webhook_subscription"] = "webhook_subscription"
    url: str
    event_types: list[str]
    description: str | None
    enabled: bool
    created: str
    updated: str


class WebhookSubscriptionWithSecret(WebhookSubscriptionObject):
    secret: str | None = Field(
        description="whsec_ + base64 of 32 random bytes: the Standard Webhooks secret signing every delivery;"
        " shown only in the answer to the request that created or regenerated it. A retry with the same"
        " Idempotency-Key replays that answer with a null secret (it is never stored with the replay):"
        " if the first answer was lost, regenerate the secret"
    )


# The fields of WebhookSubscriptionWithSecret that a replay under the same Idempotency-Key never holds.
SHOWN_ONCE = frozenset({"secret"})


class DeletedWebhookSubscription(BaseModel):
    id: str
    object: Literal["webhook_subscription"] = "webhook_subscription"
    deleted: Literal[True] = True


class AttemptObject(BaseModel):
    attempted_at: str
    status_code: int | None
    latency_ms: int
    error: str | None
    outcome: AttemptOutcome = Field(
        description="delivered: a 2xx in time; rejected: any other answer (3xx included); timeout: no complete"
        " answer within the attempt's 10 s deadline; unreachable: no connection or a broken one; refused: the"
        " name does not resolve, or to an address webhooks may not reach; deferred_open_circuit: not attempted, the"
        " subscription's circuit is open after consecutive timeouts (a failed attempt for the retry schedule)"
    )


class WebhookDeliveryObject(BaseModel):
    id: str = Field(description="The webhook-id header of every attempt: <event id>:<subscription id>")
    object: Literal["webhook_delivery"] = "webhook_delivery"
    subscription: str
    event: str
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: list[AttemptObject]
    next_attempt_at: str | None
    last_error: str | None
    created: str
    updated: str


def subscription_object(subscription: WebhookSubscription) -> WebhookSubscriptionObject:
    """The subscription as every read and event shows it: never with its secret."""
    return WebhookSubscriptionObject(
        id=subscription.id,
        url=subscription.url,
        event_types=subscription.event_types,
        description=subscription.description,
        enabled=subscription.enabled,
        created=iso(subscription.created),
        updated=iso(subscription.updated),
    )


def subscription_with_secret(subscription: WebhookSubscription) -> WebhookSubscriptionWithSecret:
    """The answer to creating a subscription or regenerating its secret: the only time the secret is shown."""
    secret = subscription.secret
    if not isinstance(secret, SecretStr):
        raise TypeError("only a secret just made is shown, never one read back sealed")
    return WebhookSubscriptionWithSecret(
        **subscription_object(subscription).model_dump(), secret=secret.get_secret_value()
    )


def _when(moment: datetime | None) -> str | None:
    return iso(moment) if moment else None


def delivery_object(delivery: WebhookDelivery) -> WebhookDeliveryObject:
    return WebhookDeliveryObject(
        id=delivery.id,
        subscription=delivery.subscription_id,
        event=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status.value,
        attempts=[
            AttemptObject(
                attempted_at=iso(a.attempted_at),
                status_code=a.status_code,
                latency_ms=a.latency_ms,
                error=a.error,
                outcome=a.outcome,
            )
            for a in delivery.attempts
        ],
        next_attempt_at=_when(delivery.next_attempt_at),
        last_error=delivery.last_error,
        created=iso(delivery.created),
        updated=iso(delivery.updated),
    )


def event_body(event_type: str, detail: dict[str, Any]) -> str:
    """What a receiver is sent for one bus event: {"id", "object": "event", "type", "created", "data"}."""
    created = int(datetime.fromisoformat(detail["created"].replace("Z", "+00:00")).timestamp())
    body = {
        "id": detail["id"],
        "object": "event",
        "type": event_type,
        "created": created,
        "data": {"object": detail["object"]},
    }
    return exact_json.dumps(body)


def creation_details(body: WebhookSubscriptionCreate) -> dict[str, Any]:
    return body.model_dump()


def update_changes(body: WebhookSubscriptionUpdate) -> dict[str, Any]:
    return body.model_dump(include=body.model_fields_set)
