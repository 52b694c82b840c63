"""POST /v1/webhook_subscriptions: subscribe a URL to the tenant's events; the answer shows the secret once."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.webhooks import SubscriptionStore
from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import idempotent_response
from financing.auth.scopes import Scope
from financing.composition.webhooks import subscription_event
from financing.config import settings
from financing.families.core.errors import core_responses
from financing.families.core.webhooks import (
    SHOWN_ONCE,
    WebhookSubscriptionCreate,
    WebhookSubscriptionWithSecret,
    creation_details,
    subscription_with_secret,
)
from financing.services.webhooks import create_subscription

app = core_api()


@app.post(
    "/v1/webhook_subscriptions",
    summary="Create a webhook subscription",
    tags=["Webhooks"],
    responses=core_responses(
        201, WebhookSubscriptionWithSecret, "The subscription, with its secret (shown only now)."
    ),
)
def create(body: Annotated[WebhookSubscriptionCreate, Body()]) -> Response[WebhookSubscriptionWithSecret]:
    actor = caller(app)
    return idempotent_response(
        app,
        actor.tenant_id,
        lambda: (
            201,
            subscription_with_secret(
                create_subscription(
                    SubscriptionStore(),
                    actor,
                    creation_details(body),
                    allow_loopback=settings().webhook_allow_loopback,
                    announce=subscription_event,
                )
            ).model_dump(mode="json"),
        ),
        withheld=SHOWN_ONCE,
    )


lambda_handler = entrypoint(app, scope=Scope.WEBHOOKS_MANAGE)
