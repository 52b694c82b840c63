"""POST /v1/webhook_subscriptions/{subscription_id}/regenerate_secret: a new signing secret, shown once."""

from aws_lambda_powertools.event_handler import Response

from financing.adapters.webhooks import SubscriptionStore
from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import idempotent_response
from financing.auth.scopes import Scope
from financing.composition.webhooks import subscription_event
from financing.families.core.errors import core_responses
from financing.families.core.webhooks import (
    SHOWN_ONCE,
    WebhookSubscriptionWithSecret,
    subscription_with_secret,
)
from financing.services.webhooks import regenerate_secret

app = core_api()


@app.post(
    "/v1/webhook_subscriptions/<subscription_id>/regenerate_secret",
    summary="Regenerate a webhook subscription's secret",
    tags=["Webhooks"],
    responses=core_responses(
        200, WebhookSubscriptionWithSecret, "The subscription with its new secret (shown only now)."
    ),
)
def regenerate(subscription_id: str) -> Response[WebhookSubscriptionWithSecret]:
    actor = caller(app)
    return idempotent_response(
        app,
        actor.tenant_id,
        lambda: (
            200,
            subscription_with_secret(
                regenerate_secret(SubscriptionStore(), actor, subscription_id, announce=subscription_event)
            ).model_dump(mode="json"),
        ),
        withheld=SHOWN_ONCE,
    )


lambda_handler = entrypoint(app, scope=Scope.WEBHOOKS_MANAGE)
