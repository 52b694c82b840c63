"""POST /v1/financing_connect/quote: the hosted financing page previews what financing the invoices the
business picked would book, before it confirms. A connect token, no bearer JWT; nothing is written."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.credit_line import CreditLineStore
from financing.api.core import core_api, respond
from financing.api.monite import ConnectAuthorization, connect_entrypoint, connect_grant
from financing.clock import today
from financing.composition.financing_push import connect_shapes
from financing.composition.invoices import invoice_ports
from financing.correlation import correlation_id_of
from financing.families.monite.errors import monite_error_for, monite_responses
from financing.families.monite.invoices import FinancingPushInvoicesRequest
from financing.families.monite.tokens import FinancingQuoteResponse
from financing.services.financing_push import connected, quote_view

app = core_api(monite_error_for)


@app.post(
    "/v1/financing_connect/quote",
    summary="Quote the invoices a business picked (hosted financing page)",
    description="Not in Monite's API. `Authorization: Bearer <connect_token>`; the body names 1 to 10 of the "
    "token's business's draft invoices (`id`: UUID or `inv_` id; `type` must be the invoice's), in the "
    "offer's currency. Answers each invoice's advance, fee, repayment amount and repayment date under the "
    "offer's first pricing plan (the plan `confirm` records and funding applies), disbursed today, priced "
    "by the funding's own domain function, and their total; nothing is written. The business is the "
    "token's (tenant and entity), never the request's: another business's invoice is 404 as an unknown "
    "one. No offer: 409 `no_financing_offer`; an invoice no longer a draft: 409.",
    tags=["Financing (Monite)"],
    responses=monite_responses(200, FinancingQuoteResponse, "Each invoice's terms, and their total."),
)
def quote(
    body: Annotated[FinancingPushInvoicesRequest, Body()],
    authorization: ConnectAuthorization = None,
) -> Response[dict]:
    grant = connect_grant(authorization)
    invoices = connected(grant, invoice_ports(), correlation_id_of(app.current_event.raw_event))
    wanted = [(i.id, i.type) for i in body.invoices]
    return respond(200, quote_view(invoices, CreditLineStore(), wanted, today(), shapes=connect_shapes))


lambda_handler = connect_entrypoint(app)
