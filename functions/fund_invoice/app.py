"""POST /v1/invoices/{invoice_id}/fund: the lender funds the invoice within the buyer's limit."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import once
from financing.dialects.core.errors import documented
from financing.dialects.core.invoices import FundBody, InvoiceObject
from financing.services.invoices import Invoices

app = core_api()


@app.post(
    "/v1/invoices/<invoice_id>/fund",
    summary="Fund an invoice",
    tags=["Invoices"],
    responses=documented(200, InvoiceObject, "The invoice, financed."),
)
def fund(invoice_id: str, body: Annotated[FundBody, Body()]) -> Response[InvoiceObject]:
    invoices = Invoices(caller(app))
    return once(
        app,
        invoices.actor.tenant_id,
        lambda: (
            200,
            invoices.render(
                invoices.fund(
                    invoice_id, body.advance_rate_percentage, body.fee_percentage, body.disbursement_date
                )
            ),
        ),
    )


lambda_handler = entrypoint(app, scope="lender:operate")
