"""GET /v1/webhook_subscriptions/{subscription_id}: one webhook subscription (never its secret)."""

from financing.adapters.webhooks import SubscriptionStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.families.core.errors import core_responses
from financing.families.core.webhooks import WebhookSubscriptionObject, subscription_object
from financing.services.webhooks import get_subscription

app = core_api()


@app.get(
    "/v1/webhook_subscriptions/<subscription_id>",
    summary="Retrieve a webhook subscription",
    tags=["Webhooks"],
    responses=core_responses(200, WebhookSubscriptionObject, "The subscription (without its secret)."),
)
def retrieve(subscription_id: str) -> WebhookSubscriptionObject:
    return subscription_object(get_subscription(SubscriptionStore(), caller(app), subscription_id))


lambda_handler = entrypoint(app, scope=Scope.WEBHOOKS_MANAGE)
