"""GET /v1/webhook_deliveries?subscription=...&status=...: one subscription's deliveries and their attempts."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.adapters.webhooks import DeliveryStore, SubscriptionStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.domain.webhooks import DeliveryStatus
from financing.families.core.errors import core_responses
from financing.families.core.lists import DEFAULT_LIMIT, MAX_LIMIT, ListObject
from financing.families.core.pagination import Cursor, list_cursors
from financing.families.core.webhooks import WebhookDeliveryObject, delivery_object
from financing.services.webhooks import list_deliveries

app = core_api()


@app.get(
    "/v1/webhook_deliveries",
    summary="List a subscription's webhook deliveries",
    tags=["Webhooks"],
    responses=core_responses(
        200, ListObject[WebhookDeliveryObject], "A page of deliveries, newest event first."
    ),
)
def list_(
    subscription: Annotated[str, Query(max_length=64, description="The subscription (whsub_...)")],
    status: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ListObject[WebhookDeliveryObject]:
    actor = caller(app)
    # Bound to the filters too: a cursor of one listing cannot resume another.
    cursors = list_cursors(actor.tenant_id, "webhook_deliveries", subscription, status)
    found, more = list_deliveries(
        DeliveryStore(),
        SubscriptionStore(),
        actor,
        subscription,
        status=DeliveryStatus(status) if status else None,
        limit=limit,
        after=cursors.after(cursor),
    )
    next_cursor = cursors.next(found[-1].event_id if more else None)
    return ListObject(data=[delivery_object(d) for d in found], has_more=more, next_cursor=next_cursor)


lambda_handler = entrypoint(app, scope=Scope.WEBHOOKS_MANAGE)
