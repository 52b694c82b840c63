"""GET /v1/financing_invoices: the tenant's invoices as Monite's FinancingInvoice, filtered and paged by key."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import caller, respond
from financing.api.monite import monite_api, monite_entrypoint
from financing.auth.scopes import Scope
from financing.composition.invoices import invoice_use_cases
from financing.families.monite.errors import monite_responses
from financing.families.monite.invoices import (
    FinancingInvoiceListResponse,
    FinancingInvoiceParams,
    financing_invoice,
)
from financing.families.monite.pagination import Position, page_tokens, resume

app = monite_api()


@app.get(
    "/v1/financing_invoices",
    summary="List invoices for financing (Monite-shaped)",
    description="Every filter of Monite's `GET /financing_invoices`. Pages are positions in id order "
    "(= creation order): walking `next_pagination_token` then `prev_pagination_token` returns each "
    "matching invoice once each way, even while invoices are created. Every page has a read budget: "
    "1,000 invoices examined and 40 DynamoDB Queries sent; a sparse filter or a due range over many "
    "months may end a page early (fewer than `limit` invoices, even none, with a next token). Due date "
    "bounds may be at most 10 years apart (422 otherwise).",
    tags=["Financing (Monite)"],
    responses=monite_responses(200, FinancingInvoiceListResponse, "A page of invoices."),
)
def list_(params: Annotated[FinancingInvoiceParams, Query()]) -> Response[dict]:
    invoices = invoice_use_cases(caller(app))
    tenant = invoices.actor.tenant_id
    position = (
        resume(params.pagination_token, tenant)
        if params.pagination_token is not None
        else Position(params.query())
    )
    read = invoices.financing_page(position.query, after=position.at, backward=position.backward)
    page = read.invoices[::-1] if position.backward else read.invoices
    next_token, prev_token = page_tokens(position, page, read.more, read.last_examined, tenant)
    names = invoices.buyer_names(page)
    body = {
        "data": [financing_invoice(i, names.get(i.buyer)) for i in page],
        "next_pagination_token": next_token,
        "prev_pagination_token": prev_token,
    }
    return respond(200, body)


lambda_handler = monite_entrypoint(app, scope=Scope.INVOICES_READ)
