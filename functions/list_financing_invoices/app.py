"""GET /v1/financing_invoices: the tenant's invoices as Monite's FinancingInvoice, filtered and paged by key."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import caller, respond
from financing.api.monite import monite_api, monite_entrypoint
from financing.api.pagination import InvalidCursor, decode_cursor, encode_cursor
from financing.dialects.monite.errors import documented
from financing.dialects.monite.invoices import (
    FinancingInvoiceListResponse,
    FinancingInvoiceParams,
    financing_invoice,
)
from financing.domain.financing_list import InvoiceQuery
from financing.services.invoices import Invoices

app = monite_api()


@app.get(
    "/v1/financing_invoices",
    summary="List invoices for financing (Monite-shaped)",
    description="Every filter of Monite's `GET /financing_invoices`. Pages are positions in id order "
    "(= creation order): walking `next_pagination_token` then `prev_pagination_token` returns each "
    "matching invoice once each way, even while invoices are created. A filter without an index may end "
    "a page early (fewer than `limit` invoices, with a next token) once 1,000 invoices were read.",
    tags=["Financing (Monite)"],
    responses=documented(200, FinancingInvoiceListResponse, "A page of invoices."),
)
def list_(params: Annotated[FinancingInvoiceParams, Query()]) -> Response[dict]:
    invoices = Invoices(caller(app))
    # Tokens are signed for this tenant's list and carry the query they continue.
    binding = f"{invoices.actor.tenant_id}:financing_invoices"
    if params.pagination_token is not None:
        token = decode_cursor(params.pagination_token, binding)
        try:
            query = InvoiceQuery.model_validate(token["q"])
            at, backward, beyond = token["at"], token["dir"] == "prev", bool(token["beyond"])
        except (KeyError, ValueError) as error:
            raise InvalidCursor() from error
    else:
        query, at, backward, beyond = params.query(), None, False, False
    read = invoices.financing_page(query, after=at, backward=backward)
    page = read.invoices[::-1] if backward else read.invoices
    # `beyond`: whether invoices lie on the far side of the token's position (the page it came from).
    ahead, behind = (beyond, read.more) if backward else (read.more, beyond)
    # An empty page (a sparse filter's read budget ran out) spans up to where the read stopped: tokens
    # both ways start there, so going back re-reads that span rather than skipping the cursor's item.
    first = page[0].id if page else (read.last_examined or at)
    last = page[-1].id if page else (read.last_examined or at)

    def token(direction: str, position: str | None, far_side: bool) -> str | None:
        if position is None:
            return None
        state = {
            "q": query.model_dump(mode="json", exclude_defaults=True),
            "at": position,
            "dir": direction,
            "beyond": far_side,
        }
        return encode_cursor(state, binding)

    names = invoices.buyer_names(page)
    body = {
        "data": [financing_invoice(i, names.get(i.buyer)) for i in page],
        "next_pagination_token": token("next", last, bool(page) or behind) if ahead else None,
        "prev_pagination_token": token("prev", first, bool(page) or ahead) if behind else None,
    }
    return respond(200, body)


lambda_handler = monite_entrypoint(app, scope="invoices:read")
