"""DELETE /v1/webhook_subscriptions/{subscription_id}: stop sending webhooks to a subscription, for good."""

from aws_lambda_powertools.event_handler import Response

from financing.adapters.webhooks import SubscriptionStore
from financing.api.core import caller, core_api, entrypoint, respond
from financing.auth.scopes import Scope
from financing.composition.webhooks import subscription_event
from financing.families.core.errors import core_responses
from financing.families.core.webhooks import DeletedWebhookSubscription
from financing.services.webhooks import delete_subscription

app = core_api()


@app.delete(
    "/v1/webhook_subscriptions/<subscription_id>",
    summary="Delete a webhook subscription",
    tags=["Webhooks"],
    responses=core_responses(200, DeletedWebhookSubscription, "The subscription is deleted."),
)
def delete(subscription_id: str) -> Response[DeletedWebhookSubscription]:
    deleted = delete_subscription(
        SubscriptionStore(), caller(app), subscription_id, announce=subscription_event
    )
    return respond(200, DeletedWebhookSubscription(id=deleted.id).model_dump())


lambda_handler = entrypoint(app, scope=Scope.WEBHOOKS_MANAGE)
