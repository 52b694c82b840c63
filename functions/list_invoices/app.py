"""GET /v1/invoices: the caller's invoices, newest first, filtered by status, supplier or buyer."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import caller, core_api, entrypoint, respond
from financing.auth.scopes import Scope
from financing.composition.invoices import invoice_use_cases
from financing.domain.lifecycle import Status
from financing.families.core.errors import core_responses
from financing.families.core.invoices import InvoiceObject, invoice_json
from financing.families.core.lists import DEFAULT_LIMIT, MAX_LIMIT, ListObject
from financing.families.core.pagination import Cursor, list_cursors

app = core_api()


@app.get(
    "/v1/invoices",
    summary="List invoices",
    description="Newest first. One filter reads its index; with two or three, the others are applied "
    "within the page, under a read budget (1,000 invoices examined, 40 DynamoDB Queries sent): a page may "
    "then end early with fewer than `limit` invoices, even none, and `has_more` with a `next_cursor` "
    "that goes on from where it stopped.",
    tags=["Invoices"],
    responses=core_responses(200, ListObject[InvoiceObject], "A page of invoices."),
)
def list_(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Cursor = None,
    status: Annotated[Status | None, Query()] = None,
    supplier: Annotated[str | None, Query(max_length=64)] = None,
    buyer: Annotated[str | None, Query(max_length=64)] = None,
) -> Response[ListObject[InvoiceObject]]:
    invoices = invoice_use_cases(caller(app))
    filters = {
        k: v
        for k, v in {"status": status and status.value, "supplier": supplier, "buyer": buyer}.items()
        if v
    }
    # The cursor is bound to the filters, so it cannot be replayed against another query.
    query = "&".join(f"{k}={v}" for k, v in sorted(filters.items()))
    cursors = list_cursors(invoices.actor.tenant_id, "invoices", query)
    page = invoices.page(limit=limit, after=cursors.after(cursor), filters=filters)
    # A page that spent its read budget may hold fewer invoices (even none): it goes on from where it
    # stopped reading, not from its last invoice.
    next_cursor = cursors.next(page.last_examined if page.more else None)
    body = {
        "object": "list",
        "data": [invoice_json(i) for i in page.invoices],
        "has_more": page.more,
        "next_cursor": next_cursor,
    }
    return respond(200, body)


lambda_handler = entrypoint(app, scope=Scope.INVOICES_READ)
