"""GET /v1/webhook_subscriptions: the caller's webhook subscriptions, newest first, with cursor pagination."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.adapters.webhooks import SubscriptionStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.families.core.errors import core_responses
from financing.families.core.lists import DEFAULT_LIMIT, MAX_LIMIT, ListObject
from financing.families.core.pagination import Cursor, list_cursors
from financing.families.core.webhooks import WebhookSubscriptionObject, subscription_object
from financing.services.webhooks import list_subscriptions

app = core_api()


@app.get(
    "/v1/webhook_subscriptions",
    summary="List webhook subscriptions",
    tags=["Webhooks"],
    responses=core_responses(
        200, ListObject[WebhookSubscriptionObject], "A page of subscriptions (no secrets)."
    ),
)
def list_(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ListObject[WebhookSubscriptionObject]:
    actor = caller(app)
    cursors = list_cursors(actor.tenant_id, "webhook_subscriptions")
    found, more = list_subscriptions(SubscriptionStore(), actor, limit=limit, after=cursors.after(cursor))
    next_cursor = cursors.next(found[-1].id if more else None)
    return ListObject(data=[subscription_object(s) for s in found], has_more=more, next_cursor=next_cursor)


lambda_handler = entrypoint(app, scope=Scope.WEBHOOKS_MANAGE)
