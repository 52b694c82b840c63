"""PATCH /v1/webhook_subscriptions/{subscription_id}: change url, event types, description or enabled."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.webhooks import SubscriptionStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.composition.webhooks import subscription_event
from financing.config import settings
from financing.families.core.errors import core_responses
from financing.families.core.webhooks import (
    WebhookSubscriptionObject,
    WebhookSubscriptionUpdate,
    subscription_object,
    update_changes,
)
from financing.services.webhooks import update_subscription

app = core_api()


@app.patch(
    "/v1/webhook_subscriptions/<subscription_id>",
    summary="Update a webhook subscription",
    tags=["Webhooks"],
    responses=core_responses(200, WebhookSubscriptionObject, "The subscription, updated."),
)
def update(
    subscription_id: str, body: Annotated[WebhookSubscriptionUpdate, Body()]
) -> WebhookSubscriptionObject:
    revised = update_subscription(
        SubscriptionStore(),
        caller(app),
        subscription_id,
        update_changes(body),
        allow_loopback=settings().webhook_allow_loopback,
        announce=subscription_event,
    )
    return subscription_object(revised)


lambda_handler = entrypoint(app, scope=Scope.WEBHOOKS_MANAGE)
