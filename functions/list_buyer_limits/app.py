"""GET /v1/buyer_limits: the caller's buyer limits (optionally one buyer's), newest first, by cursor."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.adapters.buyer_limits import BuyerLimitStore
from financing.adapters.exposure import ExposureStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.families.core.buyer_limits import BuyerLimitObject, buyer_limit_object
from financing.families.core.errors import core_responses
from financing.families.core.lists import DEFAULT_LIMIT, MAX_LIMIT, ListObject, id_filter
from financing.families.core.pagination import Cursor, list_cursors
from financing.services.buyer_limits import list_buyer_limits

app = core_api()


@app.get(
    "/v1/buyer_limits",
    summary="List buyer limits",
    tags=["Buyer limits"],
    responses=core_responses(200, ListObject[BuyerLimitObject], "A page of buyer limits."),
)
def list_(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Cursor = None,
    company: id_filter("company", "Only this buyer's limits") = None,
) -> ListObject[BuyerLimitObject]:
    actor = caller(app)
    # The cursor is bound to the filter too: a page of one buyer's limits cannot resume another listing.
    cursors = list_cursors(actor.tenant_id, "buyer_limits", company)
    views, more = list_buyer_limits(
        BuyerLimitStore(),
        ExposureStore(),
        actor,
        company_id=company,
        limit=limit,
        after=cursors.after(cursor),
    )
    next_cursor = cursors.next(views[-1].limit.id if more else None)
    return ListObject(
        data=[buyer_limit_object(view) for view in views], has_more=more, next_cursor=next_cursor
    )


lambda_handler = entrypoint(app, scope=Scope.INVOICES_READ)
